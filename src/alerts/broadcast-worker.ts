// The workers of a broadcast: fan-out (one alert -> one job per person) and send (one message, at the platform's
// rate). Any number of processes may run them; what they do to Redis is idempotent and claims are atomic.
//
// For each send job, in order:
//  1. the alert has expired (checked now, not at publication) -> `expired`, nothing sent;
//  2. the person unsubscribed, paused or erased their data since -> `skipped` (the job holds only the pair's
//     pseudonym; the chat comes from the alert's recipients hash, which erasure empties for that person);
//  3. a 429 pause started since the job was taken -> back to wait; a message went to this chat less than a second
//     ago (alert or reply) -> delayed until that second has passed (Telegram allows ~1 message/s per chat);
//  4. the pair is claimed; already claimed -> nothing sent (a crash right after sending must not send twice);
//  5. send, in the person's language or French:
//     429 -> claim given back, the WHOLE queue waits retry_after (BullMQ rate limit), the job is retried after it;
//     403 -> `blocked`, and the person is unsubscribed;  5xx -> retried with backoff, then `failed`;
//     other 4xx -> `failed`;  no answer -> `unconfirmed` (may have arrived: at most once, so never resent).
// Jobs that end without sending give their slot back to the limiter, so skipped people cost no send capacity.
import { DelayedError, type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../infra/logger.ts';
import { isRedisConnectionError } from '../infra/redis-outage.ts';
import { type ChatRef, chatKey } from '../ports/chat.ts';
import type { Clock } from '../ports/clock.ts';
import type { Subscriptions } from '../ports/services.ts';
import type { Alert } from './alert-file.ts';
import type { Outcome } from './alert-store.ts';
import { scanMembers, storeAudience } from './audience.ts';
import {
  type AlertBroadcast,
  alertFilter,
  type FanoutJob,
  limiterWindow,
  type SendJob,
  sendJobId,
  sendLimiterKey,
} from './broadcast.ts';
import { FANOUT_QUEUE, SEND_QUEUE } from './keys.ts';
import { LuaScript } from './lua.ts';
import { type AlertSend, classifySendError } from './sender.ts';
import { parseSubscriber, type Subscriber } from './subscriptions.ts';

export type AlertWorkerOptions = {
  /** Messages per second for bulk sends (ALERTS_RATE_PER_SECOND; Telegram allows about 30). */
  ratePerSecond: number;
  /** Sends in flight at once (default: enough to keep the rate with ~300 ms Bot API round trips). */
  concurrency?: number;
  /** Minimum time between two messages to one chat (default 1000 ms). */
  perChatIntervalMs?: number;
  /** Attempts for a send that gets a 5xx (default 3). */
  attempts?: number;
  /** How long a job stays locked to a worker that stopped answering (default 30 s). */
  lockDurationMs?: number;
  /** How often workers look for jobs of dead workers (default 30 s). */
  stalledIntervalMs?: number;
};

export type AlertWorkerDeps = {
  broadcast: AlertBroadcast;
  redis: Redis;
  send: AlertSend;
  /** Unsubscribes people who blocked the bot. */
  subscriptions: Subscriptions;
  clock: Clock;
  logger: Logger;
  /** Called when a 429 paused the queue (for metrics). */
  onRateLimited?: (retryAfterMs: number) => void;
};

export type AlertWorkers = {
  fanout: Worker<FanoutJob>;
  send: Worker<SendJob>;
  close(): Promise<void>;
};

const ENQUEUE_BATCH = 500;
/** The fan-out keeps about this many seconds of sends waiting. */
const FANOUT_AHEAD_S = 2;
const FANOUT_PAUSE_MS = 200;
const ALERT_CACHE_MS = 5_000;

// KEYS[1] limiter counter. Gives back the slot a job took when it ends without sending (not while a 429 pause,
// which sets the counter to a huge number, is running).
const REFUND = new LuaScript(`
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
if v > 0 and v < 1000000000000 then redis.call('DECR', KEYS[1]) end
return 1
`);

// KEYS: limiter counter, chat gap. ARGV: per-chat ms. Checked just before sending: -1 while a 429 pause runs
// (the counter is set out of reach, as queue.rateLimit does); else takes the chat's second (0), or returns the ms
// until the chat may be written to again.
const PAUSED = -1;
const GATE = new LuaScript(`
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
if v >= 1000000000000 then return -1 end
if redis.call('SET', KEYS[2], '1', 'PX', ARGV[1], 'NX') then return 0 end
return math.max(1, redis.call('PTTL', KEYS[2]))
`);

export async function startAlertWorkers(deps: AlertWorkerDeps, options: AlertWorkerOptions): Promise<AlertWorkers> {
  const { broadcast, redis, send, subscriptions, clock, logger } = deps;
  const { store, alertKeys: k, keys, pseudonyms } = broadcast;
  const perChatMs = options.perChatIntervalMs ?? 1000;
  const aheadJobs = Math.max(ENQUEUE_BATCH, FANOUT_AHEAD_S * options.ratePerSecond);
  const attempts = options.attempts ?? 3;
  const limiterKey = sendLimiterKey(keys);
  /** Jobs queued before pair pseudonyms held the chat id: they still run, under the pair's pseudonym. */
  const legacyMember = (data: SendJob): string | null => {
    const chatId = (data as { chatId?: unknown }).chatId;
    return data.to === undefined && typeof chatId === 'string' ? chatKey({ channel: 'telegram', id: chatId }) : null;
  };
  const pairOf = (data: SendJob): string => {
    const legacy = legacyMember(data);
    return legacy === null ? data.to : pseudonyms.of(data.alertId, legacy);
  };
  const alerts = new Map<string, { alert: Alert | null; until: number }>();

  async function alertOf(id: string): Promise<Alert | null> {
    const cached = alerts.get(id);
    if (cached && cached.until > Date.now()) return cached.alert;
    const alert = (await store.get(id))?.alert ?? null;
    alerts.set(id, { alert, until: Date.now() + ALERT_CACHE_MS });
    return alert;
  }

  const refund = () => REFUND.run(redis, [limiterKey], []);
  /** Set by a 429 in this process, checked right before each send. */
  let pausedUntil = 0;

  // --- Fan-out --------------------------------------------------------------------------------------------------

  async function fanout(job: Job<FanoutJob>): Promise<string> {
    const id = job.data.alertId;
    const stored = await store.get(id);
    if (!stored || stored.state === 'done') return 'nothing to do';
    const audienceKey = k.audience(id);
    if (stored.total === null && !(await redis.exists(audienceKey))) {
      // First run: fix the audience now (people who subscribe later do not get this alert).
      const scratch = k.scratch(`audience-${id}`);
      const { total } = await storeAudience(redis, k, alertFilter(stored.alert), scratch, 3_600_000);
      if (total > 0) await redis.rename(scratch, audienceKey);
    }
    const total = await store.start(id, await redis.scard(audienceKey), clock.now());
    const expired = stored.alert.expires !== undefined && clock.now() >= stored.alert.expires;
    let enqueued = 0;
    for await (const members of scanMembers(redis, audienceKey)) {
      if (expired) {
        for (const member of members) await store.settle(id, pseudonyms.of(id, member), 'expired', clock.now());
        continue;
      }
      const pairs = members.filter((m) => telegramId(m) !== null).map((m) => [pseudonyms.of(id, m), m] as const);
      const jobs = pairs.map(([to]) => ({
        name: 'send',
        data: { alertId: id, to },
        opts: {
          jobId: sendJobId(id, to),
          attempts,
          backoff: { type: 'exponential', delay: 2000 },
          removeOnComplete: true,
          removeOnFail: { count: 1000 },
        },
      }));
      for (let i = 0; i < jobs.length; i += ENQUEUE_BATCH) {
        // Enqueue only a few seconds ahead of the senders: the fan-out's Redis work is spread over the broadcast
        // instead of slowing its first seconds (and a large audience never floods the queue at once).
        while ((await broadcast.sendQueue.getWaitingCount()) > aheadJobs) await sleep(FANOUT_PAUSE_MS);
        // Who each pseudonym stands for, before its job can run.
        await store.addRecipients(id, pairs.slice(i, i + ENQUEUE_BATCH));
        await broadcast.sendQueue.addBulk(jobs.slice(i, i + ENQUEUE_BATCH));
      }
      enqueued += jobs.length;
    }
    logger.info({ alert: id, total, enqueued, expired }, 'alert fanned out');
    return expired ? 'expired' : `enqueued ${enqueued}`;
  }

  // --- Send -----------------------------------------------------------------------------------------------------

  async function sendOne(job: Job<SendJob>, token?: string): Promise<Outcome | 'delayed' | 'duplicate'> {
    const { alertId } = job.data;
    const pair = pairOf(job.data);
    const alert = await alertOf(alertId);
    const settle = async (outcome: Outcome) => {
      await store.settle(alertId, pair, outcome, clock.now());
      return outcome;
    };
    if (!alert) {
      await refund();
      return 'skipped';
    }
    if (alert.expires !== undefined && clock.now() >= alert.expires) {
      await refund();
      return settle('expired');
    }
    const member = legacyMember(job.data) ?? (await store.recipient(alertId, pair));
    const chatId = member === null ? null : telegramId(member);
    if (chatId === null) {
      // Settled by an earlier run, or the person erased their data (erasure settles the pair): never counted twice.
      await refund();
      return (await store.settle(alertId, pair, 'skipped', clock.now())) ? 'skipped' : 'duplicate';
    }
    const chat: ChatRef = { channel: 'telegram', id: chatId };
    const person = parseSubscriber(await redis.hgetall(k.person(chat)));
    if (!person) {
      // Unsubscribed from everything since.
      await refund();
      return settle('skipped');
    }
    if (!stillWants(person, alert)) {
      await refund();
      return settle('skipped');
    }

    const gap = k.chatGap(chatId);
    const gate = Number(await GATE.run(redis, [limiterKey, gap], [perChatMs]));
    if (gate === PAUSED) {
      // A 429 paused the queue after this job was taken: back to wait, sent after the pause.
      throw Worker.RateLimitError();
    }
    if (gate > 0) {
      await refund();
      await job.moveToDelayed(Date.now() + Math.max(50, gate), token);
      throw new DelayedError();
    }

    const claim = await store.claim(alertId, pair, clock.now());
    if (claim !== 'claimed') {
      // Settled by an earlier run, or that run died while sending (now counted as unconfirmed): never resend.
      await refund();
      return 'duplicate';
    }

    const text = alert.text[person.lang] ?? alert.text.fr;
    if (Date.now() < pausedUntil) {
      // Another slot of this process met a 429 a moment ago: do not start a send, even before Redis knows.
      await Promise.all([store.release(alertId, pair), redis.del(gap), refund()]);
      throw Worker.RateLimitError();
    }
    try {
      await send(chatId, text);
    } catch (error) {
      const failure = classifySendError(error);
      switch (failure.kind) {
        case 'rate_limited':
          // Pause first, so the other slots stop starting sends as soon as possible (this process at once, the
          // others through Redis); then give the pair back.
          pausedUntil = Math.max(pausedUntil, Date.now() + failure.retryAfterMs);
          await broadcast.sendQueue.rateLimit(failure.retryAfterMs);
          await store.release(alertId, pair);
          await redis.del(gap);
          logger.warn({ alert: alertId, retryAfterMs: failure.retryAfterMs }, 'alerts: 429, send queue paused');
          deps.onRateLimited?.(failure.retryAfterMs);
          throw Worker.RateLimitError();
        case 'blocked':
          await subscriptions.unsubscribe(chat, []);
          return settle('blocked');
        case 'server':
          if (job.attemptsMade + 1 < attempts) {
            await store.release(alertId, pair);
            await redis.del(gap);
            throw new Error(`Bot API ${failure.code}, will retry`);
          }
          return settle('failed');
        case 'refused':
          logger.warn({ alert: alertId, code: failure.code }, 'alerts: message refused');
          return settle('failed');
        case 'no_answer':
          return settle('unconfirmed');
      }
    }
    // The chat's second counts from now, when Telegram has the message (not from when we decided to send it).
    await Promise.all([redis.set(gap, '1', 'PX', perChatMs), settle('sent')]);
    return 'sent';
  }

  const connection = (name: string) => {
    const c = redis.duplicate({ maxRetriesPerRequest: null });
    c.on('error', (err) => {
      if (!isRedisConnectionError(err)) logger.warn({ err: err.message, connection: name }, 'alerts: redis error');
    });
    return c;
  };
  const fanoutConnection = connection('fanout');
  const sendConnection = connection('send');
  const common = {
    prefix: keys.bull,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    // A job of a dead worker is given back; re-runs are harmless (claims), so allow many.
    maxStalledCount: 50,
  };
  const fanoutWorker = new Worker<FanoutJob>(FANOUT_QUEUE, fanout, {
    ...common,
    connection: fanoutConnection,
    concurrency: 2,
  });
  const sendWorker = new Worker<SendJob>(SEND_QUEUE, (job, token) => sendOne(job, token), {
    ...common,
    connection: sendConnection,
    concurrency: options.concurrency ?? Math.max(4, Math.min(50, Math.ceil(options.ratePerSecond / 2))),
    limiter: limiterWindow(options.ratePerSecond),
  });
  for (const worker of [fanoutWorker, sendWorker] as Worker[]) {
    worker.on('error', (err) => {
      if (!isRedisConnectionError(err)) logger.warn({ err: err.message, queue: worker.name }, 'alerts: worker error');
    });
  }
  sendWorker.on('failed', (job, err) => {
    // Out of attempts for an unexpected reason: record it so the broadcast can finish.
    if (!job || job.attemptsMade < (job.opts.attempts ?? 1) || err.name === 'RateLimitError') return;
    store.settle(job.data.alertId, pairOf(job.data), 'failed', clock.now()).catch(() => undefined);
    logger.warn({ alert: job.data.alertId, err: err.message }, 'alerts: send job failed');
  });
  fanoutWorker.on('failed', (job, err) =>
    logger.error({ alert: job?.data.alertId, err: err.message }, 'fan-out failed'),
  );
  await Promise.all([fanoutWorker.waitUntilReady(), sendWorker.waitUntilReady()]);

  return {
    fanout: fanoutWorker,
    send: sendWorker,
    async close() {
      await Promise.allSettled([fanoutWorker.close(), sendWorker.close()]);
      fanoutConnection.disconnect();
      sendConnection.disconnect();
    },
  };
}

/** The person still wants this alert: not paused, subscribed to one of its topics for one of its regions. */
function stillWants(person: Subscriber, alert: Alert): boolean {
  if (person.paused) return false;
  if (alert.languages && !alert.languages.includes(person.lang)) return false;
  return alert.topics.some((topic) => {
    const regions = person.topics[topic];
    if (!regions) return false;
    return alert.regions === 'all' || regions.includes('all') || regions.some((r) => alert.regions.includes(r));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function telegramId(member: string): string | null {
  return member.startsWith('telegram:') ? member.slice('telegram:'.length) : null;
}

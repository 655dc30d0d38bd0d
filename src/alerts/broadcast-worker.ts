// The workers of a broadcast: fan-out (one alert -> one job per person) and send (one message, paced by the
// platform's send budget). Any number of processes may run them; what they do to Redis is idempotent and claims are
// atomic.
//
// For each send job, in order:
//  1. the alert has expired (checked now, not at publication) -> `expired`, nothing sent;
//  2. the person unsubscribed, paused or erased their data since -> `skipped` (the job holds only the pair's
//     pseudonym; the person comes from the alert's recipients hash, which erasure empties for that person);
//  3. a send slot from the budget shared with replies (send-budget.ts; what replies leave, evenly paced, paused by
//     a 429), the chat's second (delayed if a message or a reply went to it less than a second ago) and the pair's
//     booking (`booked`), in one Redis step; an already settled pair -> nothing sent;
//  4. just before the slot, Redis confirms it if the sliding second has room (else replies filled it: the job asks
//     again) and no 429 paused the alerts since it was booked; the request starts at the slot (not later than
//     MAX_LAG_MS after it, and not while a 429 this process got is running, else the slot is given up and the job
//     asks again), the pair marked `sending` as it starts (alert-store.ts markSending);
//  5. send, in the person's language or French, and settle only on Telegram's answer:
//     sent -> `sent` (`resent` when an earlier attempt may also have arrived);
//     429 -> claim given back, every sender pauses retry_after, the same job sends after the pause;
//     403 -> `blocked`, and the person is unsubscribed;  5xx -> retried with backoff, then `failed`;
//     other 4xx -> `failed`;  no answer -> retried (marked uncertain: one possible duplicate rather than a silent
//     miss), then `failed`.
// A process killed mid-send leaves its jobs locked for lockDurationMs; the stall check of any live worker gives
// them back within a few seconds more: their pairs left `booked` are sent as if nothing happened, those left
// `sending` (a request may have reached Telegram) are resent and counted uncertain.
import { randomBytes } from 'node:crypto';
import { DelayedError, type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../infra/logger.ts';
import { isRedisConnectionError } from '../infra/redis-outage.ts';
import type { BulkSender } from '../ports/bulk-send.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { Clock } from '../ports/clock.ts';
import type { Alert } from './alert-file.ts';
import { AlertStore, type AnswerPlace, type FailReason, type Outcome } from './alert-store.ts';
import { scanMembers, storeAudience } from './audience.ts';
import { type AlertBroadcast, alertFilter, sendJobId } from './broadcast.ts';
import { FANOUT_QUEUE, SEND_QUEUE } from './keys.ts';
import { AlertPacer, PacerStoppedError } from './pacer.ts';
import { localNow, MAX_LAG_MS, SendBudget } from './send-budget.ts';
import { parseSubscriber, type RedisSubscriptions, type Subscriber } from './subscriptions.ts';
import type { FanoutJob, SendJob } from './types.ts';

export type AlertWorkerOptions = {
  /** Messages per second for every send of the platform, replies included (ALERTS_RATE_PER_SECOND; Telegram allows
   * about 30). Ignored when a budget is given. */
  ratePerSecond: number;
  /** Sends in flight at once (default: defaultConcurrency, enough to keep the rate with ~300 ms Bot API round
   * trips). */
  concurrency?: number;
  /** Minimum time between two messages to one chat (default 1000 ms). */
  perChatIntervalMs?: number;
  /** Attempts for a send that gets a 5xx (default 3). */
  attempts?: number;
  /** How long a job stays locked to a worker that stopped answering (default 4 s, renewed every 2 s). */
  lockDurationMs?: number;
  /** How often workers look for jobs of dead workers (default 2 s): a crash is resumed within ~8 s. */
  stalledIntervalMs?: number;
};

export type AlertWorkerDeps = {
  broadcast: AlertBroadcast;
  redis: Redis;
  /** The channel's bulk sender (Telegram: channels/telegram/sender.ts TelegramBulkSender). */
  sender: BulkSender;
  /** The platform's budget shared with replies (the same one the channel notes its replies in). */
  budget?: SendBudget;
  /** Opens the person's sealed chat; unsubscribes people who blocked the bot. */
  subscriptions: RedisSubscriptions;
  clock: Clock;
  logger: Logger;
  /** Called when a 429 paused the queue (for metrics). */
  onRateLimited?: (retryAfterMs: number) => void;
};

export type AlertWorkers = {
  fanout: Worker<FanoutJob>;
  send: Worker<SendJob>;
  /** What this process's sends cost the pace, since it started (for the benchmark and metrics). */
  stats: PaceStats;
  close(): Promise<void>;
};

export type PaceStats = {
  /** Requests started. */
  requests: number;
  /** Slots given up because the process was too late for them (more than MAX_LAG_MS). */
  late: number;
  /** Slots given to replies: the sliding second was full when the slot came (replies filled it). */
  yielded: number;
  /** Sends put off because the person got a message less than a second before. */
  deferred: number;
  /** 429s answered to alerts. */
  rateLimited: number;
};

const ENQUEUE_BATCH = 100;
/** The fan-out keeps about this many seconds of sends waiting. */
const FANOUT_AHEAD_S = 2;
const FANOUT_PAUSE_MS = 200;
const ALERT_CACHE_MS = 5_000;

const DEFAULT_LOCK_MS = 4_000;
const DEFAULT_STALLED_MS = 2_000;
/** Slots one job gives up for being too late before it goes back to the queue (a process far too busy). */
const MAX_LATE_PER_JOB = 50;
/** Slots one job gives to replies before it goes back to the queue (replies far beyond the limit). */
const MAX_YIELDS_PER_JOB = 200;
/** 429s one job waits out before it goes back to the queue. */
const MAX_RATE_LIMITS_PER_JOB = 20;
const HEARTBEAT_MS = 2_000;
const HEARTBEAT_TTL_MS = 10_000;

/** The sealed chat does not open: this process does not have the bot's KUNNAFONI_DATA_KEY. */
class UnreadableChatError extends Error {
  constructor() {
    super("the subscriber's chat cannot be opened: give this process the bot's KUNNAFONI_DATA_KEY");
    this.name = 'UnreadableChatError';
  }
}

export async function startAlertWorkers(deps: AlertWorkerDeps, options: AlertWorkerOptions): Promise<AlertWorkers> {
  const { broadcast, redis, sender, subscriptions, clock, logger } = deps;
  const { store, alertKeys: k, keys, pseudonyms } = broadcast;
  const budget =
    deps.budget ??
    new SendBudget(redis, keys, {
      channel: sender.channel,
      ratePerSecond: options.ratePerSecond,
      perChatIntervalMs: options.perChatIntervalMs ?? 1000,
    });
  const pacer = new AlertPacer(budget);
  try {
    const moved = await subscriptions.migrateLegacy();
    if (moved > 0) logger.info({ moved }, 'alerts: subscriptions renamed by pseudonym');
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'alerts: renaming old subscriptions failed, will retry at restart');
  }
  const aheadJobs = Math.max(500, FANOUT_AHEAD_S * options.ratePerSecond);
  const attempts = options.attempts ?? 3;
  /** Jobs queued before pair pseudonyms held the chat id: they still run, under the pair's pseudonym. */
  const legacyMember = (data: SendJob): string | null => {
    const chatId = (data as { chatId?: unknown }).chatId;
    return data.to === undefined && typeof chatId === 'string' ? `telegram:${chatId}` : null;
  };
  const pairOf = (data: SendJob): string => {
    const legacy = legacyMember(data);
    return legacy === null ? data.to : pseudonyms.of(data.alertId, legacy);
  };
  const alerts = new Map<string, { alert: Alert | null; until: number }>();
  /** close() was called: a fan-out waiting for the queue to shrink gives its job back. */
  let closing = false;
  const stats: PaceStats = { requests: 0, late: 0, yielded: 0, deferred: 0, rateLimited: 0 };

  async function alertOf(id: string): Promise<Alert | null> {
    const cached = alerts.get(id);
    if (cached && cached.until > Date.now()) return cached.alert;
    const alert = (await store.get(id))?.alert ?? null;
    alerts.set(id, { alert, until: Date.now() + ALERT_CACHE_MS });
    return alert;
  }

  /** The chat and subscription of an audience member (a pseudonym; `telegram:<id>` in broadcasts started before). */
  async function personOf(
    member: string,
    hash?: Record<string, string>,
  ): Promise<{ chat: ChatRef; person: Subscriber } | null> {
    const legacy: ChatRef | null = member.startsWith('telegram:')
      ? { channel: 'telegram', id: member.slice('telegram:'.length) }
      : null;
    const person = parseSubscriber(hash ?? (await redis.hgetall(k.person(legacy ?? member))));
    if (!person) return null;
    const chat = legacy ?? subscriptions.chatOf(person);
    // Never a silent skip: a chat that does not open is an error in this process's set-up (counted as failed).
    if (!chat) throw new UnreadableChatError();
    return { chat, person };
  }

  // --- Fan-out --------------------------------------------------------------------------------------------------

  async function fanout(job: Job<FanoutJob>, token?: string): Promise<string> {
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
      // Small batches: each is computed and encoded in one go on the event loop the senders share, so a large one
      // would make their slots late.
      for (let i = 0; i < members.length; i += ENQUEUE_BATCH) {
        const batch = members.slice(i, i + ENQUEUE_BATCH).map((m) => [pseudonyms.of(id, m), m] as const);
        // A re-run (its process died): pairs with an outcome were enqueued by the run before (their job ran, or runs
        // again after its stall): neither enqueued nor looked up again.
        const known = await redis.hmget(k.outcomes(id), ...batch.map(([pair]) => pair));
        const pairs = batch.filter((_, j) => known[j] === null);
        if (pairs.length === 0) continue;
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
        // Enqueue only a few seconds ahead of the senders: the fan-out's Redis work is spread over the broadcast
        // instead of slowing its first seconds (and a large audience never floods the queue at once).
        while ((await broadcast.sendQueue.getWaitingCount()) > aheadJobs) {
          // Closing: the senders no longer take jobs, so the queue would never shrink. Another run goes on later.
          if (closing) {
            await job.moveToDelayed(Date.now(), token);
            throw new DelayedError();
          }
          await sleep(FANOUT_PAUSE_MS);
        }
        // Who each pseudonym stands for, before its job can run.
        await store.addRecipients(id, pairs);
        await broadcast.sendQueue.addBulk(jobs);
        enqueued += jobs.length;
      }
    }
    logger.info({ alert: id, total, enqueued, expired }, 'alert fanned out');
    return expired ? 'expired' : `enqueued ${enqueued}`;
  }

  // --- Send -----------------------------------------------------------------------------------------------------

  async function sendOne(job: Job<SendJob>, token?: string): Promise<Outcome | 'duplicate'> {
    const { alertId } = job.data;
    const pair = pairOf(job.data);
    const alert = await alertOf(alertId);
    const now = () => clock.now();
    let answer: AnswerPlace | undefined;
    const settle = async (
      outcome: Exclude<Outcome, 'resent' | 'unconfirmed'>,
      reason?: FailReason,
      gap?: { key: string; ms: number },
    ) => {
      const counted = await store.settle(alertId, pair, outcome, now(), {
        ...(reason ? { reason } : {}),
        ...(gap ? { gap } : {}),
        ...(answer ? { answer } : {}),
      });
      return counted ? outcome : 'duplicate';
    };
    if (!alert) return 'skipped';
    if (alert.expires !== undefined && now() >= alert.expires) return settle('expired');
    const legacy = legacyMember(job.data);
    // Who the pair stands for and their subscription, in one round trip.
    const recipient =
      legacy === null ? await store.recipientWithPerson(alertId, pair) : { member: legacy, person: null };
    // Settled by an earlier run, or the person erased their data (erasure settles the pair): never counted twice.
    if (recipient === null) return settle('skipped');
    let found: Awaited<ReturnType<typeof personOf>>;
    try {
      found = await personOf(recipient.member, recipient.person ?? undefined);
    } catch (error) {
      if (!(error instanceof UnreadableChatError)) throw error;
      logger.error({ alert: alertId }, error.message);
      return settle('failed', 'worker_error');
    }
    // Unsubscribed from everything since, paused, or no longer subscribed to this alert's topics and regions.
    if (!found || !stillWants(found.person, alert)) return settle('skipped');
    const { chat, person } = found;
    const text = alert.text[person.lang] ?? alert.text.fr;
    const outcomes = store.keys.outcomes(alertId);

    for (let limited = 0, late = 0, yielded = 0; ; ) {
      let take: Awaited<ReturnType<AlertPacer['take']>>;
      try {
        take = await pacer.take(chat, outcomes, pair);
      } catch (error) {
        if (!(error instanceof PacerStoppedError)) throw error;
        // Closing: back to the queue for the next worker, no attempt used.
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      if (take.kind === 'settled') return 'duplicate';
      if (take.kind === 'chat') {
        stats.deferred++;
        // A message went to this chat less than a second ago (an alert or a reply): after that second.
        await job.moveToDelayed(Date.now() + Math.max(50, take.ms), token);
        throw new DelayedError();
      }
      // The slot is booked and the pair marked `booked`. Just before it, Redis confirms the slot if the sliding
      // second has room for it (else it went to replies: the alert asks again). The request starts at the slot (the
      // pair marked `sending` as it does), never before, and not later than MAX_LAG_MS after it: a process too busy
      // to keep its slot gives it up rather than send off the pace, and asks again.
      const confirmAt = take.startAt - budget.leadMs();
      if (confirmAt > localNow()) await sleep(confirmAt - localNow());
      const { answer: confirmed, send } = await budget.confirm(chat, outcomes, pair, take.slot);
      if (confirmed === 'settled') return 'duplicate';
      if (confirmed === 'paused') continue;
      if (confirmed === 'full' || confirmed === 'again') {
        if (confirmed === 'full') stats.yielded++;
        if (++yielded >= MAX_YIELDS_PER_JOB) throw new Error('replies took every slot, will retry');
        continue;
      }
      const wait = take.startAt - localNow();
      if (wait > 0) await sleep(wait);
      const tooLate = localNow() - take.startAt > MAX_LAG_MS;
      // A 429 this process got since the confirmation: the slot is given up, the pair goes after the pause.
      if (tooLate || budget.pausedHere()) {
        await Promise.all([
          budget.forget(send),
          store.release(alertId, pair, 'nothing'),
          redis.del(budget.gapOf(chat)),
        ]);
        if (!tooLate) continue;
        stats.late++;
        if (++late >= MAX_LATE_PER_JOB) throw new Error('too busy to keep the pace, will retry');
        continue;
      }
      store.markSending(marks, alertId, pair);
      stats.requests++;
      const startedAt = localNow();
      const result = await sender.send(chat.id, text);
      // Telegram answered: the send counts from now in the window (written with the pair's outcome, or at once when
      // the pair is given back).
      answer = result.kind === 'no_answer' ? undefined : budget.answerPlace(send, startedAt);
      if (result.kind === 'rate_limited' || (result.kind === 'server' && job.attemptsMade + 1 < attempts)) {
        budget.answered(marks, send, startedAt);
      }
      switch (result.kind) {
        case 'sent':
          // The person's second counts from Telegram's answer (set in the same step).
          return settle('sent', undefined, { key: budget.gapOf(chat), ms: budget.perChatMs });
        case 'rate_limited':
          // Every sender pauses (through Redis); this pair goes again after the pause, in this same run.
          stats.rateLimited++;
          await budget.pause(result.retryAfterMs);
          await store.release(alertId, pair, 'nothing');
          await redis.del(budget.gapOf(chat));
          logger.warn({ alert: alertId, retryAfterMs: result.retryAfterMs }, 'alerts: 429, sends paused');
          deps.onRateLimited?.(result.retryAfterMs);
          if (++limited >= MAX_RATE_LIMITS_PER_JOB) throw new Error('rate limited again and again, will retry');
          continue;
        case 'blocked':
          await subscriptions.unsubscribe(chat, []);
          return settle('blocked');
        case 'server':
          if (job.attemptsMade + 1 < attempts) {
            await store.release(alertId, pair, 'nothing');
            await redis.del(budget.gapOf(chat));
            throw new Error(`Bot API ${result.code}, will retry`);
          }
          return settle('failed', 'telegram_error');
        case 'refused':
          logger.warn({ alert: alertId, code: result.code, description: result.description }, 'alerts: refused');
          return settle('failed', 'refused');
        case 'no_answer':
          // It may have arrived: sent again (a possible duplicate rather than a silent miss), and counted so.
          if (job.attemptsMade + 1 < attempts) {
            await store.release(alertId, pair, 'maybe');
            throw new Error('no answer from the Bot API, will retry');
          }
          return settle('failed', 'no_answer');
      }
    }
  }

  const connection = (name: string) => {
    const c = redis.duplicate({ maxRetriesPerRequest: null });
    c.on('error', (err) => {
      if (!isRedisConnectionError(err)) logger.warn({ err: err.message, connection: name }, 'alerts: redis error');
    });
    return c;
  };
  // Marks written at once (no auto-pipelining): a pair's `sending` reaches Redis before its request leaves.
  const marks = redis.duplicate({ enableAutoPipelining: false });
  marks.on('error', () => undefined);
  await AlertStore.loadScripts(marks);
  const fanoutConnection = connection('fanout');
  const sendConnection = connection('send');
  const lockDuration = options.lockDurationMs ?? DEFAULT_LOCK_MS;
  const common = {
    prefix: keys.bull,
    lockDuration,
    lockRenewTime: Math.floor(lockDuration / 2),
    stalledInterval: options.stalledIntervalMs ?? DEFAULT_STALLED_MS,
    // A job of a dead worker is given back; re-runs are harmless (claims), so allow many.
    maxStalledCount: 50,
  };
  const fanoutWorker = new Worker<FanoutJob>(FANOUT_QUEUE, (job, token) => fanout(job, token), {
    ...common,
    connection: fanoutConnection,
    concurrency: 2,
  });
  const sendWorker = new Worker<SendJob>(SEND_QUEUE, (job, token) => sendOne(job, token), {
    ...common,
    connection: sendConnection,
    concurrency: options.concurrency ?? defaultConcurrency(options.ratePerSecond),
  });
  for (const worker of [fanoutWorker, sendWorker] as Worker[]) {
    worker.on('error', (err) => {
      if (!isRedisConnectionError(err)) logger.warn({ err: err.message, queue: worker.name }, 'alerts: worker error');
    });
  }
  sendWorker.on('failed', (job, err) => {
    // Out of attempts (or stalled too often) for a reason the job could not record: so the broadcast can finish.
    if (!job || (job.attemptsMade < (job.opts.attempts ?? 1) && !/stalled/.test(err.message))) return;
    store.settle(job.data.alertId, pairOf(job.data), 'failed', clock.now(), { reason: 'worker_error' }).catch(() => 0);
    logger.warn({ alert: job.data.alertId, err: err.message }, 'alerts: send job failed');
  });
  fanoutWorker.on('failed', (job, err) =>
    logger.error({ alert: job?.data.alertId, err: err.message }, 'fan-out failed'),
  );
  await Promise.all([fanoutWorker.waitUntilReady(), sendWorker.waitUntilReady()]);

  // Tells publishers (CLI, console) that someone can send: without one, an alert says it is waiting.
  const senderId = `${sender.channel}:${randomBytes(6).toString('hex')}`;
  const beat = () =>
    store.heartbeat(senderId, HEARTBEAT_TTL_MS).catch((err: Error) => {
      logger.warn({ err: err.message }, 'alerts: heartbeat failed');
    });
  await beat();
  const heartbeat = setInterval(beat, HEARTBEAT_MS);
  heartbeat.unref();

  return {
    fanout: fanoutWorker,
    send: sendWorker,
    stats,
    async close() {
      clearInterval(heartbeat);
      closing = true;
      pacer.stop();
      await Promise.allSettled([fanoutWorker.close(), sendWorker.close()]);
      // The process is stopping: its replies noted so far reach Redis, its reply tokens are given back.
      await budget.close().catch(() => undefined);
      await store.heartbeat(senderId, null).catch(() => undefined);
      fanoutConnection.disconnect();
      marks.disconnect();
      sendConnection.disconnect();
    },
  };
}

/**
 * Enough sends in flight for the rate: each job waits for its slot up to the horizon (~20-120 ms), then a Bot API
 * round trip (~50-300 ms on the real network), then its bookkeeping: about half a second's worth of jobs.
 */
export function defaultConcurrency(ratePerSecond: number): number {
  return Math.max(16, Math.min(500, Math.ceil(ratePerSecond / 2)));
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

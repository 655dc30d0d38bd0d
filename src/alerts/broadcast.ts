// Publishing alerts: record the alert, then a BullMQ job fans it out at its send time into one job per person on the
// rate-limited send queue (see broadcast-worker.ts). The CLI and the staff console publish and follow progress here;
// the bot process runs the workers.
//
// Design, in short:
// - `alerts-fanout` (no limit) turns one alert into one `alerts-send` job per person, job id `<alert>@<pair>` where
//   the pair pseudonym is a keyed hash of (alert, chat) (pseudonym.ts): no chat id in job ids or job data, which show
//   in Bull Board and in the kept failed jobs. The audience is fixed in a Redis set first, so a fan-out re-run after
//   a crash enqueues the same people again under the same ids, and BullMQ ignores job ids it already holds.
// - `alerts-send` has a BullMQ limiter of ALERTS_RATE_PER_SECOND messages per second, counted in 200 ms windows.
//   Replies to people are not in this queue (the channel sends them at once), but they count against the same
//   limiter window (reply-priority.ts), so bulk sends yield to replies instead of competing with them.
// - A pair (alert, person) is claimed in Redis before sending and never sent twice (alert-store.ts).
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/keys.ts';
import type { Clock } from '../ports/clock.ts';
import type { Alert } from './alert-file.ts';
import { AlertStore } from './alert-store.ts';
import { type AudienceCount, countAudience } from './audience.ts';
import { AlertKeys, FANOUT_QUEUE, SEND_QUEUE } from './keys.ts';
import { SendPseudonyms } from './pseudonym.ts';

export { sendJobId } from './pseudonym.ts';

export type FanoutJob = { alertId: string };
/** `to`: the pair pseudonym; the chat is looked up in the alert's recipients hash when the job runs. */
export type SendJob = { alertId: string; to: string };

export type AlertBroadcastOptions = {
  /** KUNNAFONI_PSEUDONYM_SECRET: keys the pair pseudonyms (default: a development value). Never change it while
   * alerts are being sent, and give every process (bot, CLI) the same one. */
  pseudonymSecret?: string;
};

export type PublishResult =
  | { published: true; audience: AudienceCount; sendAt: number }
  | { published: false; reason: 'exists' };

/** The limiter counts messages in windows this long (see limiterWindow). */
export const LIMITER_WINDOW_MS = 200;

/**
 * The BullMQ limiter for a rate: `max` messages per `duration` ms, in short windows (e.g. 6 per 200 ms for 30/s)
 * rather than the whole second's budget at once. Telegram (and the loopback server) count with a token bucket:
 * small even bursts never drain it, so a little timing jitter between windows never turns into a 429.
 */
export function limiterWindow(ratePerSecond: number): { max: number; duration: number } {
  const max = Math.max(1, Math.floor((ratePerSecond * LIMITER_WINDOW_MS) / 1000));
  return { max, duration: Math.round((max * 1000) / ratePerSecond) };
}

/** The Redis key of the send queue's limiter counter (BullMQ: `<prefix>:<queue>:limiter`). */
export function sendLimiterKey(keys: RedisKeys): string {
  return `${keys.bull}:${SEND_QUEUE}:limiter`;
}

export function fanoutJobId(alertId: string): string {
  return `fanout@${alertId}`;
}

export class AlertBroadcast {
  readonly alertKeys: AlertKeys;
  readonly store: AlertStore;
  readonly fanoutQueue: Queue<FanoutJob>;
  readonly sendQueue: Queue<SendJob>;
  readonly pseudonyms: SendPseudonyms;
  private readonly connection: Redis;

  constructor(
    private readonly redis: Redis,
    readonly keys: RedisKeys,
    private readonly clock: Clock,
    options: AlertBroadcastOptions = {},
  ) {
    this.alertKeys = new AlertKeys(keys);
    this.pseudonyms = new SendPseudonyms(options.pseudonymSecret);
    this.store = new AlertStore(redis, this.alertKeys);
    // Our own connection for the queues (BullMQ never closes a connection it is given; close() does).
    this.connection = redis.duplicate({ maxRetriesPerRequest: null });
    const opts = { connection: this.connection, prefix: keys.bull };
    this.fanoutQueue = new Queue<FanoutJob>(FANOUT_QUEUE, opts);
    this.sendQueue = new Queue<SendJob>(SEND_QUEUE, opts);
    // Without a listener ioredis and BullMQ print raw stacks on stderr; Redis outages are logged by the bot's
    // outage log, and a queue's own failures surface in the calls that hit them.
    for (const emitter of [this.connection, this.fanoutQueue, this.sendQueue]) emitter.on('error', () => undefined);
  }

  /** Who the alert would reach now, by language. */
  preview(alert: Alert): Promise<AudienceCount> {
    return countAudience(this.redis, this.alertKeys, alertFilter(alert));
  }

  /** Records the alert and schedules its fan-out (now, or at `send_at`). An id can be published once. */
  async publish(alert: Alert): Promise<PublishResult> {
    const now = this.clock.now();
    const audience = await this.preview(alert);
    if (!(await this.store.create(alert, now, audience.total))) return { published: false, reason: 'exists' };
    const sendAt = Math.max(now, alert.sendAt ?? now);
    await this.fanoutQueue.add(
      'fanout',
      { alertId: alert.id },
      {
        jobId: fanoutJobId(alert.id),
        delay: sendAt - now,
        attempts: 10,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: { count: 100 },
      },
    );
    return { published: true, audience, sendAt };
  }

  report(id: string) {
    return this.store.report(id);
  }

  /** Workers connected to the send queue, in any process (BullMQ names their Redis connections); 0 if unknown. */
  async workerCount(): Promise<number> {
    try {
      return (await this.sendQueue.getWorkers()).length;
    } catch {
      // CLIENT LIST may be disabled on a managed Redis. A second sender is harmless anyway: claims and the limiter
      // live in Redis.
      return 0;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.fanoutQueue.close(), this.sendQueue.close()]);
    this.connection.disconnect();
  }
}

export function alertFilter(alert: Alert) {
  return { topics: alert.topics, regions: alert.regions, ...(alert.languages ? { languages: alert.languages } : {}) };
}

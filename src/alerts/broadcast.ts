// Publishing alerts: record the alert, then a BullMQ job fans it out at its send time into one job per person on the
// rate-limited send queue (see broadcast-worker.ts). The CLI and the staff console publish and follow progress here;
// the bot process runs the workers.
//
// Design, in short:
// - `alerts-fanout` (no limit) turns one alert into one `alerts-send` job per person, job id `<alert>@<pair>` where
//   the pair pseudonym is a keyed hash of (alert, chat) (pseudonym.ts): no chat id in job ids or job data, which show
//   in Bull Board and in the kept failed jobs. The audience is fixed in a Redis set first, so a fan-out re-run after
//   a crash enqueues the same people again under the same ids, and BullMQ ignores job ids it already holds.
// - `alerts-send` jobs take their send slots from the platform's budget (send-budget.ts), which replies to people
//   share and take first: together they keep ALERTS_RATE_PER_SECOND in every sliding second, paced evenly.
// - A pair (alert, person) is claimed with its slot, right before sending, and settled only once Telegram answered
//   (alert-store.ts): after a crash it is resent only if its request may have gone out unanswered, and counted so.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/keys.ts';
import type { Clock } from '../ports/clock.ts';
import type { Alert } from './alert-file.ts';
import { AlertStore } from './alert-store.ts';
import { type AudienceCount, countAudience } from './audience.ts';
import { AlertKeys, FANOUT_QUEUE, SEND_QUEUE } from './keys.ts';
import { SendPseudonyms } from './pseudonym.ts';

import type { FanoutJob, SendJob } from './types.ts';

export { sendJobId } from './pseudonym.ts';
export type { FanoutJob, SendJob };

export type AlertBroadcastOptions = {
  /** KUNNAFONI_PSEUDONYM_SECRET: keys the pair pseudonyms (default: a development value). Never change it while
   * alerts are being sent, and give every process (bot, CLI) the same one. */
  pseudonymSecret?: string;
};

export type PublishResult =
  | { published: true; audience: AudienceCount; sendAt: number }
  | { published: false; reason: 'exists' };

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

  /** Processes able to send alerts now (their workers run with a connected channel), from their heartbeats. */
  senderCount(): Promise<number> {
    return this.store.liveSenders();
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.fanoutQueue.close(), this.sendQueue.close()]);
    this.connection.disconnect();
  }
}

export function alertFilter(alert: Alert) {
  return { topics: alert.topics, regions: alert.regions, ...(alert.languages ? { languages: alert.languages } : {}) };
}

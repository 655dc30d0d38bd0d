// The BullMQ worker of the `referrals` queue: publishes new cases (idempotent, so a job re-run after a crash does
// nothing twice) and runs the scheduled deadline check and retention purge. Any number of processes may run it.
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/keys.ts';
import type { Logger } from '../infra/logger.ts';
import { isRedisConnectionError } from '../infra/redis-outage.ts';
import { REFERRAL_QUEUE } from './referral-keys.ts';
import { AnnouncementBusyError, type ReferralService } from './service.ts';

/**
 * A job held by a worker that died is back in the queue within lock + stall interval (6 s), so its case reaches
 * staff within 10 s. A live worker keeps its job: BullMQ renews the lock every half of its duration.
 */
export const REFERRAL_WORKER_TIMING = { lockDurationMs: 4_000, stalledIntervalMs: 2_000 } as const;

export type ReferralWorkerOptions = {
  concurrency?: number;
  /** How long a job stays locked to a worker that stopped answering (default 4 s, renewed while it works). */
  lockDurationMs?: number;
  /** How often workers look for jobs of dead workers (default 2 s). */
  stalledIntervalMs?: number;
  /** How often deadlines are checked (default 5 min); 0 disables the scheduled check. */
  deadlinesEveryMs?: number;
  /** How often the retention purge runs (default 1 h); 0 disables it. */
  retentionEveryMs?: number;
};

export type ReferralWorker = { worker: Worker; close(): Promise<void> };

export async function startReferralWorker(deps: {
  service: ReferralService;
  redis: Redis;
  keys: RedisKeys;
  options?: ReferralWorkerOptions;
  logger?: Logger;
}): Promise<ReferralWorker> {
  const { service, redis, keys, logger } = deps;
  const o = deps.options ?? {};

  const processor = async (job: Job): Promise<unknown> => {
    switch (job.name) {
      case 'dispatch':
        return service.dispatch(String((job.data as { caseNo?: unknown }).caseNo));
      case 'deadlines':
        return service.checkDeadlines();
      case 'retention':
        return service.purgeExpired();
      default:
        throw new Error(`unknown referral job "${job.name}"`);
    }
  };

  // Workers block on Redis and need a connection that retries forever; it is ours to close.
  const connection = redis.duplicate({ maxRetriesPerRequest: null });
  const worker = new Worker(REFERRAL_QUEUE, processor, {
    connection,
    prefix: keys.bull,
    concurrency: o.concurrency ?? 8,
    lockDuration: o.lockDurationMs ?? REFERRAL_WORKER_TIMING.lockDurationMs,
    stalledInterval: o.stalledIntervalMs ?? REFERRAL_WORKER_TIMING.stalledIntervalMs,
    // A job taken by a worker that died is given back; publishing is idempotent, so repeats are harmless.
    maxStalledCount: 100,
  });
  worker.on('failed', (job, err) => {
    const fields = { job: job?.name, jobId: job?.id, err: err.name };
    // Another worker announcing the same case is expected after a lost lock; the job simply comes back later.
    if (err instanceof AnnouncementBusyError) logger?.debug(fields, 'referral job will retry');
    else logger?.warn(fields, 'referral job failed');
  });
  // Redis being away is logged once by the bot's outage log (infra/redis-outage.ts), not by every connection.
  worker.on('error', (err) => {
    if (!isRedisConnectionError(err)) logger?.warn({ err: err.name }, 'referral worker error');
  });

  const deadlinesEvery = o.deadlinesEveryMs ?? 5 * 60_000;
  const retentionEvery = o.retentionEveryMs ?? 60 * 60_000;
  if (deadlinesEvery > 0) {
    await service.queue.upsertJobScheduler('referral-deadlines', { every: deadlinesEvery }, { name: 'deadlines' });
  }
  if (retentionEvery > 0) {
    await service.queue.upsertJobScheduler('referral-retention', { every: retentionEvery }, { name: 'retention' });
  }
  await worker.waitUntilReady();

  return {
    worker,
    async close() {
      await worker.close();
      connection.disconnect();
    },
  };
}

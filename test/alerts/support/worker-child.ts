// Alert workers in their own process, for the crash test: started with `node --import tsx`, killed with SIGKILL.
// Sends with grammY to the Bot API at KF_API_ROOT. Prints `ready` once its workers listen; SIGTERM closes them.
import { Api } from 'grammy';
import { Redis } from 'ioredis';
import { AlertBroadcast } from '../../../src/alerts/broadcast.ts';
import { startAlertWorkers } from '../../../src/alerts/broadcast-worker.ts';
import { type AlertSend, apiAlertSender, classifySendError } from '../../../src/alerts/sender.ts';
import { RedisSubscriptions } from '../../../src/alerts/subscriptions.ts';
import { RedisKeys } from '../../../src/infra/keys.ts';
import { silentLogger } from '../../../src/infra/logger.ts';
import { systemClock } from '../../../src/ports/clock.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const redis = new Redis(env('KF_REDIS_URL'), { maxRetriesPerRequest: null });
const keys = new RedisKeys(env('KF_PREFIX'));
const broadcast = new AlertBroadcast(redis, keys, systemClock);
const now = () => performance.timeOrigin + performance.now();

// KF_RECORD=1 (benchmark): when each send started, and when each 429 came back, as this process saw them; written
// to Redis (`<root>:bench:record`) on SIGTERM.
const record = process.env.KF_RECORD === '1' ? { starts: [] as number[], limited: [] as number[] } : null;
const apiSend = apiAlertSender(new Api(env('KF_TOKEN'), { apiRoot: env('KF_API_ROOT') }));
const send: AlertSend = record
  ? async (chatId, text) => {
      record.starts.push(now());
      try {
        await apiSend(chatId, text);
      } catch (error) {
        if (classifySendError(error).kind === 'rate_limited') record.limited.push(now());
        throw error;
      }
    }
  : apiSend;
const workers = await startAlertWorkers(
  {
    broadcast,
    redis,
    send,
    subscriptions: new RedisSubscriptions(redis, keys),
    clock: systemClock,
    logger: silentLogger(),
  },
  {
    ratePerSecond: Number(process.env.KF_RATE ?? 50),
    concurrency: Number(process.env.KF_CONCURRENCY ?? 1),
    lockDurationMs: Number(process.env.KF_LOCK_MS ?? 1000),
    stalledIntervalMs: Number(process.env.KF_STALLED_MS ?? 300),
  },
);
process.stdout.write('ready\n');

process.once('SIGTERM', async () => {
  await workers.close();
  if (record) await redis.set(`${keys.root}:bench:record`, JSON.stringify(record));
  await broadcast.close();
  redis.disconnect();
  process.exit(0);
});

// Alert workers in their own process, for the crash test: started with `node --import tsx`, killed with SIGKILL.
// Sends with grammY to the Bot API at KF_API_ROOT. Prints `ready` once its workers listen; SIGTERM closes them.
import { AlertBroadcast } from '../../../src/alerts/broadcast.ts';
import { startAlertWorkers } from '../../../src/alerts/broadcast-worker.ts';
import { RedisSubscriptions } from '../../../src/alerts/subscriptions.ts';
import { TelegramBulkSender } from '../../../src/channels/telegram/sender.ts';
import { RedisKeys } from '../../../src/infra/keys.ts';
import { silentLogger } from '../../../src/infra/logger.ts';
import { connectRedis } from '../../../src/infra/redis.ts';
import type { BulkSender } from '../../../src/ports/bulk-send.ts';
import { systemClock } from '../../../src/ports/clock.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

// The bot's own connection (src/main.ts): auto-pipelined, the same options.
const redis = connectRedis({ url: env('KF_REDIS_URL') });
const keys = new RedisKeys(env('KF_PREFIX'));
const broadcast = new AlertBroadcast(redis, keys, systemClock);
const now = () => performance.timeOrigin + performance.now();

// KF_RECORD=1 (benchmark): when each send started, and when each 429 came back, as this process saw them; written
// to Redis (`<root>:bench:record`) on SIGTERM.
const record = process.env.KF_RECORD === '1' ? { starts: [] as number[], limited: [] as number[] } : null;
const apiSender = new TelegramBulkSender({ token: env('KF_TOKEN'), apiRoot: env('KF_API_ROOT') });
const sender: BulkSender = record
  ? {
      channel: 'telegram',
      async send(chatId, text) {
        record.starts.push(now());
        const result = await apiSender.send(chatId, text);
        if (result.kind === 'rate_limited') record.limited.push(now());
        return result;
      },
    }
  : apiSender;
const workers = await startAlertWorkers(
  {
    broadcast,
    redis,
    sender,
    subscriptions: new RedisSubscriptions(redis, keys),
    clock: systemClock,
    logger: silentLogger(),
  },
  {
    ratePerSecond: Number(process.env.KF_RATE ?? 50),
    concurrency: Number(process.env.KF_CONCURRENCY ?? 1),
    // The production defaults unless a test asks otherwise: the crash test checks the resume time they give.
    ...(process.env.KF_LOCK_MS ? { lockDurationMs: Number(process.env.KF_LOCK_MS) } : {}),
    ...(process.env.KF_STALLED_MS ? { stalledIntervalMs: Number(process.env.KF_STALLED_MS) } : {}),
  },
);
process.stdout.write('ready\n');

process.once('SIGTERM', async () => {
  await workers.close();
  if (record) await redis.set(`${keys.root}:bench:record`, JSON.stringify({ ...record, stats: workers.stats }));
  await broadcast.close();
  redis.disconnect();
  process.exit(0);
});

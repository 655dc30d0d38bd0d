// Redis connections. BullMQ needs `maxRetriesPerRequest: null` on the connections it blocks on.
import { Redis, type RedisOptions } from 'ioredis';

export type RedisTarget = { url: string } | { path: string };

export function connectRedis(target: RedisTarget, options: RedisOptions = {}): Redis {
  const base: RedisOptions = { lazyConnect: false, enableAutoPipelining: true, ...options };
  return 'url' in target ? new Redis(target.url, base) : new Redis({ path: target.path, ...base });
}

/** Connection for BullMQ workers and queues. */
export function connectBullRedis(target: RedisTarget): Redis {
  return connectRedis(target, { maxRetriesPerRequest: null, enableAutoPipelining: false });
}

/** True when a Redis answers PING at the address within the timeout. */
export async function redisAnswers(target: RedisTarget, timeoutMs = 500): Promise<boolean> {
  const client = connectRedis(target, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

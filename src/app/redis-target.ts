// Which Redis to use (`npm start` and `kunnafoni chat` alike): Redis Sentinel when REDIS_SENTINELS is set; REDIS_URL
// when set; else the one on 127.0.0.1:6379 if it answers; else the private redis-server of a bot already running
// from this folder; else a private redis-server started now (see infra/private-redis.ts).

import path from 'node:path';
import { type PrivateRedis, startPrivateRedis } from '../infra/private-redis.ts';
import { parseSentinels, type RedisTarget, redisAnswers } from '../infra/redis.ts';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The Unix socket of the private redis-server (infra/private-redis.ts puts it there). */
export function privateRedisSocket(dataDir: string): string {
  return path.resolve(dataDir, 'redis', 'redis.sock');
}

export type RedisChoice = {
  url?: string;
  sentinels?: string;
  sentinelName?: string;
  password?: string;
  sentinelPassword?: string;
};

export async function chooseRedis(
  choice: RedisChoice,
  dataDir: string,
): Promise<{ target: RedisTarget; privateRedis: PrivateRedis | null; description: string }> {
  if (choice.sentinels) {
    const target: RedisTarget = {
      sentinels: parseSentinels(choice.sentinels),
      name: choice.sentinelName ?? 'kf',
      ...(choice.password ? { password: choice.password } : {}),
      ...(choice.sentinelPassword ? { sentinelPassword: choice.sentinelPassword } : {}),
    };
    return { target, privateRedis: null, description: 'REDIS_SENTINELS' };
  }
  const redisUrl = choice.url;
  if (redisUrl) return { target: { url: redisUrl }, privateRedis: null, description: 'REDIS_URL' };
  if (await redisAnswers({ url: DEFAULT_REDIS_URL })) {
    return { target: { url: DEFAULT_REDIS_URL }, privateRedis: null, description: '127.0.0.1:6379' };
  }
  // A bot (or terminal chat) started from this folder already runs its private redis-server: share it, never start
  // a second one on the same files.
  const socket = privateRedisSocket(dataDir);
  if (await redisAnswers({ path: socket })) {
    return { target: { path: socket }, privateRedis: null, description: `private redis-server (${dataDir})` };
  }
  const privateRedis = await startPrivateRedis(dataDir);
  return { target: { path: privateRedis.socket }, privateRedis, description: `private redis-server (${dataDir})` };
}

/** The Redis settings of the configuration, as `chooseRedis` takes them. */
export function redisChoiceOf(config: {
  REDIS_URL?: string | undefined;
  REDIS_SENTINELS?: string | undefined;
  REDIS_SENTINEL_NAME: string;
  REDIS_PASSWORD?: string | undefined;
  REDIS_SENTINEL_PASSWORD?: string | undefined;
}): RedisChoice {
  return {
    ...(config.REDIS_URL ? { url: config.REDIS_URL } : {}),
    ...(config.REDIS_SENTINELS ? { sentinels: config.REDIS_SENTINELS } : {}),
    sentinelName: config.REDIS_SENTINEL_NAME,
    ...(config.REDIS_PASSWORD ? { password: config.REDIS_PASSWORD } : {}),
    ...(config.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: config.REDIS_SENTINEL_PASSWORD } : {}),
  };
}

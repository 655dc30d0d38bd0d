// The Redis a running bot uses, for commands that work on its data (staff accounts, alerts): Sentinel or REDIS_URL
// when configured, else 127.0.0.1:6379, else the private redis-server of a bot started from this folder.
// Never starts one: data written where no bot reads it would be lost silently.
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import { connectRedis, type RedisTarget, redisAnswers } from '../infra/redis.ts';
import { chooseRedis, DEFAULT_REDIS_URL, privateRedisSocket, redisChoiceOf } from './redis-target.ts';

export async function connectBotRedis(config: Config, cwd: string): Promise<{ redis: Redis } | { missing: string }> {
  if (config.REDIS_SENTINELS || config.REDIS_URL) {
    const { target } = await chooseRedis(redisChoiceOf(config), path.resolve(cwd, config.KUNNAFONI_DATA_DIR));
    return { redis: open(target) };
  }
  const socket = privateRedisSocket(path.resolve(cwd, config.KUNNAFONI_DATA_DIR));
  for (const target of [{ url: DEFAULT_REDIS_URL }, { path: socket }] as RedisTarget[]) {
    if (await redisAnswers(target, 1000)) return { redis: open(target) };
  }
  return {
    missing: `no Redis answers on 127.0.0.1:6379 or ${socket}. Start the bot first (npm start), or set REDIS_URL.`,
  };
}

function open(target: RedisTarget): Redis {
  const redis = connectRedis(target, { maxRetriesPerRequest: 3 });
  redis.on('error', () => undefined);
  return redis;
}

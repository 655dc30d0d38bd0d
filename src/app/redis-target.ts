// Which Redis to use: REDIS_URL when set; else the one on 127.0.0.1:6379 if it answers; else a private
// redis-server started by the bot (see infra/private-redis.ts).
import { type PrivateRedis, startPrivateRedis } from '../infra/private-redis.ts';
import { type RedisTarget, redisAnswers } from '../infra/redis.ts';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export async function chooseRedis(
  redisUrl: string | undefined,
  dataDir: string,
): Promise<{ target: RedisTarget; privateRedis: PrivateRedis | null; description: string }> {
  if (redisUrl) return { target: { url: redisUrl }, privateRedis: null, description: 'REDIS_URL' };
  if (await redisAnswers({ url: DEFAULT_REDIS_URL })) {
    return { target: { url: DEFAULT_REDIS_URL }, privateRedis: null, description: '127.0.0.1:6379' };
  }
  const privateRedis = await startPrivateRedis(dataDir);
  return { target: { path: privateRedis.socket }, privateRedis, description: `private redis-server (${dataDir})` };
}

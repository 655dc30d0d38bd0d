// Real Redis for tests: the one on 127.0.0.1:6379 (or REDIS_URL), with a random key prefix per test so tests
// running at the same time never touch each other's keys. Only that prefix is ever deleted.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys } from '../../src/infra/keys.ts';

export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export type TestRedis = { redis: Redis; keys: RedisKeys; prefix: string; cleanup(): Promise<void> };

export async function testRedis(): Promise<TestRedis> {
  const prefix = `t-${randomBytes(6).toString('hex')}`;
  const keys = new RedisKeys(prefix);
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 3 });
  return {
    redis,
    keys,
    prefix,
    async cleanup() {
      await deleteKeys(redis, `${keys.root}*`);
      redis.disconnect();
    },
  };
}

export async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (found.length > 0) await redis.del(...found);
  } while (cursor !== '0');
}

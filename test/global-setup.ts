// Tests use a real Redis. When none answers on REDIS_URL or 127.0.0.1:6379, start a throw-away redis-server
// for this run (so `npm test` works on a fresh machine that has the redis-server package).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type PrivateRedis, startPrivateRedis } from '../src/infra/private-redis.ts';
import { redisAnswers } from '../src/infra/redis.ts';

let started: PrivateRedis | null = null;
let dir = '';

export async function setup(): Promise<void> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await redisAnswers({ url })) return;
  dir = await mkdtemp(path.join(tmpdir(), 'kf-test-redis-'));
  started = await startPrivateRedis(dir, { port: 6399 });
  process.env.REDIS_URL = 'redis://127.0.0.1:6399';
  console.log('test setup: no Redis answered, started one on 127.0.0.1:6399');
}

export async function teardown(): Promise<void> {
  await started?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MissingRedisServerError, type PrivateRedis, startPrivateRedis } from '../../src/infra/private-redis.ts';
import { connectRedis, redisAnswers } from '../../src/infra/redis.ts';

let dir = '';
let server: PrivateRedis | null = null;
afterEach(async () => {
  await server?.stop();
  server = null;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('private redis-server', () => {
  it('starts with AOF every second and no eviction, keeps its data in the data folder, and stops', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kf-redis-'));
    server = await startPrivateRedis(dir);
    const client = connectRedis({ path: server.socket });
    const config = Object.fromEntries(
      [
        await client.config('GET', 'appendonly'),
        await client.config('GET', 'appendfsync'),
        await client.config('GET', 'maxmemory-policy'),
        await client.config('GET', 'dir'),
      ].map((pair) => pair as string[]),
    );
    client.disconnect();
    expect(config.appendonly).toBe('yes');
    expect(config.appendfsync).toBe('everysec');
    expect(config['maxmemory-policy']).toBe('noeviction');
    expect(config.dir).toBe(path.join(dir, 'redis'));
    const socket = server.socket;
    await server.stop();
    server = null;
    expect(await redisAnswers({ path: socket }, 200)).toBe(false);
  });

  it('says how to get redis-server when there is none', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kf-redis-'));
    const savedPath = process.env.PATH;
    process.env.PATH = dir;
    try {
      await expect(startPrivateRedis(dir)).rejects.toThrow(MissingRedisServerError);
      await expect(startPrivateRedis(dir)).rejects.toThrow(
        /apt-get install redis-server.*brew install redis.*docker compose/,
      );
    } finally {
      process.env.PATH = savedPath;
    }
  });
});

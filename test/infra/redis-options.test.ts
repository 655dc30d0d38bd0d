// The bot's Redis connection: commands fail within the command timeout while Redis is gone (instead of waiting for
// it), the connection comes back by itself, and BullMQ workers built on duplicates of it can block quietly.
import { randomBytes } from 'node:crypto';
import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { Queue, Worker } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisKeys } from '../../src/infra/keys.ts';
import { COMMAND_TIMEOUT_MS, connectRedis, trackAvailability } from '../../src/infra/redis.ts';
import { PrivateRedis } from '../referrals/support/private-redis.ts';
import { deleteKeys, TEST_REDIS_URL } from '../support/redis.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('the bot’s Redis connection', () => {
  it('fails commands while Redis is down and recovers by itself when it is back', async () => {
    const server = await PrivateRedis.start();
    cleanups.push(() => server.stop());
    const redis = connectRedis({ url: server.url });
    redis.on('error', () => undefined);
    cleanups.push(() => redis.disconnect());
    const available = trackAvailability(redis);
    await redis.set('k', 'before');

    await server.kill();
    for (let i = 0; i < 200 && available(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(available()).toBe(false);
    // Each command is refused, none waits for Redis to come back.
    const outcomes = await Promise.allSettled([redis.get('k'), redis.set('k', 'during'), redis.incr('n')]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);

    await server.restart();
    for (let i = 0; i < 400 && !available(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(available()).toBe(true);
    expect(await redis.get('k')).toBe('before');
  });

  it('fails a command that Redis never answers (half-open connection) after the command timeout', async () => {
    // A relay to the real Redis that, once frozen, swallows what the bot writes: like a vanished container.
    let frozen = false;
    const sockets: Socket[] = [];
    const relay = createServer((client) => {
      const target = new URL(TEST_REDIS_URL);
      const upstream = tcpConnect(Number(target.port || 6379), target.hostname);
      sockets.push(client, upstream);
      client.on('data', (d) => void (frozen || upstream.write(d)));
      upstream.on('data', (d) => void (frozen || client.write(d)));
      client.on('error', () => undefined);
      upstream.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => relay.close(resolve)));
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
    });
    const address = relay.address() as { port: number };
    const redis = connectRedis({ url: `redis://127.0.0.1:${address.port}` });
    redis.on('error', () => undefined);
    cleanups.push(() => redis.disconnect());
    const key = `t-${randomBytes(6).toString('hex')}`;
    // Expires by itself: nothing goes through the relay after it froze.
    expect(await redis.set(key, 'before', 'EX', 30)).toBe('OK');

    frozen = true;
    const sent = Date.now();
    const outcomes = await Promise.allSettled([redis.get(key), redis.ttl(key)]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : o.value))).toEqual([
      'Error: Command timed out',
      'Error: Command timed out',
    ]);
    // Not before the timeout: a slow Redis is not taken for a dead one.
    expect(Date.now() - sent).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS);
  }, 20_000);

  it('lets a BullMQ worker on a duplicate block without command timeouts', async () => {
    const redis = connectRedis({ url: TEST_REDIS_URL });
    const keys = new RedisKeys(`t-${randomBytes(6).toString('hex')}`);
    cleanups.push(async () => {
      await deleteKeys(redis, `${keys.root}*`);
      redis.disconnect();
    });
    expect(redis.options.commandTimeout).toBe(COMMAND_TIMEOUT_MS);
    const connection = redis.duplicate({ maxRetriesPerRequest: null });
    cleanups.push(() => connection.disconnect());
    expect(connection.options.commandTimeout).toBeUndefined();

    const errors: string[] = [];
    const done: string[] = [];
    const worker = new Worker('idle', async (job) => void done.push(String(job.id)), {
      connection,
      prefix: keys.bull,
      drainDelay: 3,
    });
    worker.on('error', (err) => errors.push(err.message));
    cleanups.push(() => worker.close());
    await worker.waitUntilReady();
    // Idle for longer than the command timeout: the worker's blocking wait must not fail.
    await new Promise((r) => setTimeout(r, COMMAND_TIMEOUT_MS * 2 + 500));
    const queue = new Queue('idle', { connection: redis, prefix: keys.bull });
    cleanups.push(() => queue.close());
    await queue.add('job', {}, { jobId: 'after-idle' });
    for (let i = 0; i < 500 && done.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(done).toEqual(['after-idle']);
    expect(errors).toEqual([]);
  });
});

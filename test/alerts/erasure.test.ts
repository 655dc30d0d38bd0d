// A person's erasure removes them from alert broadcasts too: send jobs name a pair pseudonym (never the chat id),
// and erasing drops the person's pending send job, their place in the audience and the pseudonym -> chat lookup.
// Checked by reading every key of the test's prefix, BullMQ's included.
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatRef } from '../../src/ports/chat.ts';
import { type AlertsFixture, alertsFixture, anAlert, deliveries, subscribeMany } from './support/alerts.ts';

/** Every key under `pattern` whose name or content holds `needle`. */
async function keysHolding(redis: Redis, pattern: string, needle: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      const content =
        type === 'string'
          ? await redis.get(key)
          : type === 'hash'
            ? await redis.hgetall(key)
            : type === 'set'
              ? await redis.smembers(key)
              : type === 'zset'
                ? await redis.zrange(key, '0', '-1', 'WITHSCORES')
                : type === 'list'
                  ? await redis.lrange(key, 0, -1)
                  : type === 'stream'
                    ? await redis.xrange(key, '-', '+')
                    : null;
      if (key.includes(needle) || JSON.stringify(content).includes(needle)) found.push(key);
    }
  } while (cursor !== '0');
  return found;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('alerts and erasure', () => {
  let f: AlertsFixture;
  afterEach(async () => {
    await f.close();
  });

  it('send jobs never carry the chat id; erasing drops a send scheduled for later and leaves no trace', async () => {
    f = await alertsFixture();
    // A chat id that cannot appear by chance in a timestamp or a hash.
    const person: ChatRef = { channel: 'telegram', id: '987650004321' };
    await f.subscriptions.subscribe(person, ['urgent'], 'fr');
    const others = await subscribeMany(f.subscriptions, 3);
    // The person was just written to: their alert is scheduled a minute later (the per-chat gap), the others go now.
    await f.redis.set(f.broadcast.alertKeys.chatGap(f.keys.person(person)), '1', 'PX', 60_000);
    await f.startWorkers();
    const alert = anAlert();
    await f.broadcast.publish(alert);
    await until(async () => (await f.broadcast.report(alert.id))?.sent === 3, 'the 3 other sends');
    await until(async () => (await f.broadcast.sendQueue.getDelayedCount()) === 1, 'the delayed send');

    // Bull Board shows job ids and data: neither holds the chat id.
    const [delayed] = await f.broadcast.sendQueue.getDelayed();
    expect(delayed?.id).toMatch(new RegExp(`^${alert.id}@[A-Za-z0-9_-]{22}$`));
    expect(JSON.stringify(delayed?.data)).not.toContain(person.id);
    expect(await keysHolding(f.redis, `${f.keys.bull}*`, person.id)).toEqual([]);
    // No key or value of the alerts service holds the chat id either: the person is named by their pseudonym, and
    // their chat is kept only sealed. Before erasure the service knows them (subscription, audience, lookup).
    const pseudonym = f.keys.person(person);
    expect(await keysHolding(f.redis, `${f.keys.root}*`, person.id)).toEqual([]);
    expect((await keysHolding(f.redis, `${f.keys.root}*`, pseudonym)).length).toBeGreaterThan(0);

    await f.subscriptions.eraseFor(person);

    expect(await keysHolding(f.redis, `${f.keys.root}*`, pseudonym)).toEqual([]);
    expect(await keysHolding(f.redis, `${f.keys.root}*`, person.id)).toEqual([]);
    expect(await f.broadcast.sendQueue.getDelayedCount()).toBe(0);
    const report = await f.finished(alert.id);
    expect(report).toMatchObject({ total: 4, sent: 3, skipped: 1, pending: 0 });
    const sent = deliveries(f.server);
    expect(sent.get(person.id)).toBeUndefined();
    for (const chat of others) expect(sent.get(chat.id)).toEqual(['La frontière est fermée.']);
  });

  it('erasing while sends wait in the queue removes the waiting job; the others are sent once', async () => {
    f = await alertsFixture();
    const [person, ...others] = await subscribeMany(f.subscriptions, 4);
    // No worker takes a job while the queue is paused: every send waits.
    await f.broadcast.sendQueue.pause();
    await f.startWorkers();
    const alert = anAlert();
    await f.broadcast.publish(alert);
    await until(async () => (await f.broadcast.sendQueue.getWaitingCount()) === 4, 'the fan-out');
    expect(await keysHolding(f.redis, `${f.keys.bull}*`, person!.id)).toEqual([]);

    await f.subscriptions.eraseFor(person!);
    expect(await f.broadcast.sendQueue.getWaitingCount()).toBe(3);
    expect(await keysHolding(f.redis, `${f.keys.root}*`, f.keys.person(person!))).toEqual([]);

    await f.broadcast.sendQueue.resume();
    const report = await f.finished(alert.id);
    expect(report).toMatchObject({ total: 4, sent: 3, skipped: 1, pending: 0 });
    const sent = deliveries(f.server);
    expect(sent.get(person!.id)).toBeUndefined();
    for (const chat of others) expect(sent.get(chat.id)).toHaveLength(1);
  });
});

// The per-chat webhook queue on real Redis: order by update_id, one claim per update_id, and queues left behind by
// a process that died (its drain lock still held) taken up again by the sweep once the lock expires.
import type { Update } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookQueue } from '../../../src/channels/telegram/webhook-queue.ts';
import { devDataKeys, PersonalDataCipher } from '../../../src/infra/crypto.ts';
import { silentLogger } from '../../../src/infra/logger.ts';
import { textUpdate, withUpdateId } from '../../support/bot-api-server.ts';
import { type TestRedis, testRedis } from '../../support/redis.ts';

let r: TestRedis;
afterEach(async () => {
  await r?.cleanup();
});

function queueOn(redis: TestRedis, processed: string[], slowMs = 0): WebhookQueue {
  return new WebhookQueue({
    redis: redis.redis,
    keys: redis.keys,
    logger: silentLogger(),
    chatOf: (u) => String(u.message?.chat.id),
    process: async (u) => {
      await new Promise((resolve) => setTimeout(resolve, slowMs));
      processed.push(`${u.message?.chat.id}:${u.message?.text}`);
    },
  });
}

const update = (chat: number, text: string, id: number): Update => withUpdateId(textUpdate(chat, text), id);

describe('webhook queue', () => {
  it('processes one chat in update order across two queues, each update once', async () => {
    r = await testRedis();
    const processed: string[] = [];
    const a = queueOn(r, processed, 5);
    const b = queueOn(r, processed, 5);
    const results = [];
    for (let i = 0; i < 20; i++) {
      const u = update(1, `m${i}`, 100 + i);
      results.push(await (i % 2 ? a : b).accept(u));
      if (i % 5 === 0) results.push(await (i % 2 ? b : a).accept(u)); // delivered twice
    }
    await Promise.all([a.stop(), b.stop()]);
    expect(results.filter((x) => x === 'duplicate')).toHaveLength(4);
    expect(processed).toEqual(Array.from({ length: 20 }, (_, i) => `1:m${i}`));
  });

  it('takes up a queue whose drainer died, once its lock has expired', async () => {
    r = await testRedis();
    const processed: string[] = [];
    const q = queueOn(r, processed);
    // A process died while draining chat 2: its lock is still there.
    const drainKey = r.keys.key('tg', 'drain', r.keys.person({ channel: 'telegram', id: '2' }));
    await r.redis.set(drainKey, 'dead-process', 'PX', 60_000);
    expect(await q.accept(update(2, 'waiting', 1))).toBe('queued');
    await q.sweep(0);
    expect(processed).toEqual([]);
    await r.redis.del(drainKey); // the lock expires
    await q.sweep(0);
    await q.stop();
    expect(processed).toEqual(['2:waiting']);
    expect(await r.redis.keys(`${r.keys.root}:tg:queue:*`)).toEqual([]);
  });

  it('processes an update again when its process died in the middle of it, and names no chat in Redis', async () => {
    r = await testRedis();
    // The dying process: its own connection, and it never finishes the update it took.
    const dyingRedis = r.redis.duplicate();
    let taken!: () => void;
    const tookIt = new Promise<void>((resolve) => {
      taken = resolve;
    });
    const cipher = new PersonalDataCipher(devDataKeys('webhook-queue'));
    const dying = new WebhookQueue({
      redis: dyingRedis,
      keys: r.keys,
      logger: silentLogger(),
      cipher,
      chatOf: (u) => String(u.message?.chat.id),
      process: () => {
        taken();
        return new Promise(() => {});
      },
    });
    expect(await dying.accept(update(22376001, 'Awa, je suis à Gao', 7))).toBe('queued');
    expect(await dying.accept(update(22376001, 'second', 8))).toBe('queued');
    await tookIt;
    // While it is held: nothing in Redis names the chat or shows the text.
    for (const key of await r.redis.keys(`${r.keys.root}*`)) {
      expect(key).not.toContain('22376001');
      const type = await r.redis.type(key);
      const values =
        type === 'zset' ? await r.redis.zrange(key, '0', '-1') : type === 'string' ? [await r.redis.get(key)] : [];
      for (const value of values) expect(value).not.toMatch(/22376001|Awa/);
    }
    // SIGKILL: the connection is gone, the lock is no longer renewed.
    dyingRedis.disconnect();

    const processed: string[] = [];
    const rescuer = new WebhookQueue({
      redis: r.redis,
      keys: r.keys,
      logger: silentLogger(),
      cipher,
      chatOf: (u) => String(u.message?.chat.id),
      process: async (u) => {
        processed.push(String(u.message?.text));
      },
    });
    // Telegram repeating the update changes nothing: it was stored.
    expect(await rescuer.accept(update(22376001, 'Awa, je suis à Gao', 7))).toBe('duplicate');
    const started = Date.now();
    while (processed.length < 2 && Date.now() - started < 20_000) await rescuer.sweep(0);
    await rescuer.stop();
    expect(processed).toEqual(['Awa, je suis à Gao', 'second']);
    expect(await r.redis.keys(`${r.keys.root}:tg:queue:*`)).toEqual([]);
  });
});

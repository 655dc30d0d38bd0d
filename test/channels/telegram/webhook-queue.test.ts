// The per-chat webhook queue on real Redis: order by update_id, one claim per update_id, and queues left behind by
// a process that died (its drain lock still held) taken up again by the sweep once the lock expires.
import type { Update } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookQueue } from '../../../src/channels/telegram/webhook-queue.ts';
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
    await r.redis.set(r.keys.key('tg', 'drain', '2'), 'dead-process', 'PX', 60_000);
    expect(await q.accept(update(2, 'waiting', 1))).toBe('queued');
    await q.sweep(0);
    expect(processed).toEqual([]);
    await r.redis.del(r.keys.key('tg', 'drain', '2')); // the lock expires
    await q.sweep(0);
    await q.stop();
    expect(processed).toEqual(['2:waiting']);
    expect(await r.redis.exists(r.keys.key('tg', 'queue', '2'))).toBe(0);
  });
});

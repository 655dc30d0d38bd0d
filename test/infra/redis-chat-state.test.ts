// The chat's lock and session together (RedisChatState): what the runtime relies on from the separate lock and
// store still holds — one holder at a time across processes, the session read under the lock, compare-and-set
// saves, sealed values at rest.
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { newSession } from '../../src/engine/types.ts';
import { devDataKeys, PersonalDataCipher } from '../../src/infra/crypto.ts';
import { RedisChatState } from '../../src/infra/redis-chat-state.ts';
import { RedisSessionStore } from '../../src/infra/redis-session-store.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';

const chat: ChatRef = { channel: 'telegram', id: '4242' };
let r: TestRedis | undefined;

afterEach(async () => {
  await r?.cleanup();
  r = undefined;
});

function stateOn(t: TestRedis): { state: RedisChatState; sessions: RedisSessionStore } {
  const sessions = new RedisSessionStore(t.redis, t.keys, new PersonalDataCipher(devDataKeys('tests')), 60_000);
  return { state: new RedisChatState(t.redis, t.keys, sessions), sessions };
}

describe('RedisChatState', () => {
  it('lets one holder at a time work on a chat, also across two processes, and releases after each', async () => {
    r = await testRedis();
    // Two instances on two connections stand for two bot processes.
    const other = await testRedis();
    try {
      const a = stateOn(r).state;
      const b = stateOn({ ...other, keys: r.keys }).state;
      let active = 0;
      let max = 0;
      const order: number[] = [];
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 === 0 ? a : b).withLock(chat, async () => {
            active++;
            max = Math.max(max, active);
            await new Promise((resolve) => setTimeout(resolve, 3));
            order.push(i);
            active--;
          }),
        ),
      );
      expect(max).toBe(1);
      expect(order).toHaveLength(10);
      // Within each process, in arrival order.
      for (const parity of [0, 1]) {
        const mine = order.filter((i) => i % 2 === parity);
        expect(mine).toEqual([...mine].sort((x, y) => x - y));
      }
      // Every release reached Redis: the chat is free again.
      await r.redis.ping();
      expect(await r.redis.exists(r.keys.lock(chat))).toBe(0);
    } finally {
      other.redis.disconnect();
    }
  });

  it('reads the session as it was when the lock was taken, then re-reads after a conflicting save', async () => {
    r = await testRedis();
    const { state, sessions } = stateOn(r);
    expect(await state.withLock(chat, () => state.load(chat))).toBeNull();
    expect(await sessions.save(chat, { ...newSession(), lang: 'fr' }, 0)).toBe(true);

    const seen = await state.withLock(chat, async () => {
      const first = await state.load(chat);
      // Another process bypassing the lock (or after it expired) saves meanwhile: our save is refused.
      await sessions.save(chat, { ...first!.session, lang: 'en' }, first!.rev);
      const refused = await state.save(chat, { ...first!.session, lang: 'bm' }, first!.rev);
      const again = await state.load(chat);
      return { first, refused, again };
    });
    expect(seen.first?.session.lang).toBe('fr');
    expect(seen.refused).toBe(false);
    expect(seen.again?.session.lang).toBe('en');
    expect(seen.again?.rev).toBe(2);
  });

  it('keeps sessions sealed at rest and erases them', async () => {
    r = await testRedis();
    const { state } = stateOn(r);
    await state.withLock(chat, () => state.save(chat, { ...newSession(), lang: 'bm', vars: { name: 'Awa' } }, 0));
    const raw = (await r.redis.get(r.keys.session(chat)))!;
    expect(raw).not.toContain('Awa');
    expect((await state.withLock(chat, () => state.load(chat)))?.session.vars.name).toBe('Awa');
    await state.withLock(chat, () => state.erase(chat));
    expect(await state.withLock(chat, () => state.load(chat))).toBeNull();
  });

  it('waits for a lock held by someone else and takes it once that holder releases it', async () => {
    r = await testRedis();
    const { state } = stateOn(r);
    await r.redis.set(r.keys.lock(chat), 'someone-else', 'PX', 10_000);
    let ran = false;
    const work = state.withLock(chat, async () => {
      ran = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(ran).toBe(false);
    await r.redis.del(r.keys.lock(chat));
    await work;
    expect(ran).toBe(true);
  });

  it('fails the work cleanly while Redis is unreachable (the runtime then answers without the session)', async () => {
    r = await testRedis();
    // Nothing listens on port 1; without the offline queue every command fails at once.
    const down = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null });
    down.on('error', () => undefined);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const { state } = stateOn({ ...r, redis: down });
      let ran = false;
      await expect(
        state.withLock(chat, async () => {
          ran = true;
        }),
      ).rejects.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(ran).toBe(false);
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      down.disconnect();
    }
  });
});

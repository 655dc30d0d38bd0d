// The runtime on a real Redis: ordering, mutual exclusion across processes, compare-and-set, TTL, encryption.
import { afterEach, describe, expect, it } from 'vitest';
import { newSession, type Session } from '../../src/engine/types.ts';
import { silentLogger } from '../../src/infra/logger.ts';
import { RedisChatLock } from '../../src/infra/redis-chat-lock.ts';
import { RedisSessionStore } from '../../src/infra/redis-session-store.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import type { OutMessage } from '../../src/ports/out-message.ts';
import type { SessionStore } from '../../src/ports/session-store.ts';
import { createRuntime } from '../../src/runtime/runtime.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const chat: ChatRef = { channel: 'console', id: 'person-1' };
const text = (t: string) => ({ kind: 'text' as const, text: t });
const allText = (messages: OutMessage[]) => messages.flatMap((m) => [m.title ?? '', ...m.paragraphs]).join('\n');

let app: TestApp;
afterEach(async () => {
  await app?.close();
});

/** A store that counts how many chats are between load and save at once. */
function countingStore(inner: SessionStore, counter: { active: number; max: number }): SessionStore {
  return {
    async load(c) {
      counter.active += 1;
      counter.max = Math.max(counter.max, counter.active);
      await new Promise((r) => setTimeout(r, 2));
      return inner.load(c);
    },
    async save(c, s, rev) {
      counter.active -= 1;
      return inner.save(c, s, rev);
    },
    erase: (c) => {
      counter.active -= 1;
      return inner.erase(c);
    },
  };
}

describe('runtime', () => {
  it('processes one chat’s inputs in arrival order, never two at once, also across two processes', async () => {
    app = await createTestApp();
    await app.runtime.handle(chat, { kind: 'start' });
    await app.runtime.handle(chat, text('1'));
    const counter = { active: 0, max: 0 };
    // Two runtimes on the same Redis stand for two bot processes.
    const processes = [0, 1].map(() =>
      createRuntime({
        flows: app.bundle.flows,
        catalog: app.bundle.catalog,
        presenter: app.bundle.presenter,
        store: countingStore(app.store, counter),
        lock: new RedisChatLock(app.redis, app.keys),
        clock: { now: () => Date.now() },
        logger: silentLogger(),
      }),
    );
    // "menu" re-asks the menu: every input bumps the question version by one.
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) => processes[i % 2]!.handle(chat, text('menu'))),
    );
    expect(counter.max).toBe(1);
    const versions = replies.map((r) => r.at(-1)?.version ?? -1);
    expect(new Set(versions).size).toBe(12);
    // Within each process, later inputs got later versions.
    for (const p of [0, 1]) {
      const mine = versions.filter((_, i) => i % 2 === p);
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
  });

  it('retries a step when another process saved the session meanwhile, and loses nothing', async () => {
    app = await createTestApp();
    await app.runtime.handle(chat, { kind: 'start' });
    await app.runtime.handle(chat, text('1'));
    let interfered = false;
    const meddling: SessionStore = {
      load: (c) => app.store.load(c),
      erase: (c) => app.store.erase(c),
      async save(c, s, rev) {
        if (!interfered) {
          interfered = true;
          // Someone else changes the language in between our load and our save.
          const current = (await app.store.load(c))!;
          await app.store.save(c, { ...current.session, lang: 'en' }, current.rev);
        }
        return app.store.save(c, s, rev);
      },
    };
    const runtime = createRuntime({
      flows: app.bundle.flows,
      catalog: app.bundle.catalog,
      presenter: app.bundle.presenter,
      store: meddling,
      lock: new RedisChatLock(app.redis, app.keys),
      clock: { now: () => Date.now() },
      logger: silentLogger(),
    });
    const reply = await runtime.handle(chat, text('7'));
    const stored = (await app.store.load(chat))!;
    expect(stored.session.node).toBe('start');
    expect(stored.session.flow).toBe('my-data');
    // The retry ran on the fresh state: the other process's change is kept, and the reply is in English.
    expect(stored.session.lang).toBe('en');
    expect(allText(reply)).toContain('I keep: your language');
  });

  it('restarts politely when the session has expired', async () => {
    app = await createTestApp({ sessionTtlMs: 60_000 });
    await app.runtime.handle(chat, { kind: 'start' });
    await app.runtime.handle(chat, text('1'));
    const key = app.keys.session(chat);
    const ttl = await app.redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await app.redis.pexpire(key, 1);
    await new Promise((r) => setTimeout(r, 20));
    const reply = await app.runtime.handle(chat, text('2'));
    expect(allText(reply)).toContain('Ta conversation précédente est terminée');
    expect(reply.at(-1)?.choices?.map((c) => c.id)).toEqual(['fr', 'en', 'bm']);
  });

  it('goes back to the menu with an apology when the saved node no longer exists', async () => {
    app = await createTestApp();
    const broken: Session = { ...newSession(), lang: 'fr', flow: 'referral', node: 'old-step', askVersion: 3 };
    expect(await app.store.save(chat, broken, 0)).toBe(true);
    const reply = await app.runtime.handle(chat, text('1'));
    expect(allText(reply)).toContain('le service a été mis à jour');
    expect(reply.at(-1)?.choices?.[0]?.label).toBe('Connaître mes droits');
  });

  it('keeps sessions encrypted in Redis and erases them on request', async () => {
    app = await createTestApp();
    await app.runtime.handle(chat, { kind: 'start' });
    await app.runtime.handle(chat, text('1'));
    await app.runtime.handle(chat, text('2'));
    await app.runtime.handle(chat, text('Mon patron Ibrahim garde mon passeport'));
    const raw = (await app.redis.get(app.keys.session(chat)))!;
    expect(raw).toMatch(/^\d+\|k1\./);
    expect(raw).not.toContain('Ibrahim');
    expect(raw).not.toContain('"lang"');
    const erased = await app.runtime.handle(chat, text('EFFACER'));
    expect(allText(erased)).toContain('Effacer tout ce qui te concerne');
    await app.runtime.handle(chat, text('1'));
    expect(await app.redis.exists(app.keys.session(chat))).toBe(0);
  });

  it('answers in the platform language guess before the person chooses', async () => {
    app = await createTestApp();
    const reply = await app.runtime.handle(
      { channel: 'telegram', id: '42' },
      { kind: 'start' },
      { platformLang: 'en-GB' },
    );
    expect(allText(reply)).toContain('Hello! I am Kunnafoni.');
  });

  it('tells the person to try again later when Redis cannot be reached, without throwing', async () => {
    app = await createTestApp();
    const failing = new RedisSessionStore(app.redis, app.keys, app.cipher, 1000);
    failing.load = async () => {
      throw new Error('Connection is closed.');
    };
    const runtime = createRuntime({
      flows: app.bundle.flows,
      catalog: app.bundle.catalog,
      presenter: app.bundle.presenter,
      store: failing,
      lock: new RedisChatLock(app.redis, app.keys),
      clock: { now: () => Date.now() },
      logger: silentLogger(),
    });
    const reply = await runtime.handle(chat, text('bonjour'));
    expect(allText(reply)).toContain('Réessaie dans quelques minutes');
  });
});

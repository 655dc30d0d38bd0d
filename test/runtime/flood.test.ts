// Anti-flood: 20 messages a minute per person, then one polite notice, then deliberate silence for the window.
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_TEXT_LENGTH } from '../../src/engine/step.ts';
import { MemoryFloodGate, RedisFloodGate } from '../../src/infra/flood-gate.ts';
import { silentLogger } from '../../src/infra/logger.ts';
import { RedisChatLock } from '../../src/infra/redis-chat-lock.ts';
import { RedisChatState } from '../../src/infra/redis-chat-state.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import type { OutMessage } from '../../src/ports/out-message.ts';
import { createRuntime } from '../../src/runtime/runtime.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

const allText = (messages: OutMessage[]) =>
  messages
    .flatMap((m) => [m.title ?? '', ...m.paragraphs])
    .filter(Boolean)
    .join('\n');
const text = (t: string) => ({ kind: 'text' as const, text: t });

let app: TestApp;
afterEach(async () => {
  await app?.close();
  app = undefined as unknown as TestApp;
});

// The bot counts in the chat state's first round trip (with the lock); tools pairing a lock and a session store
// count through the gate itself: the same limit either way.
const STATES = ['chat state', 'lock + session store'] as const;

async function floodedRuntime(
  limit = { maxPerWindow: 20, windowMs: 60_000 },
  kind: (typeof STATES)[number] = 'chat state',
) {
  app = await createTestApp();
  return createRuntime({
    flows: app.bundle.flows,
    catalog: app.bundle.catalog,
    presenter: app.bundle.presenter,
    ...(kind === 'chat state'
      ? { state: new RedisChatState(app.redis, app.keys, app.cipher, { sessionTtlMs: 86_400_000 }) }
      : { store: app.store, lock: new RedisChatLock(app.redis, app.keys) }),
    clock: { now: () => Date.now() },
    logger: silentLogger(),
    flood: new RedisFloodGate(app.redis, app.keys, limit),
  });
}

describe.each(STATES)('anti-flood (%s)', (kind) => {
  const runtimeFor = (limit?: { maxPerWindow: number; windowMs: number }) => floodedRuntime(limit, kind);

  it('answers 20 messages a minute, says once that it is too many, then ignores the rest of the window', async () => {
    const runtime = await runtimeFor();
    const person: ChatRef = { channel: 'whatsapp', id: 'flooder@c.us' };
    const replies: OutMessage[][] = [];
    replies.push(await runtime.handle(person, { kind: 'start' }));
    replies.push(await runtime.handle(person, text('1')));
    for (let i = 0; i < 28; i++) replies.push(await runtime.handle(person, text('menu')));
    // The first 20 are answered as usual.
    for (const reply of replies.slice(0, 20)) {
      expect(reply.length).toBeGreaterThan(0);
      expect(allText(reply)).not.toContain('beaucoup de messages');
    }
    expect(allText(replies[20]!)).toBe('Tu envoies beaucoup de messages. Attends une minute, puis réessaie.');
    for (const reply of replies.slice(21)) expect(reply).toEqual([]);

    // Someone else is not affected.
    const other = await runtime.handle({ channel: 'whatsapp', id: 'calm@c.us' }, { kind: 'start' });
    expect(allText(other)).toContain('Choisis ta langue');

    // When the window ends, the person is answered again, where the conversation was.
    const floodKey = app.keys.key('flood', app.keys.person(person));
    expect(floodKey).not.toContain('flooder');
    await app.redis.pexpire(floodKey, 1);
    await new Promise((r) => setTimeout(r, 20));
    const after = await runtime.handle(person, text('menu'));
    expect(after.at(-1)?.choices?.[0]?.label).toBe('Connaître mes droits');
  });

  it('gives the notice in the person’s language and counts button presses too', async () => {
    const runtime = await runtimeFor({ maxPerWindow: 3, windowMs: 60_000 });
    const person: ChatRef = { channel: 'telegram', id: '4242' };
    await runtime.handle(person, { kind: 'start' }, { platformLang: 'en' });
    const menu = await runtime.handle(person, text('2'));
    const version = menu.at(-1)!.version!;
    await runtime.handle(person, { kind: 'choice', id: 'rights', version });
    expect(allText(await runtime.handle(person, { kind: 'choice', id: 'rights', version }))).toBe(
      'You are sending many messages. Wait a minute, then try again.',
    );
    expect(await runtime.handle(person, text('hello'))).toEqual([]);
  });

  it('keeps counting in memory when Redis cannot be used', async () => {
    let t = 0;
    const gate = new MemoryFloodGate({ maxPerWindow: 2, windowMs: 1000 }, () => t);
    const person: ChatRef = { channel: 'console', id: 'x' };
    const verdicts = [];
    for (let i = 0; i < 5; i++) verdicts.push(await gate.check(person));
    expect(verdicts).toEqual(['ok', 'ok', 'warn', 'drop', 'drop']);
    t = 1000;
    expect(await gate.check(person)).toBe('ok');
  });

  it('cuts an absurdly long message before the engine, which says it is too long', async () => {
    const runtime = await runtimeFor();
    const person: ChatRef = { channel: 'whatsapp', id: 'long@c.us' };
    await runtime.handle(person, { kind: 'start' });
    await runtime.handle(person, text('1'));
    const reply = await runtime.handle(person, text('é'.repeat(200_000)));
    expect(allText(reply)).toContain(`plus de ${MAX_TEXT_LENGTH} signes`);
  });
});

// A session this process committed is taken as is when the very value it stored is loaded again (no opening, no
// parsing: issue 17.7), and only then: whatever else is stored there is read, and decrypted sessions do not stay
// in memory for long.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newSession, type Session } from '../../src/engine/types.ts';
import { CommittedSessions } from '../../src/infra/committed-sessions.ts';
import { devDataKeys, PersonalDataCipher } from '../../src/infra/crypto.ts';
import { RedisChatState } from '../../src/infra/redis-chat-state.ts';
import { encodeSession } from '../../src/infra/session-codec.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';

const chat: ChatRef = { channel: 'telegram', id: '5151' };
const cipher = new PersonalDataCipher(devDataKeys('committed'));
const withLang = (lang: 'fr' | 'en' | 'bm'): Session => ({ ...newSession(), lang });

let r: TestRedis | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await r?.cleanup();
  r = undefined;
});

describe('sessions committed by this process', () => {
  it('reads what is stored when it is not what this process committed, at the same revision too', async () => {
    r = await testRedis();
    const state = new RedisChatState(r.redis, r.keys, cipher, { sessionTtlMs: 60_000 });
    await state.transact(chat, (turn) => turn.commit({ session: withLang('fr') }));
    expect(await state.transact(chat, async (turn) => turn.snapshot.session?.lang)).toBe('fr');
    // Written behind this process's back (a restore, another writer) at the revision it committed.
    const key = r.keys.session(chat);
    await r.redis.set(key, encodeSession(cipher, key, withLang('bm'), 1));
    const seen = await state.transact(chat, async (turn) => turn.snapshot);
    expect(seen.session?.lang).toBe('bm');
    expect(seen.rev).toBe(1);
    // Erased: nothing comes back from memory.
    await state.transact(chat, (turn) => turn.commit({ session: null }));
    expect(await state.transact(chat, async (turn) => turn.snapshot)).toEqual({ session: null, rev: 0, journal: null });
  });

  it('gives back the committed session only for the exact value stored, and forgets it within ten minutes', () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    const committed = new CommittedSessions();
    const fr = withLang('fr');
    committed.remember('s:1', '3|k1.dev.a', fr);
    expect(committed.find('s:1', '3|k1.dev.a')).toBe(fr);
    expect(committed.find('s:1', '3|k1.dev.b')).toBeUndefined();
    expect(committed.find('s:2', '3|k1.dev.a')).toBeUndefined();
    vi.advanceTimersByTime(6 * 60_000);
    expect(committed.find('s:1', '3|k1.dev.a')).toBe(fr);
    vi.advanceTimersByTime(5 * 60_000);
    expect(committed.find('s:1', '3|k1.dev.a')).toBeUndefined();
    committed.remember('s:1', '4|k1.dev.c', fr);
    committed.forget('s:1');
    expect(committed.find('s:1', '4|k1.dev.c')).toBeUndefined();
  });
});

// Sessions in Redis without a lock (tests and tools that pair it with a ChatLock). The bot itself uses
// RedisChatState, which stores sessions the same way (session-codec.ts) and adds the lock and the journal.
import type { Redis } from 'ioredis';
import type { Session } from '../engine/types.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { SessionStore, StoredSession } from '../ports/session-store.ts';
import { SAVE_IF_REV } from './chat-scripts.ts';
import type { PersonalDataCipher } from './crypto.ts';
import type { RedisKeys } from './keys.ts';
import { runLua } from './lua.ts';
import { decodeSession, encodeSession } from './session-codec.ts';

export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly cipher: PersonalDataCipher,
    private readonly ttlMs: number,
  ) {}

  async load(chat: ChatRef): Promise<StoredSession | null> {
    const key = this.keys.session(chat);
    const { session, rev } = decodeSession(this.cipher, key, await this.redis.get(key));
    return session ? { session, rev } : null;
  }

  async save(chat: ChatRef, session: Session, rev: number): Promise<boolean> {
    const key = this.keys.session(chat);
    const value = encodeSession(this.cipher, key, session, rev + 1);
    return (await runLua(this.redis, SAVE_IF_REV, { session: key }, { rev, value, ttlMs: this.ttlMs })) === 1;
  }

  async erase(chat: ChatRef): Promise<void> {
    await this.redis.del(this.keys.session(chat));
  }
}

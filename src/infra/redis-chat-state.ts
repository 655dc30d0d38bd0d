// A chat's lock and its session together, so one input waits on two Redis round trips where the separate
// RedisChatLock + RedisSessionStore wait on four (lock, load, save, release):
// - the lock's SET NX and the session's GET are sent together: on one connection Redis runs them in order, so once
//   the SET has taken the lock the GET read the session under it, and the runtime's first `load` under that lock
//   is answered from it (a lock that was not taken throws the read away and waits, as before);
// - the release is written to the connection at once but not waited for: this process's next command for the
//   chat (the next lock attempt included) runs after it, and a failed release expires with the lock's TTL.
// Same guarantees as the separate pair: a token lock that only its holder releases and that expires if the holder
// dies, a FIFO per chat within the process, compare-and-set saves, sealed sessions. Pass it as both `lock` and
// `store` of the runtime.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Session } from '../engine/types.ts';
import { type ChatRef, chatKey } from '../ports/chat.ts';
import type { ChatLock } from '../ports/chat-lock.ts';
import type { SessionStore, StoredSession } from '../ports/session-store.ts';
import type { RedisKeys } from './keys.ts';
import { LocalChatQueue } from './redis-chat-lock.ts';
import type { RedisSessionStore } from './redis-session-store.ts';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

type Scripted = Redis & {
  kfReleaseChatLock(key: string, token: string): Promise<number>;
};

export class RedisChatState implements ChatLock, SessionStore {
  private readonly local = new LocalChatQueue();
  private readonly scripted: Scripted;
  /** Sessions read while taking a chat's lock, for the first `load` under that lock (chat key -> stored value). */
  private readonly loadedWithLock = new Map<string, string | null>();

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    private readonly sessions: RedisSessionStore,
    private readonly options: { ttlMs: number; waitMs: number } = { ttlMs: 15_000, waitMs: 20_000 },
  ) {
    if (!('kfReleaseChatLock' in redis)) redis.defineCommand('kfReleaseChatLock', { numberOfKeys: 1, lua: RELEASE });
    this.scripted = redis as Scripted;
  }

  withLock<T>(chat: ChatRef, work: () => Promise<T>): Promise<T> {
    return this.local.withLock(chat, async () => {
      const id = chatKey(chat);
      const lockKey = this.keys.lock(chat);
      const token = randomUUID();
      this.loadedWithLock.set(id, await this.acquire(chat, lockKey, token));
      try {
        return await work();
      } finally {
        this.loadedWithLock.delete(id);
        // Not awaited (see the top): nothing waits on it, and a failed release expires with the lock's TTL.
        this.scripted.kfReleaseChatLock(lockKey, token).catch(() => undefined);
      }
    });
  }

  async load(chat: ChatRef): Promise<StoredSession | null> {
    const id = chatKey(chat);
    if (this.loadedWithLock.has(id)) {
      const raw = this.loadedWithLock.get(id) ?? null;
      // Only once: a retry after a conflicting save reads the fresh value.
      this.loadedWithLock.delete(id);
      return this.sessions.decode(chat, raw);
    }
    return this.sessions.load(chat);
  }

  save(chat: ChatRef, session: Session, rev: number): Promise<boolean> {
    this.loadedWithLock.delete(chatKey(chat));
    return this.sessions.save(chat, session, rev);
  }

  erase(chat: ChatRef): Promise<void> {
    this.loadedWithLock.delete(chatKey(chat));
    return this.sessions.erase(chat);
  }

  /** Takes the lock (waiting while another holder has it) and returns the session stored at that moment. */
  private async acquire(chat: ChatRef, lockKey: string, token: string): Promise<string | null> {
    const sessionKey = this.keys.session(chat);
    const deadline = Date.now() + this.options.waitMs;
    let pause = 2;
    for (;;) {
      // Sent together (see the top): the GET runs right after the SET on this connection.
      // (Promise.all: both are awaited, so a Redis failure rejects once and leaves no unhandled rejection.)
      const [locked, stored] = await Promise.all([
        this.scripted.set(lockKey, token, 'PX', this.options.ttlMs, 'NX'),
        this.scripted.get(sessionKey),
      ]);
      if (locked === 'OK') return stored;
      if (Date.now() > deadline) throw new Error('chat lock wait timed out');
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 50);
    }
  }
}

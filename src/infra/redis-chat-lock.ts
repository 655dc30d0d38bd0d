// One chat's inputs are handled one at a time: in order within this process (a FIFO per chat), and never at
// once across processes (a Redis lock with a random token, released only by its holder).
//
// Quick recovery: the lock lives only `ttlMs` (2 s by default) and its holder renews it every third of that while
// it works, so a live holder keeps it through a long turn and a dead one's lock is free again within `ttlMs`.
// A renewal that comes too late (a stalled process) can let a second holder in: the session's compare-and-set
// then refuses the stale holder's commit, so nothing is written twice.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ChatRef } from '../ports/chat.ts';
import type { ChatLock } from '../ports/chat-lock.ts';
import { LOCK, RELEASE, RENEW } from './chat-scripts.ts';
import type { RedisKeys } from './keys.ts';
import { LocalChatQueue } from './local-chat-queue.ts';
import { runLua } from './lua.ts';

export { LocalChatQueue };

export type ChatLockTiming = {
  /** How long a lock outlives its holder (default 2 s). */
  ttlMs: number;
  /** How long an input waits for a chat held by another process before it fails (default 20 s). */
  waitMs: number;
};

export const DEFAULT_CHAT_LOCK_TIMING: ChatLockTiming = { ttlMs: 2_000, waitMs: 20_000 };

/** A held lock: renewed in the background until `release` (or `stopRenewing`). */
export class HeldChatLock {
  private timer: NodeJS.Timeout | null = null;
  private released = false;

  constructor(
    private readonly redis: Redis,
    readonly key: string,
    readonly token: string,
    private readonly ttlMs: number,
  ) {
    this.schedule();
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** The lock was (or is about to be) released by a script that also wrote: stop renewing it. */
  markReleased(): void {
    this.released = true;
    this.stopRenewing();
  }

  /** Releases the lock. Not awaited by callers: this process's next command for the chat runs after it on the same
   * connection, and a release that fails expires with the lock's TTL. */
  release(): Promise<unknown> {
    if (this.released) return Promise.resolve(0);
    this.markReleased();
    return runLua(this.redis, RELEASE, { lock: this.key }, { token: this.token }).catch(() => 0);
  }

  private stopRenewing(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.timer = setTimeout(
      () => {
        this.timer = null;
        if (this.released) return;
        runLua(this.redis, RENEW, { lock: this.key }, { token: this.token, lockTtlMs: this.ttlMs }).then(
          (kept) => {
            // Lost (expired while this process stalled): the compare-and-set protects the session; stop renewing.
            if (kept === 1 && !this.released) this.schedule();
          },
          () => {
            if (!this.released) this.schedule();
          },
        );
      },
      Math.max(1, Math.floor(this.ttlMs / 3)),
    );
    this.timer.unref();
  }
}

/** Waits until `attempt` returns something (the lock is taken), polling with a short backoff, or times out. */
export async function acquireWithin<T>(waitMs: number, attempt: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + waitMs;
  let pause = 2;
  for (;;) {
    const got = await attempt();
    if (got !== null) return got;
    if (Date.now() > deadline) throw new Error('chat lock wait timed out');
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(pause * 2, 50);
  }
}

/** The lock alone (tools and tests that pair it with a SessionStore); the bot uses RedisChatState. */
export class RedisChatLock implements ChatLock {
  private readonly local = new LocalChatQueue();
  private readonly timing: ChatLockTiming;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    timing: Partial<ChatLockTiming> = {},
  ) {
    this.timing = { ...DEFAULT_CHAT_LOCK_TIMING, ...timing };
  }

  withLock<T>(chat: ChatRef, work: () => Promise<T>): Promise<T> {
    return this.local.withLock(chat, async () => {
      const key = this.keys.lock(chat);
      const token = randomUUID();
      const { ttlMs } = this.timing;
      await acquireWithin(this.timing.waitMs, async () =>
        (await runLua(this.redis, LOCK, { lock: key }, { token, lockTtlMs: ttlMs })) === 1 ? true : null,
      );
      const held = new HeldChatLock(this.redis, key, token, ttlMs);
      try {
        return await work();
      } finally {
        void held.release();
      }
    });
  }
}

// One chat's inputs are handled one at a time: in order within this process (a FIFO per chat), and never at
// once across processes (a Redis lock with a token, released only by its holder, expiring if the holder dies).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type ChatRef, chatKey } from '../ports/chat.ts';
import type { ChatLock } from '../ports/chat-lock.ts';
import type { RedisKeys } from './keys.ts';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class LocalChatQueue implements ChatLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  withLock<T>(chat: ChatRef, work: () => Promise<T>): Promise<T> {
    const key = chatKey(chat);
    const previous = this.tails.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return run;
  }
}

type WithReleaseScript = Redis & { kfReleaseChatLock(key: string, token: string): Promise<number> };

export class RedisChatLock implements ChatLock {
  private readonly local = new LocalChatQueue();
  private readonly scripted: WithReleaseScript;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly options: { ttlMs: number; waitMs: number } = { ttlMs: 15_000, waitMs: 20_000 },
  ) {
    if (!('kfReleaseChatLock' in redis)) redis.defineCommand('kfReleaseChatLock', { numberOfKeys: 1, lua: RELEASE });
    this.scripted = redis as WithReleaseScript;
  }

  withLock<T>(chat: ChatRef, work: () => Promise<T>): Promise<T> {
    return this.local.withLock(chat, async () => {
      const key = this.keys.lock(chat);
      const token = randomUUID();
      await this.acquire(key, token);
      try {
        return await work();
      } finally {
        await this.scripted.kfReleaseChatLock(key, token).catch(() => undefined);
      }
    });
  }

  private async acquire(key: string, token: string): Promise<void> {
    const deadline = Date.now() + this.options.waitMs;
    let pause = 2;
    for (;;) {
      const ok = await this.redis.set(key, token, 'PX', this.options.ttlMs, 'NX');
      if (ok === 'OK') return;
      if (Date.now() > deadline) throw new Error('chat lock wait timed out');
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 50);
    }
  }
}

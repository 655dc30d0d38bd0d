// Replies counted in this process and flushed to the shared send budget off their critical path: a reply never
// waits for Redis. Every FLUSH_MS at most, one pipeline carries the count of replies that went (CHARGE_REPLIES moves
// the alerts' schedule on by one interval each) and the second of each person who got one (their gap key, by
// pseudonym, 'r' for perChatMs from the flush: an alert to them waits that long; see send-budget.ts).
import type { Redis } from 'ioredis';
import type { ChatRef } from '../ports/chat.ts';
import { CHARGE_REPLIES } from './budget-lua.ts';

export type ReplyTallyOptions = {
  budgetKey: string;
  intervalMs: number;
  activeMs: number;
  perChatMs: number;
  flushMs: number;
  /** The person's gap key (send-budget.ts gapOf): computed at the flush, not on the reply's way. */
  gapOf(chat: ChatRef): string;
  onError(error: unknown): void;
};

export class ReplyTally {
  private count = 0;
  /** Chats that got a message since the last flush, by chat id (one mark each). */
  private readonly chats = new Map<string, ChatRef>();
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly options: ReplyTallyOptions,
  ) {}

  /** A message to `chat` is going out (every attempt counts: each one takes its share of the platform's rate). */
  sent(chat: ChatRef): void {
    this.count++;
    this.mark(chat);
  }

  /** The platform answered: the person's second counts from now (marked again at the next flush). */
  answered(chat: ChatRef): void {
    this.mark(chat);
  }

  /** Resolves once everything noted so far is in Redis. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const count = this.count;
    const chats = [...this.chats.values()];
    this.count = 0;
    this.chats.clear();
    if (count === 0 && chats.length === 0) return this.inFlight;
    const { budgetKey, intervalMs, activeMs, perChatMs } = this.options;
    const pipeline = this.redis.pipeline();
    if (count > 0) {
      pipeline.evalsha(CHARGE_REPLIES.sha, 1, budgetKey, count, intervalMs, activeMs);
    }
    for (const chat of chats) pipeline.set(this.options.gapOf(chat), 'r', 'PX', perChatMs);
    const run = pipeline.exec().then(async (results) => {
      // The script is sent by hash; once after a Redis restart (NOSCRIPT) it goes again with its source.
      const charged = count > 0 ? results?.[0] : undefined;
      if (charged?.[0] instanceof Error) {
        if (!charged[0].message.includes('NOSCRIPT')) throw charged[0];
        await this.redis.eval(CHARGE_REPLIES.source, 1, budgetKey, count, intervalMs, activeMs);
      }
    });
    this.inFlight = run.catch(this.options.onError);
    return this.inFlight;
  }

  private mark(chat: ChatRef): void {
    this.chats.set(chat.id, chat);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.options.flushMs);
    this.timer.unref();
  }
}

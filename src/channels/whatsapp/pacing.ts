// Ban-aware sending on WhatsApp Web. WhatsApp bans numbers that behave like spam, so the bot only answers people
// who wrote to it recently, never sends bulk, keeps a human pace within a chat, shows "typing…" for a pause scaled
// to each message's length before sending it, spaces all its sends and caps its total outbound rate. One process owns a WhatsApp session, so the pace is kept in
// memory; the "who wrote recently" set lives in Redis so it survives restarts.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../infra/keys.ts';
import { realClock, sleep, type WaClock } from './clock.ts';
import { isPersonChatId } from './parse.ts';

/** "typing…" before a message: `baseMs + perCharMs × length`, at most `maxMs`, ±`jitter` (a fraction). */
export type TypingPause = { baseMs: number; perCharMs: number; maxMs: number; jitter: number };

export type PacingOptions = {
  redis: Redis;
  keys: RedisKeys;
  /** Least time between two messages to one chat. */
  minGapMs?: number;
  /** Global outbound cap, messages per rolling minute (WHATSAPP_MAX_PER_MINUTE). */
  maxPerMinute?: number;
  /** How long after a person's last message the bot may still write to them. */
  replyWindowMs?: number;
  /** Least time between any two sends, all chats together (WHATSAPP_SEND_GAP_MS). */
  globalGapMs?: number;
  typing?: Partial<TypingPause>;
  clock?: WaClock;
  /** In [0, 1); tests give a constant. */
  random?: () => number;
};

export const DEFAULT_MIN_GAP_MS = 1000;
export const DEFAULT_MAX_PER_MINUTE = 30;
export const DEFAULT_REPLY_WINDOW_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_GLOBAL_GAP_MS = 300;
export const DEFAULT_TYPING: TypingPause = { baseMs: 400, perCharMs: 20, maxMs: 4000, jitter: 0.15 };

/** How long "typing…" shows before a message of `length` characters. */
export function typingPauseMs(length: number, pause: TypingPause, random: number): number {
  const ms = Math.min(pause.maxMs, pause.baseMs + pause.perCharMs * length);
  return Math.max(0, Math.round(ms * (1 + pause.jitter * (2 * random - 1))));
}

export type SendIo<T> = {
  send(part: T): Promise<void>;
  /** Shows "typing…" in the chat; failures are ignored. */
  typing(): Promise<void>;
  /** Characters the person reads in a part (a voice note counts as a short text). */
  lengthOf(part: T): number;
};

export type Delivery =
  | { status: 'sent'; sent: number }
  | { status: 'refused'; reason: 'not-a-person' | 'did-not-write-first' }
  | { status: 'failed'; sent: number; error: unknown };

const MINUTE = 60_000;

export class WhatsAppPacer {
  private readonly minGapMs: number;
  private readonly maxPerMinute: number;
  private readonly replyWindowMs: number;
  private readonly globalGapMs: number;
  private readonly typingPause: TypingPause;
  private readonly clock: WaClock;
  private readonly random: () => number;
  private lastSentAny = Number.NEGATIVE_INFINITY;
  /** Send times within the last minute, oldest first. */
  private readonly recentSends: number[] = [];
  private readonly lastSentTo = new Map<string, number>();
  /** Fallback when Redis is unreachable: who wrote, as seen by this process. */
  private readonly wroteAt = new Map<string, number>();
  /** Per-chat tail of deliveries, so parts of two answers never interleave. */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly options: PacingOptions) {
    this.minGapMs = options.minGapMs ?? DEFAULT_MIN_GAP_MS;
    this.maxPerMinute = Math.max(1, options.maxPerMinute ?? DEFAULT_MAX_PER_MINUTE);
    this.replyWindowMs = options.replyWindowMs ?? DEFAULT_REPLY_WINDOW_MS;
    this.globalGapMs = options.globalGapMs ?? DEFAULT_GLOBAL_GAP_MS;
    this.typingPause = { ...DEFAULT_TYPING, ...options.typing };
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
  }

  // One key per chat with a TTL rather than one sorted set: the 24 h window then expires by itself, key by key.
  private wroteKey(chatId: string): string {
    // Named by the person's pseudonym: the WhatsApp chat id is their phone number.
    return this.options.keys.key('wa', 'wrote', this.options.keys.person({ channel: 'whatsapp', id: chatId }));
  }

  /** Records that the person wrote (opens or extends the reply window). False when Redis could not record it. */
  async noteInbound(chatId: string): Promise<boolean> {
    const now = this.clock.now();
    this.wroteAt.set(chatId, now);
    if (this.wroteAt.size > 10_000) this.forgetOldInbound(now);
    try {
      await this.options.redis.set(this.wroteKey(chatId), String(now), 'PX', this.replyWindowMs);
      return true;
    } catch {
      return false;
    }
  }

  /** True when the person wrote within the reply window. */
  async mayWriteTo(chatId: string): Promise<boolean> {
    if (!isPersonChatId(chatId)) return false;
    const seen = this.wroteAt.get(chatId);
    if (seen !== undefined && this.clock.now() - seen < this.replyWindowMs) return true;
    try {
      return (await this.options.redis.exists(this.wroteKey(chatId))) === 1;
    } catch {
      return false;
    }
  }

  /** Sends the parts of one answer in order, paced; answers to one chat go out one after the other. */
  deliver<T>(chatId: string, parts: T[], io: SendIo<T>): Promise<Delivery> {
    const previous = this.chains.get(chatId) ?? Promise.resolve();
    const run = previous.then(() => this.deliverNow(chatId, parts, io));
    const tail = run.catch(() => undefined);
    this.chains.set(chatId, tail);
    void tail.then(() => {
      if (this.chains.get(chatId) === tail) this.chains.delete(chatId);
    });
    return run;
  }

  /** Resolves when every delivery started so far has finished. */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private async deliverNow<T>(chatId: string, parts: T[], io: SendIo<T>): Promise<Delivery> {
    if (!isPersonChatId(chatId)) return { status: 'refused', reason: 'not-a-person' };
    if (!(await this.mayWriteTo(chatId))) return { status: 'refused', reason: 'did-not-write-first' };
    let sent = 0;
    for (const part of parts) {
      await this.waitForChatGap(chatId);
      // "typing…" for about as long as a person would take to type the message.
      await io.typing().catch(() => undefined);
      await sleep(this.clock, typingPauseMs(io.lengthOf(part), this.typingPause, this.random()));
      await this.takeGlobalSlot();
      try {
        await io.send(part);
      } catch (error) {
        return { status: 'failed', sent, error };
      } finally {
        this.lastSentTo.set(chatId, this.clock.now());
      }
      sent++;
    }
    if (this.lastSentTo.size > 10_000) this.forgetOldSends(this.clock.now());
    return { status: 'sent', sent };
  }

  private async waitForChatGap(chatId: string): Promise<void> {
    const last = this.lastSentTo.get(chatId);
    if (last === undefined) return;
    const wait = last + this.minGapMs - this.clock.now();
    if (wait > 0) await sleep(this.clock, wait);
  }

  /**
   * Waits until `globalGapMs` passed since the last send to anyone and fewer than `maxPerMinute` messages went out
   * in the last minute, then counts this one: 20 welcomes never leave in the same millisecond.
   */
  private async takeGlobalSlot(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const gap = this.lastSentAny + this.globalGapMs - now;
      if (gap > 0) {
        await sleep(this.clock, gap);
        continue;
      }
      while (this.recentSends.length > 0 && this.recentSends[0]! <= now - MINUTE) this.recentSends.shift();
      if (this.recentSends.length < this.maxPerMinute) {
        this.recentSends.push(now);
        this.lastSentAny = now;
        return;
      }
      await sleep(this.clock, this.recentSends[0]! + MINUTE - now + 1);
    }
  }

  private forgetOldSends(now: number): void {
    for (const [chatId, at] of this.lastSentTo) if (now - at > this.minGapMs) this.lastSentTo.delete(chatId);
  }

  private forgetOldInbound(now: number): void {
    for (const [chatId, at] of this.wroteAt) if (now - at > this.replyWindowMs) this.wroteAt.delete(chatId);
  }
}

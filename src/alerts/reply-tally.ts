// Replies of this process and their share of the platform's sliding second (budget-lua.ts).
// - With no alert booked within a window (the last tally's answer said so, FREE_FOR_MS ago at most), a reply goes at
//   once: nothing else shares the platform's second, so the bot answers every person at once however many write.
//   Replies are still counted, and alerts that start book their first slot later than that word lasts
//   (send-budget.ts START_LEAD_MS), so they count every reply.
// - While alerts go out, a reply goes at once, without a Redis round trip, while this process holds a token: Redis
//   granted it, counted against every sliding window, in the answer of the last tally. A reply without a token waits
//   for the next answer (one round trip); only when the sliding second is really full does it wait longer, until its
//   oldest send leaves the window.
// Every FLUSH_MS at most, one script (the tally) writes the replies that went (into the window's log), the second of
// each person who got one (their gap key, by pseudonym, 'r' for perChatMs: an alert to them waits that long), and
// renews the tokens. If Redis does not answer within SILENT_MS, waiting replies go anyway (counted when Redis is back).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ChatRef } from '../ports/chat.ts';
import { TALLY } from './budget-lua.ts';

export type ReplyTallyOptions = {
  budgetKey: string;
  logKey: string;
  leasesKey: string;
  limit: number;
  windowMs: number;
  intervalMs: number;
  activeMs: number;
  perChatMs: number;
  flushMs: number;
  /** Tokens asked for while this process replies (beyond the replies waiting for one). */
  standingTokens: number;
  /** A send counts from its answer, or from this long after it left while it has none. */
  answerCapMs: number;
  /** The person's gap key (send-budget.ts gapOf): computed at the flush, not on the reply's way. */
  gapOf(chat: ChatRef): string;
  onError(error: unknown): void;
};

/** A lease lasts this long in Redis without a renewal (renewed every half of it while the process replies). */
const LEASE_TTL_MS = 1000;
/** How long replies go on the word "no alerts" (send-budget.ts START_LEAD_MS is longer); asked again before. */
export const FREE_FOR_MS = 300;
const FREE_REFRESH_MS = 250;
/** Waiting replies go without Redis's answer after this long (Redis down: replies are never held by it). */
const SILENT_MS = 250;

const localNow = (): number => performance.timeOrigin + performance.now();

/** A reply that went: `seq` names it in the log. */
type Sent = { seq: number; at: number; answeredAt: number | null; logged: boolean };

export type ReplyWaits = { replies: number; waited: number; waitedMs: number[] };

export class ReplyTally {
  /** This process's id in the leases (random: names no person). */
  private readonly id = randomBytes(4).toString('hex');
  private seq = 0;
  private tokens = 0;
  /** Until then, no alert is being sent (an answer said so): replies go without tokens, and are still counted. */
  private freeUntil = Number.NEGATIVE_INFINITY;
  private tokensUntil = 0;
  /** Tokens used since the tally in flight left (still covered by its lease: see TALLY `keep`). */
  private usedInFlight = 0;
  /** Replies not yet in the log; replies in it with a provisional place, answered since; replies awaiting their
   * answer, by chat (in order). */
  private unlogged: Sent[] = [];
  private moved: Sent[] = [];
  private readonly unanswered = new Map<string, Sent[]>();
  /** Chats that got a message since the last flush, by chat id (one mark each). */
  private readonly chats = new Map<string, ChatRef>();
  private readonly waiting: { chat: ChatRef; since: number; go(): void }[] = [];
  private lastReplyAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private inFlight: Promise<void> | null = null;
  private closed = false;
  /** How many replies went, how many had to wait for a token, and how long (for the benchmark). */
  readonly waits: ReplyWaits = { replies: 0, waited: 0, waitedMs: [] };

  constructor(
    private readonly redis: Redis,
    private readonly options: ReplyTallyOptions,
  ) {}

  /**
   * A message to `chat` is about to go (every attempt counts). Undefined: it may go at once. Otherwise it goes when
   * the promise resolves (no token in hand: after the next answer, or once the sliding second has room).
   */
  acquire(chat: ChatRef): Promise<void> | undefined {
    const now = localNow();
    this.lastReplyAt = now;
    if (this.waiting.length === 0 && this.takeToken(now)) {
      this.went(chat, now);
      return undefined;
    }
    return new Promise((resolve) => {
      this.waiting.push({ chat, since: now, go: resolve });
      this.schedule(0);
    });
  }

  /** The platform answered: the person's second counts from now (marked again at the next flush). */
  answered(chat: ChatRef): void {
    const now = localNow();
    const list = this.unanswered.get(chat.id);
    const sent = list?.shift();
    if (list?.length === 0) this.unanswered.delete(chat.id);
    if (sent && now < sent.at + this.options.answerCapMs) {
      sent.answeredAt = now;
      if (sent.logged) this.moved.push(sent);
    }
    this.chats.set(chat.id, chat);
    this.schedule(this.options.flushMs);
  }

  /** Resolves once everything noted so far is in Redis. */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    if (this.unlogged.length + this.moved.length > 0 || this.chats.size > 0 || this.waiting.length > 0) {
      await this.tally();
    }
    while (this.inFlight) await this.inFlight;
  }

  /** At shutdown: every reply noted is written and the tokens given back (waiting replies go). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.release();
    while (this.inFlight) await this.inFlight;
    await this.tally();
  }

  private takeToken(now: number): boolean {
    if (this.closed || now < this.freeUntil) return true;
    if (this.tokens <= 0 || now >= this.tokensUntil) return false;
    this.tokens--;
    if (this.inFlight) this.usedInFlight++;
    return true;
  }

  private went(chat: ChatRef, at: number): void {
    this.waits.replies++;
    const sent: Sent = { seq: ++this.seq, at, answeredAt: null, logged: false };
    this.unlogged.push(sent);
    const list = this.unanswered.get(chat.id);
    if (list) list.push(sent);
    else this.unanswered.set(chat.id, [sent]);
    this.chats.set(chat.id, chat);
    this.schedule(this.options.flushMs);
  }

  /** Waiting replies go, in order, while tokens last (or all of them: closing, or Redis silent). */
  private release(all = this.closed): void {
    const now = localNow();
    while (this.waiting.length > 0 && (all || this.takeToken(now))) {
      const reply = this.waiting.shift()!;
      this.waits.waited++;
      this.waits.waitedMs.push(now - reply.since);
      this.went(reply.chat, now);
      reply.go();
    }
  }

  private schedule(inMs: number): void {
    if (this.closed) return;
    const at = localNow() + inMs;
    if (this.inFlight || (this.timer && this.timerAt <= at)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Number.POSITIVE_INFINITY;
      void this.tally();
    }, inMs);
    this.timer.unref();
  }

  private tally(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const unlogged = this.unlogged;
    const moved = this.moved;
    const chats = [...this.chats.values()];
    this.unlogged = [];
    this.moved = [];
    this.chats.clear();
    const leftAt = localNow();
    const cap = this.options.answerCapMs;
    // Past the cap, a reply without an answer keeps its provisional place (its answer no longer moves it).
    for (const [id, list] of this.unanswered) {
      while (list.length > 0 && list[0]!.at + cap <= leftAt) list.shift();
      if (list.length === 0) this.unanswered.delete(id);
    }
    const placeOf = (sent: Sent) => (leftAt - (sent.answeredAt ?? sent.at + cap)).toFixed(3);
    const sends = [
      ...unlogged.map((sent) => `n${sent.seq}:${placeOf(sent)}`),
      ...moved.map((sent) => `u${sent.seq}:${placeOf(sent)}`),
    ].join(',');
    for (const sent of unlogged) sent.logged = true;
    const active = !this.closed && leftAt - this.lastReplyAt < this.options.activeMs;
    // Idle for a while (or closing): the tokens are given back; none are used until the answer.
    if (!active) this.tokens = 0;
    const keep = this.tokens > 0 && leftAt < this.tokensUntil ? this.tokens : 0;
    const want = this.closed ? 0 : this.waiting.length + (active ? this.options.standingTokens : 0);
    this.usedInFlight = 0;
    const { budgetKey, logKey, leasesKey, limit, windowMs, intervalMs, activeMs, perChatMs } = this.options;
    const floor = active ? this.options.standingTokens : 0;
    // One command: the gap keys go in as the script's KEYS after the first three (one SET each, in Redis).
    const numKeys = 3 + chats.length;
    const args: (string | number)[] = [budgetKey, logKey, leasesKey];
    for (const chat of chats) args.push(this.options.gapOf(chat));
    args.push(this.id, limit, windowMs, intervalMs, activeMs, want, keep, floor, LEASE_TTL_MS, sends, perChatMs);
    const silent = setTimeout(() => this.release(true), SILENT_MS);
    silent.unref();
    const run = this.redis
      .evalsha(TALLY.sha, numKeys, ...args)
      // The script is sent by hash; once after a Redis restart (NOSCRIPT) it goes again with its source.
      .catch((error: unknown) => {
        if (error instanceof Error && error.message.includes('NOSCRIPT'))
          return this.redis.eval(TALLY.source, numKeys, ...args);
        throw error;
      })
      .then((answer) => {
        const [grant, retryMs, free] = (answer as [number, number, number] | undefined) ?? [0, 1, 0];
        // Counted from when the tally left: alerts that start after it wait longer than this (START_LEAD_MS).
        this.freeUntil = free === 1 ? leftAt + FREE_FOR_MS : Number.NEGATIVE_INFINITY;
        this.tokens = Math.max(0, grant - this.usedInFlight);
        this.tokensUntil = leftAt + LEASE_TTL_MS;
        return retryMs;
      })
      .catch((error: unknown) => {
        // Not counted: kept for the next tally (Redis back), with their people's gaps. Waiting replies went when Redis
        // fell silent.
        for (const sent of unlogged) sent.logged = false;
        this.unlogged = [...unlogged, ...this.unlogged];
        this.moved = [...moved, ...this.moved];
        for (const chat of chats) if (!this.chats.has(chat.id)) this.chats.set(chat.id, chat);
        this.options.onError(error);
        this.release(true);
        return 0;
      })
      .then((retryMs) => {
        clearTimeout(silent);
        this.inFlight = null;
        this.release();
        if (this.closed) return;
        // Replies waiting, or none in hand while people chat: again once the window has room.
        if (this.waiting.length > 0 || (active && this.tokens === 0 && retryMs > 0))
          this.schedule(Math.max(1, retryMs));
        else if (this.unlogged.length + this.moved.length > 0 || this.chats.size > 0) {
          this.schedule(this.options.flushMs);
        }
        // While it replies with no alert going out: asked again before that word lapses.
        else if (active && this.freeUntil > leftAt) this.schedule(FREE_REFRESH_MS);
        // While it replies (it holds tokens, or its floor): renewed before they lapse, given back once it stops.
        else if (this.tokens > 0 || active) this.schedule(LEASE_TTL_MS / 2);
      });
    this.inFlight = run;
    return run;
  }
}

// One send budget per platform, in Redis, shared by every process and by replies and alerts alike.
//
// The budget is a GCRA ("virtual scheduling"): `tat` is the time the next message may go. Every send moves it one
// interval on (interval = 1 s / pace). A reply always goes at once and moves `tat` (replies first); an alert goes
// only when `tat` is no more than a few ms ahead of now, so alerts use what replies leave and never burst: in any
// sliding second the platform sees at most pace × (1 + tolerance) + 1 messages, which stays at or under the
// configured rate (pace is set a little below it, see paceOf). Times come from Redis (TIME), one clock for all.
// A 429 (to an alert or to a reply) sets `pausedUntil`: alerts wait it out; replies never look at it (the channel's
// own retry waits out a 429 that Telegram gave to that reply).
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/keys.ts';
import type { SendBudgetPort } from '../ports/bulk-send.ts';
import type { ChannelName, ChatRef } from '../ports/chat.ts';
import { AlertKeys } from './keys.ts';
import { LuaScript } from './lua.ts';

/** An alert may go when the budget's next slot is at most this far ahead (smooths timer jitter, ≤ 1 % extra). */
export const TOLERANCE_MS = 10;
const BUDGET_TTL_MS = 3_600_000;
/** A reply waits at most this long for the budget's answer (Redis slow or down). */
const NOTE_TIMEOUT_MS = 50;

// Redis time in ms, with µs precision.
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
`;

// KEYS: budget, chat gap. ARGV: interval ms, per-chat ms. A reply: always taken, moves the schedule on. Returns
// the ms left of the chat's second when an alert holds it ('a'), so the reply does not follow it within a second.
const NOTE_REPLY = new LuaScript(`${NOW}
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '0')
if tat < now then tat = now end
redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', tat + tonumber(ARGV[1])))
redis.call('PEXPIRE', KEYS[1], ${BUDGET_TTL_MS})
local wait = 0
if redis.call('GET', KEYS[2]) == 'a' then wait = math.max(0, redis.call('PTTL', KEYS[2])) end
redis.call('SET', KEYS[2], 'r', 'PX', tonumber(ARGV[2]) + wait)
return wait
`);

// KEYS: budget. ARGV: ms. A 429: bulk sends wait until now + ms (never shortened by a shorter one).
const PAUSE = new LuaScript(`${NOW}
local untilAt = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
if untilAt > cur then redis.call('HSET', KEYS[1], 'pausedUntil', string.format('%.3f', untilAt)) end
redis.call('PEXPIRE', KEYS[1], ${BUDGET_TTL_MS})
return 1
`);

// KEYS: budget, chat gap, outcomes, counts, alert, recipients. ARGV: interval ms, tolerance ms, per-chat ms, pair.
// An alert slot, the chat's second and the pair's claim in one step, so a slot is never taken for nothing:
//   {'settled'}              the pair already has an outcome: nothing to send, no slot used
//   {'wait', ms}             paused by a 429, or the budget is used: ask again in ms
//   {'chat', ms}             a message went to this chat less than a second ago: try this pair again in ms
//   {'claimed' | 'resend'}   the slot is taken and the pair marked `sending` (resend: an earlier attempt may have
//                            reached the person: a crash while sending, or no answer)
const TAKE = new LuaScript(`${NOW}
local cur = redis.call('HGET', KEYS[3], ARGV[4])
if cur and cur ~= 'sending' and cur ~= 'sending?' then return {'settled'} end
local paused = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
if paused > now then return {'wait', math.ceil(paused - now)} end
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '0')
if tat < now then tat = now end
local tolerance = tonumber(ARGV[2])
if tat - now > tolerance then return {'wait', math.max(1, math.ceil(tat - now - tolerance))} end
local gap = redis.call('PTTL', KEYS[2])
if gap > 0 then return {'chat', gap} end
redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', tat + tonumber(ARGV[1])))
redis.call('PEXPIRE', KEYS[1], ${BUDGET_TTL_MS})
redis.call('SET', KEYS[2], 'a', 'PX', ARGV[3])
if cur then
  redis.call('HSET', KEYS[3], ARGV[4], 'sending?')
  return {'resend'}
end
redis.call('HSET', KEYS[3], ARGV[4], 'sending')
return {'claimed'}
`);

export type Take = { kind: 'settled' } | { kind: 'wait' | 'chat'; ms: number } | { kind: 'claimed' | 'resend' };

export type SendBudgetOptions = {
  channel: ChannelName;
  /** ALERTS_RATE_PER_SECOND: the platform's limit for all sends together. */
  ratePerSecond: number;
  /** Minimum time between two messages to one chat (default 1000 ms). */
  perChatIntervalMs?: number;
  onError?: (error: unknown) => void;
};

/**
 * The pace the budget keeps for a limit: a little under it, so one extra message of timer jitter or of the
 * tolerance never takes a sliding second over the limit (30/s -> 29/s, 1,000/s -> 970/s).
 */
export function paceOf(ratePerSecond: number): number {
  return Math.max(0.5, ratePerSecond - Math.max(1, Math.ceil(ratePerSecond * 0.03)));
}

export class SendBudget implements SendBudgetPort {
  readonly key: string;
  readonly intervalMs: number;
  readonly perChatMs: number;
  private readonly alertKeys: AlertKeys;
  private readonly ignore: (error: unknown) => void;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    options: SendBudgetOptions,
  ) {
    this.key = keys.key('budget', options.channel);
    this.intervalMs = 1000 / paceOf(options.ratePerSecond);
    this.perChatMs = options.perChatIntervalMs ?? 1000;
    this.alertKeys = new AlertKeys(keys);
    this.ignore = options.onError ?? (() => undefined);
  }

  /** The person's gap key (named by pseudonym): exists for a second after a message to them. */
  gapOf(chat: ChatRef): string {
    return this.alertKeys.chatGap(this.keys.person(chat));
  }

  async noteSend(chat: ChatRef): Promise<number> {
    const noted = NOTE_REPLY.run(this.redis, [this.key, this.gapOf(chat)], [this.intervalMs, this.perChatMs]).then(
      (wait) => Math.min(this.perChatMs, Math.max(0, Number(wait) || 0)),
      (error: unknown) => {
        this.ignore(error);
        return 0;
      },
    );
    // A slow or unreachable Redis never holds a reply: the bookkeeping goes on beside it.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<number>((resolve) => {
      timer = setTimeout(() => resolve(0), NOTE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([noted, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  noteAnswered(chat: ChatRef): void {
    this.holdChat(chat, 'reply').catch(this.ignore);
  }

  /**
   * The chat's second from now: set again once Telegram answered, as its own count starts when it has the message.
   * `alert`: a reply to this person waits for the rest of that second (see NOTE_REPLY).
   */
  async holdChat(chat: ChatRef, by: 'alert' | 'reply'): Promise<void> {
    await this.redis.set(this.gapOf(chat), by === 'alert' ? 'a' : 'r', 'PX', this.perChatMs);
  }

  noteRateLimited(retryAfterMs: number): void {
    this.pause(retryAfterMs).catch(this.ignore);
  }

  async pause(retryAfterMs: number): Promise<void> {
    await PAUSE.run(this.redis, [this.key], [Math.max(1, retryAfterMs)]);
  }

  /** Ms until bulk sends may go again after a 429 (0 when not paused). */
  async pausedForMs(): Promise<number> {
    const [paused, [s, us]] = await Promise.all([this.redis.hget(this.key, 'pausedUntil'), this.redis.time()]);
    return Math.max(0, Number(paused ?? 0) - (Number(s) * 1000 + Number(us) / 1000));
  }

  /** One try at an alert slot for a pair (see TAKE). `pairKeys`: outcomes, counts, alert, recipients. */
  async take(chat: ChatRef, pairKeys: readonly string[], pair: string): Promise<Take> {
    const [kind, ms] = (await TAKE.run(
      this.redis,
      [this.key, this.gapOf(chat), ...pairKeys],
      [this.intervalMs, TOLERANCE_MS, this.perChatMs, pair],
    )) as [Take['kind'], number?];
    if (kind === 'wait' || kind === 'chat') return { kind, ms: Number(ms) };
    return { kind } as Take;
  }
}

// One send budget per platform, in Redis, shared by every process and by replies and alerts alike.
//
// The budget is a schedule of send slots (GCRA, "virtual scheduling"): `tat` is the time of the next free slot, and
// every message moves it one interval on. Times are Redis's (TIME), one clock for every process.
// - An alert books the next free slot when it is at most HORIZON_MS ahead, and its request starts at that slot, not
//   before, and never more than MAX_LAG_MS after (else it is not sent then: the slot is given up and it asks again;
//   see broadcast-worker.ts). Slots are one interval apart, and the interval is (1 s + MARGIN_MS) / limit: so any
//   second at the platform holds at most `limit` messages even when each one arrives up to MARGIN_MS off its slot
//   (MAX_LAG_MS of our own lateness plus the network's and the platform's).
// - A reply goes at once while no alert is being sent. During a broadcast it takes the next free slot before any
//   alert not yet booked (replies first): it waits for the slots alerts already booked, at most HORIZON_MS plus one
//   interval per reply ahead of it (REPLY_WAIT_MAX_MS at most), so replies and alerts together keep the limit.
//   Replies beyond the limit are never held longer: they take the budget's slots and alerts wait (at most about a
//   second after the replies slow down: the schedule never runs further ahead).
// A 429 (to an alert or to a reply) sets `pausedUntil`: alerts wait it out; replies never look at it (the channel's
// own retry waits out a 429 that Telegram gave to that reply).
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/keys.ts';
import { luaScript, runLua } from '../infra/lua.ts';
import type { ReplySlot, SendBudgetPort } from '../ports/bulk-send.ts';
import type { ChannelName, ChatRef } from '../ports/chat.ts';
import { AlertKeys } from './keys.ts';

/** How far off its slot a message may reach the platform with every second still within the limit. */
export const MARGIN_MS = 40;
/** An alert's request starts at most this long after its slot (the rest of the margin is the network's). */
export const MAX_LAG_MS = 25;
/** Alerts book slots at most this far ahead: `min` beyond a slow Redis round trip of the moment (measured), so the
 * pace never waits for one. */
export const HORIZON_MS = { min: 20, max: 120 };
/** A reply waits at most this long for slots alerts booked before it. */
export const REPLY_WAIT_MAX_MS = 250;
/** Replies wait for slots only while an alert took one this recently; the schedule never runs further ahead. */
const ACTIVE_MS = 1000 + MARGIN_MS;
const BUDGET_TTL_MS = 3_600_000;
/** A reply waits at most this long for the budget's answer (Redis slow or down). */
const NOTE_TIMEOUT_MS = 50;

// Redis time in ms, with µs precision.
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
`;

// A reply: always taken. Returns {budget wait ms (decimal string), chat wait ms}: the chat wait is the rest of the
// person's second when an alert holds it ('a'), so the reply does not follow it within a second.
const NOTE_REPLY = luaScript(
  'kf:budget-note-reply',
  { keys: ['budget', 'gap'], argv: ['intervalMs', 'perChatMs', 'replyWaitMaxMs', 'activeMs'] },
  `${NOW}
local interval, active = tonumber(ARGV[1]), tonumber(ARGV[4])
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '0')
if tat < now then tat = now end
local wait = 0
local alertAt = tonumber(redis.call('HGET', KEYS[1], 'alertAt') or '0')
if alertAt > now - active then wait = math.min(tat - now, tonumber(ARGV[3])) end
tat = math.min(math.max(tat, now + wait) + interval, now + active)
redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', tat))
redis.call('PEXPIRE', KEYS[1], ${BUDGET_TTL_MS})
local chatWait = 0
if redis.call('GET', KEYS[2]) == 'a' then chatWait = math.max(0, redis.call('PTTL', KEYS[2])) end
redis.call('SET', KEYS[2], 'r', 'PX', tonumber(ARGV[2]) + math.ceil(math.max(wait, chatWait)))
return {string.format('%.3f', wait), chatWait}
`,
);

// A 429: bulk sends wait until now + ms (never shortened by a shorter one).
const PAUSE = luaScript(
  'kf:budget-pause',
  { keys: ['budget'], argv: ['ms'] },
  `${NOW}
local untilAt = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
if untilAt > cur then redis.call('HSET', KEYS[1], 'pausedUntil', string.format('%.3f', untilAt)) end
redis.call('PEXPIRE', KEYS[1], ${BUDGET_TTL_MS})
return 1
`,
);

// An alert slot, the chat's second and the pair's booking in one step, so a slot is never taken for nothing:
//   {'settled'}                   the pair already has an outcome: nothing to send, no slot used
//   {'wait', ms}                  paused by a 429, or the next free slot is beyond the horizon: ask again in ms
//   {'chat', ms}                  the person's second is not over by the slot: try this pair again in ms
//   {'claimed' | 'resend', slot, now}  the slot (Redis time) is booked and the pair marked `sending` (resend: an
//                                 earlier attempt may have reached the person: `sending?`)
const TAKE = luaScript(
  'kf:budget-take',
  {
    keys: ['budget', 'gap', 'outcomes'],
    argv: ['intervalMs', 'horizonMs', 'perChatMs', 'pair', 'leadMs'],
  },
  `${NOW}
local cur = redis.call('HGET', KEYS[3], ARGV[4])
if cur and cur ~= 'sending' and cur ~= 'sending?' then return {'settled'} end
local paused = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
if paused > now then return {'wait', math.ceil(paused - now)} end
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '0')
-- Never sooner than the answer can reach the process (a slot in the past could only be missed).
if tat < now + tonumber(ARGV[5]) then tat = now + tonumber(ARGV[5]) end
local ahead = tat - now
if ahead > tonumber(ARGV[2]) then return {'wait', math.max(1, math.ceil(ahead - tonumber(ARGV[2])))} end
local gap = redis.call('PTTL', KEYS[2])
if gap > ahead then return {'chat', math.ceil(gap - ahead)} end
redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', tat + tonumber(ARGV[1])), 'alertAt', string.format('%.3f', tat))
redis.call('PEXPIRE', KEYS[1], ${BUDGET_TTL_MS})
redis.call('SET', KEYS[2], 'a', 'PX', math.ceil(ahead) + tonumber(ARGV[3]))
if cur then
  redis.call('HSET', KEYS[3], ARGV[4], 'sending?')
else
  redis.call('HSET', KEYS[3], ARGV[4], 'sending')
end
return {cur and 'resend' or 'claimed', string.format('%.3f', tat), string.format('%.3f', now)}
`,
);

export type Take =
  | { kind: 'settled' }
  | { kind: 'wait'; ms: number }
  | { kind: 'chat'; ms: number }
  /** `startAt`: the slot, on this process's clock (SendBudget.localNow). */
  | { kind: 'claimed' | 'resend'; startAt: number };

export type SendBudgetOptions = {
  channel: ChannelName;
  /** ALERTS_RATE_PER_SECOND: the platform's limit for all sends together. */
  ratePerSecond: number;
  /** Minimum time between two messages to one chat (default 1000 ms). */
  perChatIntervalMs?: number;
  onError?: (error: unknown) => void;
};

/**
 * The pace the budget keeps for a limit: slots (1 s + MARGIN_MS) / limit apart, so a message arriving up to
 * MARGIN_MS off its slot never takes a sliding second over the limit (30/s -> 28.8/s, 1,000/s -> 961.5/s).
 */
export function paceOf(ratePerSecond: number): number {
  return (ratePerSecond * 1000) / (1000 + MARGIN_MS);
}

export class SendBudget implements SendBudgetPort {
  readonly key: string;
  readonly intervalMs: number;
  readonly perChatMs: number;
  private readonly alertKeys: AlertKeys;
  private readonly ignore: (error: unknown) => void;
  private readonly clock = new RedisClock();

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

  async noteSend(chat: ChatRef): Promise<ReplySlot> {
    const noted = runLua(
      this.redis,
      NOTE_REPLY,
      { budget: this.key, gap: this.gapOf(chat) },
      {
        intervalMs: this.intervalMs,
        perChatMs: this.perChatMs,
        replyWaitMaxMs: REPLY_WAIT_MAX_MS,
        activeMs: ACTIVE_MS,
      },
    ).then(
      (answer): ReplySlot => {
        const [budgetWait, chatWait] = (answer as [string, number]).map((n) => Math.max(0, Number(n) || 0)) as [
          number,
          number,
        ];
        const chatHeld = chatWait > budgetWait;
        return { waitMs: Math.min(this.perChatMs, Math.max(budgetWait, chatWait)), chatHeld, maxLagMs: MAX_LAG_MS };
      },
      (error: unknown): ReplySlot => {
        this.ignore(error);
        return AT_ONCE;
      },
    );
    // A slow or unreachable Redis never holds a reply: the bookkeeping goes on beside it.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<ReplySlot>((resolve) => {
      timer = setTimeout(() => resolve(AT_ONCE), NOTE_TIMEOUT_MS);
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
    await runLua(this.redis, PAUSE, { budget: this.key }, { ms: Math.max(1, retryAfterMs) });
  }

  /** Ms until bulk sends may go again after a 429 (0 when not paused). */
  async pausedForMs(): Promise<number> {
    const [paused, [s, us]] = await Promise.all([this.redis.hget(this.key, 'pausedUntil'), this.redis.time()]);
    return Math.max(0, Number(paused ?? 0) - (Number(s) * 1000 + Number(us) / 1000));
  }

  /** One try at an alert slot for a pair of the alert whose outcomes hash is `outcomes` (see TAKE). */
  async take(chat: ChatRef, outcomes: string, pair: string): Promise<Take> {
    const askedAt = localNow();
    const [kind, a, b] = (await runLua(
      this.redis,
      TAKE,
      { budget: this.key, gap: this.gapOf(chat), outcomes },
      {
        intervalMs: this.intervalMs,
        horizonMs: this.horizonMs(),
        perChatMs: this.perChatMs,
        pair,
        leadMs: this.leadMs(),
      },
    )) as [string, (number | string)?, string?];
    const answeredAt = localNow();
    if (kind === 'settled') return { kind };
    if (kind === 'wait' || kind === 'chat') return { kind, ms: Number(a) } as Take;
    if (kind === 'claimed' || kind === 'resend') {
      this.clock.sample(Number(b), askedAt, answeredAt);
      return { kind, startAt: this.clock.toLocal(Number(a)) };
    }
    throw new Error(`send budget: unexpected answer ${kind}`);
  }

  /** A slot is booked at least this far ahead: a slow round trip of the moment (a busy machine answers slowly). */
  leadMs(): number {
    return Math.min(HORIZON_MS.max - HORIZON_MS.min, 1.5 * this.clock.slowRttMs);
  }

  /** Slots are booked up to this far ahead. */
  horizonMs(): number {
    return this.leadMs() + HORIZON_MS.min;
  }
}

/** This process's clock, in ms (performance-based: never jumps). */
export const localNow = (): number => performance.timeOrigin + performance.now();

/**
 * Redis's clock seen from this process: the offset from the fastest recent round trip (its error is at most half
 * that round trip), and the slowest recent round trip (for the horizon).
 */
class RedisClock {
  private offset = 0;
  private bestRtt = Number.POSITIVE_INFINITY;
  private bestAt = 0;
  /** The slowest recent round trip (forgotten by a fifth every half second without a slower one). */
  slowRttMs = 1;
  private slowAt = 0;

  sample(redisNow: number, askedAt: number, answeredAt: number): void {
    const rtt = answeredAt - askedAt;
    if (rtt >= this.slowRttMs || answeredAt - this.slowAt > 500) {
      this.slowRttMs = Math.max(rtt, this.slowRttMs * 0.8);
      this.slowAt = answeredAt;
    }
    // The fastest sample of the last few seconds (clocks drift slowly; an old best is replaced).
    if (rtt <= this.bestRtt || answeredAt - this.bestAt > 5_000) {
      this.bestRtt = rtt;
      this.bestAt = answeredAt;
      this.offset = redisNow - (askedAt + answeredAt) / 2;
    }
  }

  toLocal(redisTime: number): number {
    return redisTime - this.offset;
  }
}

const AT_ONCE: ReplySlot = { waitMs: 0, chatHeld: false, maxLagMs: MAX_LAG_MS };

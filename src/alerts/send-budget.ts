// One send budget per platform, in Redis, shared by every process and by replies and alerts alike.
//
// The budget is a schedule of send slots (GCRA, "virtual scheduling"): `tat` is the time of the next free slot, and
// every message moves it one interval on. Times are Redis's (TIME), one clock for every process.
// - An alert books the next free slot when it is at most HORIZON_MS ahead, and its request starts at that slot, not
//   before, and never more than MAX_LAG_MS after (else it is not sent then: the slot is given up and it asks again;
//   see broadcast-worker.ts). Slots are one interval apart, and the interval is (1 s + MARGIN_MS) / limit: so any
//   second at the platform holds at most `limit` messages even when each one arrives a little off its slot.
// - A reply never waits and never makes a Redis round trip on its way: each process counts its replies and flushes
//   the count every FLUSH_MS in one pipeline (reply-tally.ts), which moves `tat` on by one interval per reply. So
//   alerts take only what replies leave; replies beyond the limit are never held, they push the alerts back (at most
//   about a second: the schedule never runs further ahead).
// - One message per second per person: the person's gap key (by pseudonym) holds 'a' for a second after an alert,
//   'r' for a second after a reply (set by the flush). An alert waits for the key to go; a reply never does (Telegram
//   allows a short burst in a private chat: a reply right after an alert is fine).
// A 429 (to an alert or to a reply) sets `pausedUntil`: alerts wait it out; replies never look at it (the channel's
// own retry waits out a 429 that Telegram gave to that reply).
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/keys.ts';
import { luaScript, runLua } from '../infra/lua.ts';
import type { SendBudgetPort } from '../ports/bulk-send.ts';
import type { ChannelName, ChatRef } from '../ports/chat.ts';
import { BUDGET_TTL_MS, REDIS_NOW as NOW } from './budget-lua.ts';
import { AlertKeys } from './keys.ts';
import { ReplyTally } from './reply-tally.ts';

/** How far off its slot a message may reach the platform with every second still within the limit. */
export const MARGIN_MS = 40;
/** An alert's request starts at most this long after its slot (the rest of the margin is the network's). */
export const MAX_LAG_MS = 25;
/** Alerts book slots at most this far ahead: `min` beyond a slow Redis round trip of the moment (measured), so the
 * pace never waits for one. */
export const HORIZON_MS = { min: 20, max: 120 };
/** Replies flushed to the budget this often (they went already: the count only moves the alerts' schedule). */
export const FLUSH_MS = 5;
/** The schedule never runs further ahead than this: replies beyond the limit hold alerts back about a second. */
const ACTIVE_MS = 1000 + MARGIN_MS;
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

// Alert slots, each with the chat's second and the pair's booking, for several pairs in one step (in line order), so
// a slot is never taken for nothing. Per pair, after the budget's key: KEYS gap, outcomes; ARGV[6 + i] the pair.
//   {'settled'}                   the pair already has an outcome: nothing to send, no slot used
//   {'wait', ms}                  paused by a 429, or the next free slot is beyond the horizon: ask again in ms (the
//                                 pairs after it are not looked at: they wait too)
//   {'chat', ms}                  the person got a message less than a second before the slot: again in ms
//   {'claimed' | 'resend', slot, now}  the slot (Redis time) is booked and the pair marked `booked` (resend: an
//                                 earlier request may have reached the person: `booked?`). The worker marks it
//                                 `sending` (`sending?`) as its request starts (alert-store.ts markSending).
const TAKE = luaScript(
  'kf:budget-take',
  {
    keys: ['budget'],
    argv: ['intervalMs', 'horizonMs', 'perChatMs', 'leadMs', 'replyIntervalMs', 'activeMs'],
  },
  `${NOW}
local interval = tonumber(ARGV[1])
-- While people are chatting, the slots are a little further apart (see replyIntervalMs).
if tonumber(redis.call('HGET', KEYS[1], 'replyAt') or '0') > now - tonumber(ARGV[6]) then interval = tonumber(ARGV[5]) end
local paused = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
if paused > now then return {{'wait', math.ceil(paused - now)}} end
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '0')
local open = { booked = 'booked', sending = 'booked?', ['booked?'] = 'booked?', ['sending?'] = 'booked?' }
local out, booked = {}, false
local stamp = string.format('%.3f', now)
for i = 1, #ARGV - 6 do
  local gapKey, outcomes, pair = KEYS[2 * i], KEYS[2 * i + 1], ARGV[6 + i]
  local cur = redis.call('HGET', outcomes, pair)
  if cur and not open[cur] then
    out[i] = {'settled'}
  else
    -- Never sooner than the answer can reach the process (a slot in the past could only be missed).
    if tat < now + tonumber(ARGV[4]) then tat = now + tonumber(ARGV[4]) end
    local ahead = tat - now
    if ahead > tonumber(ARGV[2]) then
      out[i] = {'wait', math.max(1, math.ceil(ahead - tonumber(ARGV[2])))}
      break
    end
    local gap = redis.call('PTTL', gapKey)
    if gap > ahead then
      out[i] = {'chat', math.ceil(gap - ahead)}
    else
      redis.call('SET', gapKey, 'a', 'PX', math.ceil(ahead) + tonumber(ARGV[3]))
      local state = cur and open[cur] or 'booked'
      redis.call('HSET', outcomes, pair, state)
      out[i] = {state == 'booked?' and 'resend' or 'claimed', string.format('%.3f', tat), stamp}
      redis.call('HSET', KEYS[1], 'alertAt', string.format('%.3f', tat))
      tat = tat + interval
      booked = true
    end
  end
end
if booked then
  redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', tat))
  redis.call('PEXPIRE', KEYS[1], ${BUDGET_TTL_MS})
end
return out
`,
);

// Just before a booked slot: the slot goes to a reply counted since (`debt`, see CHARGE_REPLIES) and the alert asks
// again ('yield', its chat's second freed), or it keeps it ('go'). 'settled': another run settled the pair meanwhile;
// 'again': another run gave it back (ask again).
const CONFIRM = luaScript(
  'kf:budget-confirm',
  { keys: ['budget', 'gap', 'outcomes'], argv: ['pair', 'activeMs'] },
  `${NOW}
local cur = redis.call('HGET', KEYS[3], ARGV[1])
if not cur then return 'again' end
if cur ~= 'booked' and cur ~= 'booked?' and cur ~= 'sending' and cur ~= 'sending?' then return 'settled' end
local debt = tonumber(redis.call('HGET', KEYS[1], 'debt') or '0')
if debt >= 1 and tonumber(redis.call('HGET', KEYS[1], 'debtAt') or '0') >= now - tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'debt', debt - 1)
  if redis.call('GET', KEYS[2]) == 'a' then redis.call('DEL', KEYS[2]) end
  return 'yield'
end
return 'go'
`,
);

export type Confirm = 'go' | 'yield' | 'settled' | 'again';

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
  private readonly replies: ReplyTally;

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
    this.replies = new ReplyTally(redis, {
      budgetKey: this.key,
      intervalMs: this.intervalMs,
      activeMs: ACTIVE_MS,
      perChatMs: this.perChatMs,
      flushMs: FLUSH_MS,
      gapOf: (chat) => this.gapOf(chat),
      onError: this.ignore,
    });
  }

  /** The person's gap key (named by pseudonym): exists for a second after a message to them. */
  gapOf(chat: ChatRef): string {
    return this.alertKeys.chatGap(this.keys.person(chat));
  }

  noteSend(chat: ChatRef): void {
    this.replies.sent(chat);
  }

  noteAnswered(chat: ChatRef): void {
    this.replies.answered(chat);
  }

  /** Resolves once every reply noted so far is in Redis (tests, shutdown). */
  flush(): Promise<void> {
    return this.replies.flush();
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

  /**
   * One try at an alert slot for each of these pairs, in order, in one Redis step (see TAKE); the pairs after a
   * 'wait' wait as long. `outcomes`: the outcomes hash of the pair's alert.
   */
  async takeMany(asks: readonly { chat: ChatRef; outcomes: string; pair: string }[]): Promise<Take[]> {
    const keys = [this.key, ...asks.flatMap((ask) => [this.gapOf(ask.chat), ask.outcomes])];
    const argv = [
      this.intervalMs,
      this.horizonMs(),
      this.perChatMs,
      this.leadMs(),
      this.replyIntervalMs(),
      ACTIVE_MS,
      ...asks.map((ask) => ask.pair),
    ];
    const askedAt = localNow();
    let answer: unknown;
    try {
      answer = await this.redis.evalsha(TAKE.sha, keys.length, ...keys, ...argv);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
      answer = await this.redis.eval(TAKE.source, keys.length, ...keys, ...argv);
    }
    const answeredAt = localNow();
    const rows = answer as [string, (number | string)?, string?][];
    const takes: Take[] = [];
    let waitMs = 1;
    for (const [kind, a, b] of rows) {
      if (kind === 'settled') takes.push({ kind });
      else if (kind === 'wait' || kind === 'chat') {
        takes.push({ kind, ms: Number(a) });
        if (kind === 'wait') waitMs = Number(a);
      } else if (kind === 'claimed' || kind === 'resend') {
        this.clock.sample(Number(b), askedAt, answeredAt);
        takes.push({ kind, startAt: this.clock.toLocal(Number(a)) });
      } else throw new Error(`send budget: unexpected answer ${kind}`);
    }
    // The pairs the script did not look at wait with the one that stopped it.
    while (takes.length < asks.length) takes.push({ kind: 'wait', ms: waitMs });
    return takes;
  }

  /** Just before a booked slot (see CONFIRM): 'go' keeps it. */
  async confirm(chat: ChatRef, outcomes: string, pair: string): Promise<Confirm> {
    const answer = await runLua(
      this.redis,
      CONFIRM,
      { budget: this.key, gap: this.gapOf(chat), outcomes },
      { pair, activeMs: ACTIVE_MS },
    );
    if (answer === 'go' || answer === 'yield' || answer === 'settled' || answer === 'again') return answer;
    throw new Error(`send budget: unexpected answer ${String(answer)}`);
  }

  /** A slot is booked at least this far ahead: a slow round trip of the moment (a busy machine answers slowly). */
  leadMs(): number {
    return Math.min(HORIZON_MS.max - HORIZON_MS.min, 1.5 * this.clock.slowRttMs);
  }

  /**
   * The slots' interval while replies are being counted (one came less than a second ago). A reply goes at once and
   * takes the next alert slot confirmed after its count reached Redis: up to a flush, a round trip and one interval
   * after it went. So a second may hold a reply and, up to that long before it, the alert of the slot it takes: the
   * slots are that much further apart (at 30/s: about 27.7/s instead of 28.8/s; at 1,000/s: 955/s instead of
   * 961/s, on a quiet machine).
   */
  replyIntervalMs(): number {
    const extraMs = this.intervalMs + FLUSH_MS + this.leadMs();
    return (this.intervalMs * (1000 + MARGIN_MS + extraMs)) / (1000 + MARGIN_MS);
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

// One send budget per platform, in Redis, shared by every process and by replies and alerts alike: no sliding
// second (window: 1 s + MARGIN_MS) ever holds more than the limit, replies and alerts together (budget-lua.ts: the
// window's log and the repliers' tokens). Times are Redis's (TIME), one clock for every process.
// - Alerts keep an even pace (GCRA, "virtual scheduling"): `tat` is the time of the next free slot, one interval
//   (window / limit) after the last. An alert books the next free slot when it is at most the horizon ahead; just
//   before it, CONFIRM counts the sliding window: the slot is kept only if the window has room (else it goes to the
//   replies that filled it, and the alert asks again). Its request starts at the slot, not before and never more than
//   MAX_LAG_MS after (else the slot is given up: see broadcast-worker.ts).
// - Replies come first: a reply goes at once, without a Redis round trip, on a token its process holds (reply-tally.ts);
//   the tally every FLUSH_MS writes the replies that went and renews the tokens; each reply also moves `tat` on by an
//   interval, so the alerts' pace leaves room for them. A reply without a token waits one round trip; only in a
//   window that is really full does it wait for the oldest send to leave it.
// - One message per second per person: the person's gap key (by pseudonym) holds 'a' for a second after an alert,
//   'r' for a second after a reply (set by the tally). An alert waits for the key to go; a reply never does (Telegram
//   allows a short burst in a private chat: a reply right after an alert is fine).
// A 429 (to an alert or to a reply) sets `pausedUntil`: alerts wait it out; replies never look at it (the channel's
// own retry waits out a 429 that Telegram gave to that reply).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/keys.ts';
import { luaScript, runLua } from '../infra/lua.ts';
import type { SendBudgetPort } from '../ports/bulk-send.ts';
import type { ChannelName, ChatRef } from '../ports/chat.ts';
import type { AnswerPlace } from './alert-store.ts';
import { ALERTS_QUIET, BUDGET_TTL_MS, LIVE_TOKENS, REDIS_NOW as NOW } from './budget-lua.ts';
import { AlertKeys } from './keys.ts';
import { ReplyTally, type ReplyWaits } from './reply-tally.ts';

/** What the clocks may be off by (each process sees Redis's through a round trip), and a send answered later than
 * ANSWER_CAP_MS: the window counted is 1 s plus this. */
export const MARGIN_MS = 5;
/** A send counts in the window from its answer (the latest it can have reached the platform), or, while it has none,
 * from this long after it left (a slower answer does not move it: beyond this, MARGIN_MS is what is left). */
export const ANSWER_CAP_MS = 100;
/** An alert's request starts at most this long after its slot. */
export const MAX_LAG_MS = 25;
/** Alerts book slots at most this far ahead: `min` beyond a slow Redis round trip of the moment (measured), so the
 * pace never waits for one. */
export const HORIZON_MS = { min: 20, max: 120 };
/** Replies flushed to the budget this often. */
export const FLUSH_MS = 5;
/** The sliding window every count uses. */
export const WINDOW_MS = 1000 + MARGIN_MS;
/** The schedule never runs further ahead than this: replies beyond the limit hold alerts back about a second. */
const ACTIVE_MS = WINDOW_MS;
/**
 * Alerts that start (none booked within a window) book their first slot this far ahead: longer than a replying
 * process goes on the word "no alerts" it was last told (reply-tally.ts FREE_FOR_MS) plus a tally, so every process
 * counts its replies against the alerts' second before the first alert goes.
 */
export const START_LEAD_MS = 350;
// A 429: bulk sends wait until now + ms (never shortened by a shorter one).
const PAUSE = luaScript(
  'kf:budget-pause',
  { keys: ['budget'], argv: ['ms'] },
  `${NOW}
${ALERTS_QUIET}
local untilAt = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
if untilAt > cur then redis.call('HSET', KEYS[1], 'pausedUntil', string.format('%.3f', untilAt)) end
-- A broadcast that pauses is still one: replies keep counting against it through the pause.
local alertAt = tonumber(redis.call('HGET', KEYS[1], 'alertAt') or '0')
if not alertsQuiet(KEYS[1], now, ${WINDOW_MS}) and untilAt > alertAt then
  redis.call('HSET', KEYS[1], 'alertAt', string.format('%.3f', untilAt))
end
redis.call('PEXPIRE', KEYS[1], ${BUDGET_TTL_MS})
return 1
`,
);

// Alert slots, each with the chat's second and the pair's booking, for several pairs in one step (in line order), so
// a slot is never taken for nothing. Per pair, after the budget's keys: KEYS gap, outcomes; ARGV[5 + i] the pair.
//   {'settled'}                   the pair already has an outcome: nothing to send, no slot used
//   {'wait', ms}                  the next free slot (after a 429's pause at the earliest) is beyond the horizon:
//                                 ask again in ms (the pairs after it are not looked at: they wait too)
//   {'chat', ms}                  the person got a message less than a second before the slot: again in ms
//   {'claimed' | 'resend', slot, now}  the slot (Redis time) is booked and the pair marked `booked` (resend: an
//                                 earlier request may have reached the person: `booked?`). The worker marks it
//                                 `sending` (`sending?`) as its request starts (alert-store.ts markSending).
const TAKE = luaScript(
  'kf:budget-take',
  { keys: ['budget', 'leases'], argv: ['limit', 'windowMs', 'horizonMs', 'perChatMs', 'leadMs'] },
  `${NOW}
${LIVE_TOKENS}
${ALERTS_QUIET}
-- The window's room, less the reply tokens held (the alerts leave them): so the pace asks for no slot the window
-- would refuse.
local window = tonumber(ARGV[2])
local interval = window / math.max(1, tonumber(ARGV[1]) - liveTokens(KEYS[2], now, window, ''))
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '0')
local stamp = string.format('%.3f', now)
-- Alerts want to send (booked or not): replies ask for room (reply-tally.ts). Alerts starting: replying processes
-- learn it (the tallies' answers) before the first slot.
if alertsQuiet(KEYS[1], now, window) then
  tat = math.max(tat, now + ${START_LEAD_MS})
  redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', tat))
end
-- (Never moved back: a pause may have carried it ahead.)
if tonumber(redis.call('HGET', KEYS[1], 'alertAt') or '0') < now then redis.call('HSET', KEYS[1], 'alertAt', stamp) end
redis.call('PEXPIRE', KEYS[1], ${BUDGET_TTL_MS})
-- Paused by a 429: no slot before its end (booked ahead like any other, so the alerts resume on time).
local paused = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0')
if tat < paused then tat = paused end
local open = { booked = 'booked', sending = 'booked?', ['booked?'] = 'booked?', ['sending?'] = 'booked?' }
local out, booked = {}, false
for i = 1, #ARGV - 5 do
  local gapKey, outcomes, pair = KEYS[2 * i + 1], KEYS[2 * i + 2], ARGV[5 + i]
  local cur = redis.call('HGET', outcomes, pair)
  if cur and not open[cur] then
    out[i] = {'settled'}
  else
    -- Never sooner than the answer can reach the process (a slot in the past could only be missed).
    if tat < now + tonumber(ARGV[5]) then tat = now + tonumber(ARGV[5]) end
    local ahead = tat - now
    if ahead > tonumber(ARGV[3]) then
      out[i] = {'wait', math.max(1, math.ceil(ahead - tonumber(ARGV[3])))}
      break
    end
    local gap = redis.call('PTTL', gapKey)
    if gap > ahead then
      out[i] = {'chat', math.ceil(gap - ahead)}
    else
      redis.call('SET', gapKey, 'a', 'PX', math.ceil(ahead) + tonumber(ARGV[4]))
      local state = cur and open[cur] or 'booked'
      redis.call('HSET', outcomes, pair, state)
      out[i] = {state == 'booked?' and 'resend' or 'claimed', string.format('%.3f', tat), stamp}
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

// Just before a booked slot: 'go' if the sliding window has room for it (the log from a window before the slot to
// its end, the slots confirmed ahead included, and every process's live reply tokens), and the slot enters the log
// (at the latest it may reach the platform: moved to its answer when that comes); 'full': the window went to replies, the
// alert asks again (its chat's second freed; the schedule gets the slot's interval back, and its next slot is no
// sooner than the window has room). 'paused': a 429 paused the alerts since the slot was booked (asks
// again, after the pause). 'settled': another run settled the pair meanwhile; 'again': another run gave it back
// (ask again).
const CONFIRM = luaScript(
  'kf:budget-confirm',
  {
    keys: ['budget', 'gap', 'outcomes', 'log', 'leases'],
    argv: ['pair', 'limit', 'windowMs', 'slot', 'member', 'lagMs'],
  },
  `${NOW}
${LIVE_TOKENS}
local cur = redis.call('HGET', KEYS[3], ARGV[1])
if not cur then return 'again' end
if cur ~= 'booked' and cur ~= 'booked?' and cur ~= 'sending' and cur ~= 'sending?' then return 'settled' end
local window, slot = tonumber(ARGV[3]), tonumber(ARGV[4])
-- A 429 came since the slot was booked: not before the pause ends.
if tonumber(redis.call('HGET', KEYS[1], 'pausedUntil') or '0') > slot then
  if redis.call('GET', KEYS[2]) == 'a' then redis.call('DEL', KEYS[2]) end
  return 'paused'
end
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - window)
local from = '(' .. string.format('%.3f', slot - window)
local used = redis.call('ZCOUNT', KEYS[4], from, '+inf')
local limit, tokens = tonumber(ARGV[2]), liveTokens(KEYS[5], slot, window, '')
if used + tokens + 1 > limit then
  if redis.call('GET', KEYS[2]) == 'a' then redis.call('DEL', KEYS[2]) end
  -- The schedule counted this slot: it gets its interval back, but no slot before the window has room (when
  -- enough of its sends have left it), so the next one is neither lost nor refused again.
  local over = used + tokens + 1 - limit
  local oldest = redis.call('ZRANGEBYSCORE', KEYS[4], from, '+inf', 'WITHSCORES', 'LIMIT', over - 1, 1)
  local roomAt = oldest[2] and tonumber(oldest[2]) + window or slot
  local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '0')
  local interval = window / math.max(1, limit - tokens)
  redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', math.max(tat - interval, roomAt)))
  return 'full'
end
redis.call('ZADD', KEYS[4], string.format('%.3f', slot + tonumber(ARGV[6])), ARGV[5])
redis.call('PEXPIRE', KEYS[4], ${BUDGET_TTL_MS})
return 'go'
`,
);

export type Confirm = 'go' | 'full' | 'paused' | 'settled' | 'again';

export type Take =
  | { kind: 'settled' }
  | { kind: 'wait'; ms: number }
  | { kind: 'chat'; ms: number }
  /** `startAt`: the slot, on this process's clock (SendBudget.localNow); `slot`: the same on Redis's. */
  | { kind: 'claimed' | 'resend'; startAt: number; slot: number };

export type SendBudgetOptions = {
  channel: ChannelName;
  /** ALERTS_RATE_PER_SECOND: the platform's limit for all sends together. */
  ratePerSecond: number;
  /** Minimum time between two messages to one chat (default 1000 ms). */
  perChatIntervalMs?: number;
  onError?: (error: unknown) => void;
};

/**
 * The alerts' even pace for a limit: `limit` slots per window of 1 s + MARGIN_MS (30/s -> 29.85/s, 1,000/s ->
 * 995/s), replies included (less the reply tokens held while people chat: see TAKE).
 */
export function paceOf(ratePerSecond: number): number {
  return (ratePerSecond * 1000) / WINDOW_MS;
}

export class SendBudget implements SendBudgetPort {
  readonly key: string;
  readonly logKey: string;
  readonly leasesKey: string;
  readonly limit: number;
  readonly intervalMs: number;
  readonly perChatMs: number;
  private readonly alertKeys: AlertKeys;
  private readonly ignore: (error: unknown) => void;
  private readonly clock = new RedisClock();
  private readonly replies: ReplyTally;
  /** Names this process's alert sends in the window's log (random: names no person). */
  private readonly sendId = randomBytes(4).toString('hex');
  private sends = 0;
  /** The end of the last 429 pause this process set (local clock). */
  private pausedUntilLocal = 0;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    options: SendBudgetOptions,
  ) {
    this.key = keys.key('budget', options.channel);
    this.logKey = keys.key('budget', options.channel, 'log');
    this.leasesKey = keys.key('budget', options.channel, 'leases');
    this.limit = Math.max(1, Math.floor(options.ratePerSecond));
    this.intervalMs = 1000 / paceOf(options.ratePerSecond);
    this.perChatMs = options.perChatIntervalMs ?? 1000;
    this.alertKeys = new AlertKeys(keys);
    this.ignore = options.onError ?? (() => undefined);
    this.replies = new ReplyTally(redis, {
      budgetKey: this.key,
      logKey: this.logKey,
      leasesKey: this.leasesKey,
      limit: this.limit,
      windowMs: WINDOW_MS,
      intervalMs: this.intervalMs,
      activeMs: ACTIVE_MS,
      perChatMs: this.perChatMs,
      flushMs: FLUSH_MS,
      // One token in hand per 100 of the limit (at least one): what an idle window costs the alerts while people chat.
      standingTokens: Math.max(1, Math.floor(this.limit / 100)),
      answerCapMs: ANSWER_CAP_MS,
      gapOf: (chat) => this.gapOf(chat),
      onError: this.ignore,
    });
  }

  /** The person's gap key (named by pseudonym): exists for a second after a message to them. */
  gapOf(chat: ChatRef): string {
    return this.alertKeys.chatGap(this.keys.person(chat));
  }

  beforeSend(chat: ChatRef): Promise<void> | undefined {
    return this.replies.acquire(chat);
  }

  noteAnswered(chat: ChatRef): void {
    this.replies.answered(chat);
  }

  /** Resolves once every reply noted so far is in Redis (tests). */
  flush(): Promise<void> {
    return this.replies.flush();
  }

  /** At shutdown: the replies noted so far are written, and this process's reply tokens given back. */
  close(): Promise<void> {
    return this.replies.close();
  }

  /** Replies that went, and those that waited for a token (how long). */
  get replyWaits(): ReplyWaits {
    return this.replies.waits;
  }

  noteRateLimited(retryAfterMs: number): void {
    this.pause(retryAfterMs).catch(this.ignore);
  }

  async pause(retryAfterMs: number): Promise<void> {
    const until = localNow() + retryAfterMs;
    if (until > this.pausedUntilLocal) this.pausedUntilLocal = until;
    await runLua(this.redis, PAUSE, { budget: this.key }, { ms: Math.max(1, retryAfterMs) });
  }

  /**
   * A 429 this process got is still running (its own clock, no round trip): a slot confirmed before it must not
   * start. (Another process's 429 reaches this one through Redis, at the next confirmation.)
   */
  pausedHere(): boolean {
    return localNow() < this.pausedUntilLocal;
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
    const keys = [this.key, this.leasesKey, ...asks.flatMap((ask) => [this.gapOf(ask.chat), ask.outcomes])];
    const argv = [
      this.limit,
      WINDOW_MS,
      this.horizonMs(),
      this.perChatMs,
      this.leadMs(),
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
        takes.push({ kind, startAt: this.clock.toLocal(Number(a)), slot: Number(a) });
      } else throw new Error(`send budget: unexpected answer ${kind}`);
    }
    // The pairs the script did not look at wait with the one that stopped it.
    while (takes.length < asks.length) takes.push({ kind: 'wait', ms: waitMs });
    return takes;
  }

  /**
   * Just before a booked slot (see CONFIRM): 'go' keeps it, and `send` names it in the window's log (for started
   * and forget).
   */
  async confirm(
    chat: ChatRef,
    outcomes: string,
    pair: string,
    slot: number,
  ): Promise<{ answer: Confirm; send: string }> {
    // Named with its slot: it cannot reach the platform before (see TALLY).
    const send = `${this.sendId}:a${++this.sends}@${slot.toFixed(3)}`;
    const answer = await runLua(
      this.redis,
      CONFIRM,
      { budget: this.key, gap: this.gapOf(chat), outcomes, log: this.logKey, leases: this.leasesKey },
      {
        pair,
        limit: this.limit,
        windowMs: WINDOW_MS,
        slot: slot.toFixed(3),
        member: send,
        lagMs: MAX_LAG_MS + ANSWER_CAP_MS,
      },
    );
    if (answer === 'go' || answer === 'full' || answer === 'paused' || answer === 'settled' || answer === 'again') {
      return { answer, send };
    }
    throw new Error(`send budget: unexpected answer ${String(answer)}`);
  }

  /**
   * The platform answered the confirmed send that started at `startedAt` (local): its place in the log moves to now
   * (on Redis's clock, never before the true one; at most ANSWER_CAP_MS after it started). Written on `marks`
   * (commands go at once), not waited for.
   */
  answered(marks: Redis, send: string, startedAt: number): void {
    const place = this.answerPlace(send, startedAt);
    marks.zadd(place.key, 'XX', place.at, place.member).catch(() => undefined);
  }

  /** Where the confirmed send that started at `startedAt` (local) counts now that it is answered (see answered): for
   * the pair's settlement to write, in the same step. */
  answerPlace(send: string, startedAt: number): AnswerPlace {
    const at = this.clock.toRedisLate(Math.min(localNow(), startedAt + ANSWER_CAP_MS));
    return { key: this.logKey, member: send, at: at.toFixed(3) };
  }

  /** A confirmed slot given up before its request started: out of the log. */
  async forget(send: string): Promise<void> {
    await this.redis.zrem(this.logKey, send);
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

  /** A local moment on Redis's clock, at or after the true one (the offset is off by at most half a round trip). */
  toRedisLate(localTime: number): number {
    return localTime + this.offset + (Number.isFinite(this.bestRtt) ? this.bestRtt / 2 : 0);
  }
}

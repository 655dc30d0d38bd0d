// Published alerts and what happened to each (alert, person) pair. The outcome of a pair moves only forward:
//   (none) -> booked -> sending -> sent | blocked | failed   a normal send, settled only once Telegram has answered
//   booked | sending -> (none)                         nothing was sent (429, 5xx, or too late for its slot): again
//   sending -> sending?                                the request may have reached the person and we do not know:
//                                                      no answer, or the process died while it was in flight
//   sending? -> booked? -> sending? -> resent | blocked | failed   sent again (a possible duplicate rather than a
//                                                      silent miss)
//   (none) -> skipped | expired                        not sent (unsubscribed or paused since, or too late)
// `booked` is set in the same Redis step that books the send slot (send-budget.ts TAKE); `sending` as the request
// starts (markSending: written to Redis before the request is, not waited for). So a crash leaves
// `sending` only on pairs whose request may have reached Telegram; a pair left `booked` never left this machine and
// is simply sent after the restart (pending). Only pairs that were `sending` are resent as uncertain and counted so.
// A job run twice (a stall, a retried fan-out) never sends a settled pair again.
// A pair is named by its pseudonym (pseudonym.ts), never by the chat id; `recipients` maps the pseudonym to the chat
// only until the pair is settled.
import type { Redis } from 'ioredis';
import { luaScript, runLua } from '../infra/lua.ts';
import type { Alert } from './alert-file.ts';
import type { AlertKeys } from './keys.ts';

export type AlertState = 'scheduled' | 'sending' | 'done';

/** `unconfirmed`: alerts sent before resends existed (a crash while sending, never resent). */
export type Outcome = 'sent' | 'resent' | 'blocked' | 'failed' | 'unconfirmed' | 'skipped' | 'expired';

/** Why a pair failed, counted per reason. */
export type FailReason =
  /** Telegram refused it (400 chat not found, message too long...). */
  | 'refused'
  /** Telegram answered 5xx to every attempt. */
  | 'telegram_error'
  /** No answer to any attempt (network): it may have arrived. */
  | 'no_answer'
  /** The job failed in our code, or its workers kept dying. */
  | 'worker_error';

export type StoredAlert = {
  alert: Alert;
  state: AlertState;
  publishedAt: number;
  /** Audience counted when it was published (the preview). */
  estimate: number;
  /** People the broadcast goes to, fixed when it starts; null before. */
  total: number | null;
  finishedAt: number | null;
};

export type AlertReport = {
  id: string;
  state: AlertState;
  total: number | null;
  estimate: number;
  /** Delivered: Telegram answered with the message (includes `uncertain`). */
  sent: number;
  /** Delivered, after a first attempt whose request may also have reached the person (a crash while it was in
   * flight, or no answer): these people may have it twice. */
  uncertain: number;
  /** Not yet settled (includes messages in flight). */
  pending: number;
  /** Not delivered: refused by Telegram or out of attempts (by reason in failedReasons). */
  failed: number;
  failedReasons: Partial<Record<FailReason | 'interrupted', number>>;
  /** Old alerts only: interrupted by a crash while sending and never resent (counted in failed as `interrupted`). */
  unconfirmed: number;
  blocked: number;
  /** Unsubscribed or paused after publication. */
  skipped: number;
  /** Not sent because the alert had expired. */
  expired: number;
  sendAt: number | null;
  publishedAt: number;
  finishedAt: number | null;
  /** Processes able to send it now (a bot with Telegram connected, or a sending terminal); 0: it waits. */
  senders: number;
};

/** Alerts and their records are kept this long after publication. */
export const ALERT_RETENTION_MS = 90 * 86_400_000;

const OUTCOME_FIELDS = ['sent', 'resent', 'blocked', 'failed', 'unconfirmed', 'skipped', 'expired'] as const;
const FAIL_REASONS = ['refused', 'telegram_error', 'no_answer', 'worker_error'] as const;

// Marks the alert done once every person of the audience has an outcome. KEYS[2] counts, KEYS[3] alert in every
// script that includes it.
const CHECK_DONE = `
local function checkDone(now)
  local total = tonumber(redis.call('HGET', KEYS[3], 'total') or '-1')
  if total < 0 then return end
  local settled = 0
  local counts = redis.call('HGETALL', KEYS[2])
  -- 'failed:<reason>' fields detail 'failed': not counted twice.
  for i = 2, #counts, 2 do
    if not string.find(counts[i - 1], ':', 1, true) then settled = settled + tonumber(counts[i]) end
  end
  if settled >= total and redis.call('HGET', KEYS[3], 'state') ~= 'done' then
    redis.call('HSET', KEYS[3], 'state', 'done', 'finishedAt', now)
  end
end
`;

// Returns 1 when counted, 0 when the pair was already settled. `record` '1': write the pair's outcome; '0': count
// only. `reason`: failed only, or ''. Either way the pair's chat is forgotten. A pair sent after an uncertain attempt
// is `resent`. `gap`, `gapMs`: the person's second starts now (Telegram answered), '' / 0 for none. `log`,
// `logMember`, `logAt`: the send's place in the budget's log moves to its answer (send-budget.ts answerPlace), ''
// for none.
const SETTLE = luaScript(
  'kf:alerts-settle',
  {
    keys: ['outcomes', 'counts', 'alert', 'recipients', 'gap', 'log'],
    argv: ['pair', 'outcome', 'now', 'record', 'reason', 'gapMs', 'logMember', 'logAt'],
  },
  `${CHECK_DONE}
if tonumber(ARGV[6]) > 0 then redis.call('SET', KEYS[5], 'a', 'PX', ARGV[6]) end
if ARGV[7] ~= '' then redis.call('ZADD', KEYS[6], 'XX', ARGV[8], ARGV[7]) end
redis.call('HDEL', KEYS[4], ARGV[1])
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local open = { booked = 1, sending = 1, ['booked?'] = 1, ['sending?'] = 1, unconfirmed = 1 }
if cur and not open[cur] then return 0 end
if cur == 'unconfirmed' then redis.call('HINCRBY', KEYS[2], 'unconfirmed', -1) end
local outcome = ARGV[2]
if outcome == 'sent' and (cur == 'sending?' or cur == 'booked?') then outcome = 'resent' end
if cur or ARGV[4] == '1' then redis.call('HSET', KEYS[1], ARGV[1], outcome) end
redis.call('HINCRBY', KEYS[2], outcome, 1)
if ARGV[5] ~= '' then redis.call('HINCRBY', KEYS[2], 'failed:' .. ARGV[5], 1) end
checkDone(ARGV[3])
return 1
`,
);

// Gives a claim back for another attempt: 'nothing' (Telegram answered that nothing was sent: 429, 5xx, or the
// request never left) keeps what was known before; 'maybe' (no answer) marks it uncertain.
const RELEASE = luaScript(
  'kf:alerts-release',
  { keys: ['outcomes'], argv: ['pair', 'how'] },
  `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur == 'booked?' or (ARGV[2] == 'maybe' and (cur == 'booked' or cur == 'sending')) then
  redis.call('HSET', KEYS[1], ARGV[1], 'sending?')
elseif cur == 'booked' or cur == 'sending' then
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return 1
`,
);

// The request of a booked pair starts now: `booked` -> `sending`, `booked?` -> `sending?` (anything else: left).
const MARK_SENDING = luaScript(
  'kf:alerts-mark-sending',
  { keys: ['outcomes'], argv: ['pair'] },
  `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur == 'booked' then redis.call('HSET', KEYS[1], ARGV[1], 'sending')
elseif cur == 'booked?' then redis.call('HSET', KEYS[1], ARGV[1], 'sending?') end
return 1
`,
);

// The member a pair stands for (nil once settled), with their subscription hash (flat), in one step: the person's
// key is `personPrefix` .. member (keys.ts AlertKeys.person). Members named `telegram:<id>` (broadcasts started
// before pseudonyms) come alone: their key is a keyed hash the caller computes.
const RECIPIENT = luaScript(
  'kf:alerts-recipient',
  { keys: ['recipients'], argv: ['pair', 'personPrefix'] },
  `
local member = redis.call('HGET', KEYS[1], ARGV[1])
if not member then return {} end
if string.sub(member, 1, 9) == 'telegram:' then return {member} end
return {member, redis.call('HGETALL', ARGV[2] .. member)}
`,
);

// Returns 0 if the id is taken.
const CREATE = luaScript(
  'kf:alerts-create',
  { keys: ['alert', 'index'], argv: ['id', 'json', 'now', 'estimate', 'sendAt', 'keepUntil'] },
  `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'state', 'scheduled', 'publishedAt', ARGV[3], 'estimate', ARGV[4],
  'sendAt', ARGV[5], 'keepUntil', ARGV[6])
redis.call('PEXPIREAT', KEYS[1], ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
`,
);

// Fixes the audience size once; returns the size in force.
const START = luaScript(
  'kf:alerts-start',
  { keys: ['outcomes', 'counts', 'alert'], argv: ['total', 'now'] },
  `${CHECK_DONE}
local total = redis.call('HGET', KEYS[3], 'total')
if total then return tonumber(total) end
redis.call('HSET', KEYS[3], 'total', ARGV[1], 'state', 'sending', 'startedAt', ARGV[2])
checkDone(ARGV[2])
return tonumber(ARGV[1])
`,
);

/** Where an answered send now counts in the budget's log (send-budget.ts answerPlace). */
export type AnswerPlace = { key: string; member: string; at: string };

/** The keys of one alert's pairs, by the names the scripts give them. */
export type PairKeys = { outcomes: string; counts: string; alert: string; recipients: string };

export class AlertStore {
  constructor(
    private readonly redis: Redis,
    readonly keys: AlertKeys,
  ) {}

  /** Records a new alert; false if an alert with this id was already published. */
  async create(alert: Alert, now: number, estimate: number): Promise<boolean> {
    const keepUntil = Math.max(now, alert.sendAt ?? 0, alert.expires ?? 0) + ALERT_RETENTION_MS;
    await this.redis.zremrangebyscore(this.keys.index, '-inf', now - ALERT_RETENTION_MS);
    const created = await runLua(
      this.redis,
      CREATE,
      { alert: this.keys.alert(alert.id), index: this.keys.index },
      { id: alert.id, json: JSON.stringify(alert), now, estimate, sendAt: alert.sendAt ?? '', keepUntil },
    );
    return created === 1;
  }

  async get(id: string): Promise<StoredAlert | null> {
    const hash = await this.redis.hgetall(this.keys.alert(id));
    if (!hash.json) return null;
    return {
      alert: JSON.parse(hash.json) as Alert,
      state: (hash.state as AlertState | undefined) ?? 'scheduled',
      publishedAt: Number(hash.publishedAt ?? 0),
      estimate: Number(hash.estimate ?? 0),
      total: hash.total === undefined ? null : Number(hash.total),
      finishedAt: hash.finishedAt ? Number(hash.finishedAt) : null,
    };
  }

  /** Fixes the audience size when the broadcast starts (idempotent: a re-run keeps the first size). */
  async start(id: string, total: number, now: number): Promise<number> {
    const keepUntil = Number((await this.redis.hget(this.keys.alert(id), 'keepUntil')) ?? now + ALERT_RETENTION_MS);
    const size = Number(await runLua(this.redis, START, this.pairKeys(id), { total, now }));
    const pipeline = this.redis.pipeline();
    for (const key of [this.keys.audience(id), this.keys.outcomes(id), this.keys.counts(id)]) {
      pipeline.pexpireat(key, keepUntil);
    }
    await pipeline.exec();
    return size;
  }

  /** Remembers which chat each pair pseudonym stands for, until the pair is settled. */
  async addRecipients(id: string, pairs: readonly (readonly [pair: string, member: string])[]): Promise<void> {
    if (pairs.length === 0) return;
    const key = this.keys.recipients(id);
    await this.redis.pipeline().hset(key, Object.fromEntries(pairs)).pexpire(key, ALERT_RETENTION_MS).exec();
  }

  /**
   * The member a pair stands for and their subscription hash, in one round trip (null once the pair is settled or the
   * person erased their data; `person` null for a legacy `telegram:` member, to be read by the caller).
   */
  async recipientWithPerson(
    id: string,
    pair: string,
  ): Promise<{ member: string; person: Record<string, string> | null } | null> {
    const answer = (await runLua(
      this.redis,
      RECIPIENT,
      { recipients: this.keys.recipients(id) },
      { pair, personPrefix: this.keys.person('') },
    )) as [string?, string[]?];
    const [member, flat] = answer;
    if (member === undefined) return null;
    if (!flat) return { member, person: null };
    const person: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) person[flat[i]!] = flat[i + 1]!;
    return { member, person };
  }

  /**
   * Records the outcome of a pair; false if it already had one. `record: false` counts without recording. `gap`:
   * the person's chat second (send-budget.ts gapOf) starts now, in the same step (Telegram just answered). `answer`:
   * the send's place in the budget's log moves to its answer (send-budget.ts answerPlace), in the same step too.
   */
  async settle(
    id: string,
    pair: string,
    outcome: Exclude<Outcome, 'resent' | 'unconfirmed'>,
    now: number,
    options: {
      record?: boolean;
      reason?: FailReason;
      gap?: { key: string; ms: number };
      answer?: AnswerPlace;
    } = {},
  ): Promise<boolean> {
    const settled = await runLua(
      this.redis,
      SETTLE,
      // Without a gap or an answer, the key is not touched (any key of the alert's slot stands in).
      {
        ...this.pairKeys(id),
        gap: options.gap?.key ?? this.keys.alert(id),
        log: options.answer?.key ?? this.keys.alert(id),
      },
      {
        pair,
        outcome,
        now,
        record: options.record === false ? '0' : '1',
        reason: options.reason ?? '',
        gapMs: options.gap?.ms ?? 0,
        logMember: options.answer?.member ?? '',
        logAt: options.answer?.at ?? '',
      },
    );
    return settled === 1;
  }

  /**
   * The pair's request starts now (booked -> sending). Not waited for: the command is written to Redis on `marks`
   * (a connection that writes at once, without auto-pipelining) before the request is, so a process killed after its
   * request left has marked it, and one killed before leaves it `booked` (pending: sent after the restart).
   */
  markSending(marks: Redis, id: string, pair: string): void {
    const key = this.keys.outcomes(id);
    marks.evalsha(MARK_SENDING.sha, 1, key, pair).catch((error: unknown) => {
      // After a Redis restart: late for this one (left `booked`), on time again for the next ones.
      if (error instanceof Error && error.message.includes('NOSCRIPT')) {
        marks.eval(MARK_SENDING.source, 1, key, pair).catch(() => undefined);
      }
    });
  }

  /** Loads the scripts sent by hash only (markSending) so that they do not answer NOSCRIPT. */
  static async loadScripts(redis: Redis): Promise<void> {
    await redis.script('LOAD', MARK_SENDING.source);
  }

  /** Gives a claimed pair back for another attempt (see RELEASE). */
  async release(id: string, pair: string, how: 'nothing' | 'maybe'): Promise<void> {
    await runLua(this.redis, RELEASE, { outcomes: this.keys.outcomes(id) }, { pair, how });
  }

  /** The keys of a pair of this alert (TAKE in send-budget.ts works on them too). */
  pairKeys(id: string): PairKeys {
    return {
      outcomes: this.keys.outcomes(id),
      counts: this.keys.counts(id),
      alert: this.keys.alert(id),
      recipients: this.keys.recipients(id),
    };
  }

  /** A process able to send says so every few seconds (`ttlMs` ahead); `null` ttl: it stops. */
  async heartbeat(sender: string, ttlMs: number | null): Promise<void> {
    if (ttlMs === null) await this.redis.zrem(this.keys.senders, sender);
    else await this.redis.zadd(this.keys.senders, Date.now() + ttlMs, sender);
  }

  /** Processes that said they can send within their last heartbeat. */
  async liveSenders(): Promise<number> {
    return this.redis.zcount(this.keys.senders, Date.now(), '+inf');
  }

  async report(id: string): Promise<AlertReport | null> {
    const [stored, counts, sendAt, senders] = await Promise.all([
      this.get(id),
      this.redis.hgetall(this.keys.counts(id)),
      this.redis.hget(this.keys.alert(id), 'sendAt'),
      this.liveSenders(),
    ]);
    if (!stored) return null;
    const n = Object.fromEntries(OUTCOME_FIELDS.map((f) => [f, Number(counts[f] ?? 0)])) as Record<
      (typeof OUTCOME_FIELDS)[number],
      number
    >;
    const settled = OUTCOME_FIELDS.reduce((sum, f) => sum + n[f], 0);
    const total = stored.total;
    const failedReasons: AlertReport['failedReasons'] = {};
    for (const reason of FAIL_REASONS) {
      const count = Number(counts[`failed:${reason}`] ?? 0);
      if (count > 0) failedReasons[reason] = count;
    }
    if (n.unconfirmed > 0) failedReasons.interrupted = n.unconfirmed;
    return {
      id,
      state: stored.state,
      total,
      estimate: stored.estimate,
      sent: n.sent + n.resent,
      uncertain: n.resent,
      pending: Math.max(0, (total ?? stored.estimate) - settled),
      failed: n.failed + n.unconfirmed,
      failedReasons,
      unconfirmed: n.unconfirmed,
      blocked: n.blocked,
      skipped: n.skipped,
      expired: n.expired,
      sendAt: sendAt ? Number(sendAt) : null,
      publishedAt: stored.publishedAt,
      finishedAt: stored.finishedAt,
      senders,
    };
  }
}

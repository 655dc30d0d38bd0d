// Published alerts and what happened to each (alert, person) pair. The outcome of a pair moves only forward:
//   (none) -> sending -> sent | blocked | failed          a normal send
//   (none) -> skipped | expired                           not sent (unsubscribed or paused since, or too late)
//   sending -> unconfirmed                                the worker died while sending: not sent again (at most
//                                                         once), counted as failed
// so a job run twice (after a crash, a stall, a retried fan-out) never sends twice, and the counts stay exact.
// A pair is named by its pseudonym (pseudonym.ts), never by the chat id; `recipients` maps the pseudonym to the chat
// only until the pair is settled.
import type { Redis } from 'ioredis';
import type { Alert } from './alert-file.ts';
import type { AlertKeys } from './keys.ts';
import { LuaScript } from './lua.ts';

export type AlertState = 'scheduled' | 'sending' | 'done';

export type Outcome = 'sent' | 'blocked' | 'failed' | 'unconfirmed' | 'skipped' | 'expired';

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
  sent: number;
  /** Not yet settled (includes messages in flight). */
  pending: number;
  /** Refused by Telegram, or interrupted by a crash while sending (`unconfirmed`, never sent twice). */
  failed: number;
  unconfirmed: number;
  blocked: number;
  /** Unsubscribed or paused after publication. */
  skipped: number;
  /** Not sent because the alert had expired. */
  expired: number;
  sendAt: number | null;
  publishedAt: number;
  finishedAt: number | null;
};

/** Alerts and their records are kept this long after publication. */
export const ALERT_RETENTION_MS = 90 * 86_400_000;

const OUTCOME_FIELDS = ['sent', 'blocked', 'failed', 'unconfirmed', 'skipped', 'expired'] as const;

// Marks the alert done once every person of the audience has an outcome. KEYS: outcomes, counts, alert.
const CHECK_DONE = `
local function checkDone(now)
  local total = tonumber(redis.call('HGET', KEYS[3], 'total') or '-1')
  if total < 0 then return end
  local settled = 0
  local counts = redis.call('HGETALL', KEYS[2])
  for i = 2, #counts, 2 do settled = settled + tonumber(counts[i]) end
  if settled >= total and redis.call('HGET', KEYS[3], 'state') ~= 'done' then
    redis.call('HSET', KEYS[3], 'state', 'done', 'finishedAt', now)
  end
end
`;

// KEYS: outcomes, counts, alert, recipients. ARGV: pair, now. Returns claimed | interrupted | settled.
const CLAIM = new LuaScript(`${CHECK_DONE}
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then
  redis.call('HSET', KEYS[1], ARGV[1], 'sending')
  return 'claimed'
end
redis.call('HDEL', KEYS[4], ARGV[1])
if cur == 'sending' then
  redis.call('HSET', KEYS[1], ARGV[1], 'unconfirmed')
  redis.call('HINCRBY', KEYS[2], 'unconfirmed', 1)
  checkDone(ARGV[2])
  return 'interrupted'
end
return 'settled'
`);

// KEYS: outcomes, counts, alert, recipients. ARGV: pair, outcome, now, record ('1': write the pair's outcome; '0':
// count only). Returns 1 when counted, 0 when the pair was already settled. Either way the pair's chat is forgotten.
const SETTLE = new LuaScript(`${CHECK_DONE}
redis.call('HDEL', KEYS[4], ARGV[1])
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and cur ~= 'sending' and cur ~= 'unconfirmed' then return 0 end
if cur == 'unconfirmed' then redis.call('HINCRBY', KEYS[2], 'unconfirmed', -1) end
if cur or ARGV[4] == '1' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
checkDone(ARGV[3])
return 1
`);

// KEYS: outcomes. ARGV: pair. Gives a claim back when Telegram answered that nothing was sent (429, 5xx).
const RELEASE = new LuaScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) == 'sending' then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1
`);

// KEYS: alert, index. ARGV: id, json, now, estimate, sendAt, keepUntil. Returns 0 if the id is taken.
const CREATE = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'state', 'scheduled', 'publishedAt', ARGV[3], 'estimate', ARGV[4],
  'sendAt', ARGV[5], 'keepUntil', ARGV[6])
redis.call('PEXPIREAT', KEYS[1], ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
`);

// KEYS: outcomes, counts, alert. ARGV: total, now. Fixes the audience size once; returns the size in force.
const START = new LuaScript(`${CHECK_DONE}
local total = redis.call('HGET', KEYS[3], 'total')
if total then return tonumber(total) end
redis.call('HSET', KEYS[3], 'total', ARGV[1], 'state', 'sending', 'startedAt', ARGV[2])
checkDone(ARGV[2])
return tonumber(ARGV[1])
`);

export class AlertStore {
  constructor(
    private readonly redis: Redis,
    readonly keys: AlertKeys,
  ) {}

  /** Records a new alert; false if an alert with this id was already published. */
  async create(alert: Alert, now: number, estimate: number): Promise<boolean> {
    const keepUntil = Math.max(now, alert.sendAt ?? 0, alert.expires ?? 0) + ALERT_RETENTION_MS;
    await this.redis.zremrangebyscore(this.keys.index, '-inf', now - ALERT_RETENTION_MS);
    const created = await CREATE.run(
      this.redis,
      [this.keys.alert(alert.id), this.keys.index],
      [alert.id, JSON.stringify(alert), now, estimate, alert.sendAt ?? '', keepUntil],
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
    const size = Number(await START.run(this.redis, this.pairKeys(id), [total, now]));
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

  /** The chat key a pair stands for; null once the pair is settled or the person erased their data. */
  recipient(id: string, pair: string): Promise<string | null> {
    return this.redis.hget(this.keys.recipients(id), pair);
  }

  /** Takes the pair before sending. `interrupted`: an earlier run died while sending it (now counted as failed). */
  async claim(id: string, pair: string, now: number): Promise<'claimed' | 'interrupted' | 'settled'> {
    return (await CLAIM.run(this.redis, this.pairKeys(id), [pair, now])) as 'claimed' | 'interrupted' | 'settled';
  }

  /** Records the outcome of a pair; false if it already had one. `record: false` counts without recording. */
  async settle(id: string, pair: string, outcome: Outcome, now: number, record = true): Promise<boolean> {
    const counted = await SETTLE.run(this.redis, this.pairKeys(id), [pair, outcome, now, record ? '1' : '0']);
    return counted === 1;
  }

  async release(id: string, pair: string): Promise<void> {
    await RELEASE.run(this.redis, [this.keys.outcomes(id)], [pair]);
  }

  async report(id: string): Promise<AlertReport | null> {
    const [stored, counts, sendAt] = await Promise.all([
      this.get(id),
      this.redis.hgetall(this.keys.counts(id)),
      this.redis.hget(this.keys.alert(id), 'sendAt'),
    ]);
    if (!stored) return null;
    const n = Object.fromEntries(OUTCOME_FIELDS.map((f) => [f, Number(counts[f] ?? 0)])) as Record<
      (typeof OUTCOME_FIELDS)[number],
      number
    >;
    const settled = OUTCOME_FIELDS.reduce((sum, f) => sum + n[f], 0);
    const total = stored.total;
    return {
      id,
      state: stored.state,
      total,
      estimate: stored.estimate,
      sent: n.sent,
      pending: Math.max(0, (total ?? stored.estimate) - settled),
      failed: n.failed + n.unconfirmed,
      unconfirmed: n.unconfirmed,
      blocked: n.blocked,
      skipped: n.skipped,
      expired: n.expired,
      sendAt: sendAt ? Number(sendAt) : null,
      publishedAt: stored.publishedAt,
      finishedAt: stored.finishedAt,
    };
  }

  private pairKeys(id: string): string[] {
    return [this.keys.outcomes(id), this.keys.counts(id), this.keys.alert(id), this.keys.recipients(id)];
  }
}

// Every change of a case's state is one Lua script, so that it is atomic: two staff pressing "Claim" at once, a
// deadline check running in two processes, an erasure racing a reply — each sees a consistent case and exactly one
// wins. KEYS[1] is the case hash (it carries the deployment's hash tag, so the script runs on Redis Cluster too); the
// indexes it touches are named from ARGV[1], the same root, hence the same slot.
//
// They run through the one loader (src/infra/lua.ts): KEYS and ARGV named in each script's header. Every state
// change starts with ARGV[1] root (`{kf}:ref`), ARGV[2] case number, ARGV[3] now (ms), ARGV[4] audit entry (JSON),
// and answers {'ok', partner before, claimer before} or {'<reason>', ...}.
import { type LuaScript, luaScript } from '../infra/lua.ts';

const PRELUDE = `
local base, no, now, audit = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local caseKey = KEYS[1]
local function q(partner, status) return base .. ':q:' .. partner .. ':' .. status end
local function log() redis.call('RPUSH', caseKey .. ':audit', audit) end
`;

const COMMON_ARGV = ['root', 'no', 'now', 'audit'] as const;
export type CommonArgv = (typeof COMMON_ARGV)[number];
/** A script that changes one case: the prelude, the common ARGV, then its own. */
export type CaseScript<A extends string> = LuaScript<'case', CommonArgv | A>;

function caseScript<const A extends string>(name: string, argv: readonly A[], body: string): CaseScript<A> {
  return luaScript(name, { keys: ['case'], argv: [...COMMON_ARGV, ...argv] }, PRELUDE + body);
}

/** KEYS: case, idempotency, person, pending. ARGV[5] fingerprint, [6] idempotency ttl (s), [7] fields (JSON object). */
export const CREATE = luaScript(
  'kf:case-create',
  {
    keys: ['case', 'idempotency', 'person', 'pending'],
    argv: [...COMMON_ARGV, 'fingerprint', 'idemTtlSeconds', 'fields'],
  },
  `${PRELUDE}
local existing = redis.call('GET', KEYS[2])
if existing then
  local other = base .. ':case:' .. existing
  if redis.call('HGET', other, 'fp') == ARGV[5] then
    return {'existing', existing, redis.call('HEXISTS', other, 'publishedAt')}
  end
end
if redis.call('EXISTS', caseKey) == 1 then return {'collision'} end
local fields = {}
for name, value in pairs(cjson.decode(ARGV[7])) do
  fields[#fields + 1] = name
  fields[#fields + 1] = value
end
redis.call('HSET', caseKey, unpack(fields))
redis.call('SET', KEYS[2], no, 'EX', ARGV[6])
redis.call('SADD', KEYS[3], no)
redis.call('ZADD', KEYS[4], now, no)
log()
return {'created', no, 0}
`,
);

/** Makes the case visible in its partner's queue, once. */
export const PUBLISH = caseScript(
  'kf:case-publish',
  [],
  `
redis.call('ZREM', base .. ':pending', no)
local c = redis.call('HMGET', caseKey, 'status', 'partner', 'publishedAt', 'waitingSince')
if not c[1] then return 'not_found' end
if c[3] then return 'already' end
redis.call('HSET', caseKey, 'publishedAt', now)
if c[1] == 'waiting' then
  redis.call('ZADD', q(c[2], 'waiting'), c[4], no)
  redis.call('ZADD', base .. ':deadlines', c[4], no)
end
log()
return 'published'
`,
);

// Rights are decided by policy.ts before a script runs; the scripts check that the case is still what the policy
// saw (its partner and its holder): a case moved or taken over in between answers 'stale' (or 'taken').

/** ARGV[5] actor, [6] expected partner. */
export const CLAIM = caseScript(
  'kf:case-claim',
  ['actor', 'partner'],
  `
local c = redis.call('HMGET', caseKey, 'status', 'partner', 'claimedBy')
if not c[1] then return {'not_found'} end
if c[2] ~= ARGV[6] then return {'stale'} end
if c[1] == 'closed' then return {'closed'} end
if c[1] == 'claimed' then return {'taken', c[3]} end
redis.call('HSET', caseKey, 'status', 'claimed', 'claimedBy', ARGV[5], 'claimedAt', now)
redis.call('HSETNX', caseKey, 'firstClaimedAt', now)
redis.call('ZREM', q(c[2], 'waiting'), no)
redis.call('ZREM', base .. ':deadlines', no)
redis.call('ZADD', q(c[2], 'claimed'), now, no)
log()
return {'ok', c[2]}
`,
);

/** ARGV[5] expected partner, [6] expected holder, [7] new holder. A colleague of the same partner gets the case. */
export const ASSIGN = caseScript(
  'kf:case-assign',
  ['partner', 'holder', 'newHolder'],
  `
local c = redis.call('HMGET', caseKey, 'status', 'partner', 'claimedBy')
if not c[1] then return {'not_found'} end
if c[1] == 'closed' then return {'closed'} end
if c[2] ~= ARGV[5] or (c[3] or '') ~= ARGV[6] then return {'stale'} end
redis.call('HSET', caseKey, 'status', 'claimed', 'claimedBy', ARGV[7], 'claimedAt', now)
redis.call('HSETNX', caseKey, 'firstClaimedAt', now)
redis.call('HDEL', caseKey, 'remindedAt')
redis.call('ZREM', q(c[2], 'waiting'), no)
redis.call('ZREM', base .. ':deadlines', no)
redis.call('ZADD', q(c[2], 'claimed'), now, no)
log()
return {'ok', c[2], c[3] or ''}
`,
);

/** ARGV[5] expected partner, [6] expected holder. */
export const RELEASE = caseScript(
  'kf:case-release',
  ['partner', 'holder'],
  `
local c = redis.call('HMGET', caseKey, 'status', 'partner', 'claimedBy')
if not c[1] then return {'not_found'} end
if c[1] ~= 'claimed' then return {'not_claimed'} end
if c[2] ~= ARGV[5] or c[3] ~= ARGV[6] then return {'stale'} end
redis.call('HSET', caseKey, 'status', 'waiting', 'waitingSince', now)
redis.call('HDEL', caseKey, 'claimedBy', 'claimedAt', 'remindedAt')
redis.call('ZREM', q(c[2], 'claimed'), no)
redis.call('ZADD', q(c[2], 'waiting'), now, no)
redis.call('ZADD', base .. ':deadlines', now, no)
log()
return {'ok', c[2], c[3]}
`,
);

/**
 * Moves the case to another partner: the person said yes to a proposed transfer, or a deadline escalation.
 * ARGV[5] expected partner, [6] expected holder ('' = none), [7] target partner, [8] expected waitingSince ('' =
 * any: an escalation only moves a case still in the waiting period it saw), [9] escalation ('1'), [10] expected
 * proposal ('' = none needed; else the case must still carry this proposed target).
 */
export const TRANSFER = caseScript(
  'kf:case-transfer',
  ['partner', 'holder', 'to', 'waitingSince', 'escalation', 'proposal'],
  `
local c = redis.call('HMGET', caseKey, 'status', 'partner', 'claimedBy', 'waitingSince', 'proposedTo')
if not c[1] then return {'not_found'} end
if c[1] == 'closed' then return {'closed'} end
if c[2] ~= ARGV[5] or (c[3] or '') ~= ARGV[6] then return {'stale'} end
if ARGV[8] ~= '' and (c[1] ~= 'waiting' or c[4] ~= ARGV[8]) then return {'stale'} end
if ARGV[10] ~= '' and c[5] ~= ARGV[10] then return {'stale'} end
if c[2] == ARGV[7] then return {'same_partner'} end
redis.call('ZREM', q(c[2], c[1]), no)
redis.call('HSET', caseKey, 'partner', ARGV[7], 'status', 'waiting', 'waitingSince', now)
redis.call('HDEL', caseKey, 'claimedBy', 'claimedAt', 'remindedAt', 'proposedTo', 'proposedBy', 'proposedAt')
if ARGV[9] == '1' then redis.call('HSET', caseKey, 'escalatedAt', now) end
redis.call('ZADD', q(ARGV[7], 'waiting'), now, no)
redis.call('ZADD', base .. ':deadlines', now, no)
log()
return {'ok', c[2], c[3] or ''}
`,
);

/**
 * A transfer proposed to the person: ARGV[5] expected partner, [6] expected holder, [7] target, [8] proposer, [9]
 * expected waitingSince ('' = a staff proposal; else the deadline's: once per waiting period, none pending).
 */
export const PROPOSE = caseScript(
  'kf:case-propose',
  ['partner', 'holder', 'to', 'proposer', 'waitingSince'],
  `
local c = redis.call('HMGET', caseKey, 'status', 'partner', 'claimedBy', 'erasedAt', 'purgedAt', 'waitingSince',
  'proposedTo', 'escalatedAt')
if not c[1] then return {'not_found'} end
if c[1] == 'closed' then return {'closed'} end
if c[4] or c[5] then return {'erased'} end
if c[2] ~= ARGV[5] or (c[3] or '') ~= ARGV[6] then return {'stale'} end
if c[2] == ARGV[7] then return {'same_partner'} end
if ARGV[9] ~= '' then
  if c[1] ~= 'waiting' or c[6] ~= ARGV[9] or c[7] then return {'stale'} end
  if c[8] and tonumber(c[8]) >= tonumber(c[6]) then return {'stale'} end
  redis.call('HSET', caseKey, 'escalatedAt', now)
end
redis.call('HSET', caseKey, 'proposedTo', ARGV[7], 'proposedBy', ARGV[8], 'proposedAt', now)
log()
return {'ok', c[2], c[3] or ''}
`,
);

/** The person said no (or staff withdrew the proposal): ARGV[5] the proposal being ended. */
export const END_PROPOSAL = caseScript(
  'kf:case-end-proposal',
  ['proposal'],
  `
local c = redis.call('HMGET', caseKey, 'status', 'proposedTo')
if not c[1] then return {'not_found'} end
if c[2] ~= ARGV[5] then return {'stale'} end
redis.call('HDEL', caseKey, 'proposedTo', 'proposedBy', 'proposedAt')
log()
return {'ok'}
`,
);

/** ARGV[5] expected partner, [6] expected holder, [7] outcome, [8] sealed note ('' = none), [9] actor. */
export const CLOSE = caseScript(
  'kf:case-close',
  ['partner', 'holder', 'outcome', 'note', 'actor'],
  `
local c = redis.call('HMGET', caseKey, 'status', 'partner', 'claimedBy')
if not c[1] then return {'not_found'} end
if c[1] == 'closed' then return {'closed'} end
if c[2] ~= ARGV[5] or (c[3] or '') ~= ARGV[6] then return {'stale'} end
redis.call('ZREM', q(c[2], c[1]), no)
redis.call('ZREM', base .. ':deadlines', no)
redis.call('HSET', caseKey, 'status', 'closed', 'closedAt', now, 'closedBy', ARGV[9], 'outcome', ARGV[7])
redis.call('HDEL', caseKey, 'proposedTo', 'proposedBy', 'proposedAt')
if ARGV[8] ~= '' then redis.call('HSET', caseKey, 'note', ARGV[8]) end
redis.call('ZADD', q(c[2], 'closed'), now, no)
redis.call('ZADD', base .. ':retention', now, no)
log()
return {'ok', c[2], c[3] or ''}
`,
);

/**
 * ARGV[5] expected waitingSince: one reminder per waiting period, whoever checks. ARGV[6] '1' when no deadline is
 * left after it (the case is with the fallback partner): it leaves the deadline index.
 */
export const REMIND = caseScript(
  'kf:case-remind',
  ['waitingSince', 'last'],
  `
local c = redis.call('HMGET', caseKey, 'status', 'waitingSince', 'remindedAt')
if c[1] ~= 'waiting' or c[2] ~= ARGV[5] or c[3] then return 0 end
redis.call('HSET', caseKey, 'remindedAt', now)
if ARGV[6] == '1' then redis.call('ZREM', base .. ':deadlines', no) end
log()
return 1
`,
);

/**
 * ARGV[5] sealed message, [6] required claimer ('' = any), [7] the message's key ('' = none). Only while claimed and
 * not erased. A key appended before is not appended again: 'duplicate' (staff not yet told) or 'told' (see
 * relay-marks.ts), whatever the case's state now.
 */
export const APPEND_MESSAGE = caseScript(
  'kf:case-append-message',
  ['sealed', 'claimer', 'key'],
  `
local c = redis.call('HMGET', caseKey, 'status', 'claimedBy', 'erasedAt', 'purgedAt')
if not c[1] then return 'not_found' end
if c[3] or c[4] then return 'erased' end
local marks = caseKey .. ':relayed'
if ARGV[7] ~= '' then
  local mark = redis.call('HGET', marks, ARGV[7])
  if mark then return mark == 'told' and 'told' or 'duplicate' end
end
if c[1] ~= 'claimed' then return 'not_claimed' end
if ARGV[6] ~= '' and c[2] ~= ARGV[6] then return 'forbidden' end
redis.call('RPUSH', caseKey .. ':msgs', ARGV[5])
if ARGV[7] ~= '' then redis.call('HSET', marks, ARGV[7], 'appended') end
log()
return 'ok'
`,
);

/**
 * Removes the personal data of a case: ARGV[5] 'erased' (the person asked) or 'purged' (retention), [6] how long the
 * remaining record (status, dates, audit) is kept after a purge, in seconds.
 */
export const SCRUB = caseScript(
  'kf:case-scrub',
  ['mode', 'recordTtlSeconds'],
  `
local c = redis.call('HMGET', caseKey, 'status', 'idem', 'person', 'erasedAt', 'purgedAt', 'partner')
local purge = ARGV[5] == 'purged'
if purge then redis.call('ZREM', base .. ':retention', no) end
if not c[1] then return 0 end
if c[5] or (not purge and c[4]) then return 0 end
redis.call('HDEL', caseKey, 'chat', 'personal', 'note', 'fp', 'person', 'idem')
redis.call('DEL', caseKey .. ':msgs', caseKey .. ':notes', caseKey .. ':relayed')
if c[2] then
  local idem = base .. ':idem:' .. c[2]
  if redis.call('GET', idem) == no then redis.call('DEL', idem) end
end
if c[3] then redis.call('SREM', base .. ':person:' .. c[3], no) end
redis.call('HSET', caseKey, purge and 'purgedAt' or 'erasedAt', now)
log()
if purge then
  redis.call('EXPIRE', caseKey, ARGV[6])
  redis.call('EXPIRE', caseKey .. ':audit', ARGV[6])
  redis.call('ZREMRANGEBYSCORE', q(c[6], 'closed'), '-inf', tonumber(now) - tonumber(ARGV[6]) * 1000)
end
return 1
`,
);

// Small scripts of one case outside its state changes.

/** Ends our announcement lease only: if it expired and another worker took it, theirs stays. */
export const END_LEASE = luaScript(
  'kf:case-end-lease',
  { keys: ['lease'], argv: ['token'] },
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
);

/** Once per claim: 1 for the one caller that may remind the holder of a first reply. */
export const MARK_REPLY_REMINDED = luaScript(
  'kf:case-mark-reply-reminded',
  { keys: ['case', 'audit'], argv: ['claimedAt', 'now', 'entry'] },
  `
local c = redis.call('HMGET', KEYS[1], 'status', 'claimedAt', 'replyRemindedAt')
if c[1] ~= 'claimed' or c[2] ~= ARGV[1] or (c[3] and tonumber(c[3]) >= tonumber(ARGV[1])) then return 0 end
redis.call('HSET', KEYS[1], 'replyRemindedAt', ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[3])
return 1
`,
);

/** When staff last wrote to the person (a case that no longer exists is not recreated). */
export const MARK_REPLIED = luaScript(
  'kf:case-mark-replied',
  { keys: ['case'], argv: ['now'] },
  "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'repliedAt', ARGV[1]) end return 1",
);

/** Appends a sealed internal note, unless the case's data was erased or purged: 1, else 0. */
export const APPEND_NOTE = luaScript(
  'kf:case-append-note',
  { keys: ['case', 'notes'], argv: ['sealed'] },
  `
local c = redis.call('HMGET', KEYS[1], 'no', 'erasedAt', 'purgedAt')
if not c[1] or c[2] or c[3] then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
return 1
`,
);

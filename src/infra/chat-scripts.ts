// The Lua scripts of a chat's turn (see redis-chat-state.ts). A session is stored as "<rev>|<sealed session>";
// "<rev>|" alone is an erased session whose journal is not finished yet (the revision lives on with it).
import { luaScript } from './lua.ts';

/**
 * The flood count, the lock and the load in one round trip: bumps the person's counter (when `windowMs` is given;
 * its window starts with its first bump), then takes the lock if free and reads the session, the journal, (when
 * `readMembers` is given) the members of a set the turn reads with the lock (the person's cases) and (when
 * `readHash` is given) the fields of a hash it reads too (the person's alert subscription, HGETALL's flat list).
 * Returns { 1 (taken) or 0 (someone else holds the lock), session, journal, count (0: not counted), members, hash }.
 */
export const COUNT_LOCK_AND_LOAD = luaScript(
  'kf:chat-count-lock-and-load',
  {
    keys: ['lock', 'session', 'journal', 'counter', 'members', 'hash'],
    argv: ['token', 'lockTtlMs', 'windowMs', 'readMembers', 'readHash'],
  },
  `
local n = 0
if ARGV[3] ~= '' then
  n = redis.call('INCR', KEYS[4])
  if n == 1 then redis.call('PEXPIRE', KEYS[4], ARGV[3]) end
end
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return { 0, '', '', n, {}, {} } end
local members, hash = {}, {}
if ARGV[4] ~= '' then members = redis.call('SMEMBERS', KEYS[5]) end
if ARGV[5] ~= '' then hash = redis.call('HGETALL', KEYS[6]) end
return { 1, redis.call('GET', KEYS[2]) or '', redis.call('GET', KEYS[3]) or '', n, members, hash }
`,
);

/** Takes the lock if free and reads the session and the journal under it; nil when someone else holds the lock. */
export const LOCK_AND_LOAD = luaScript(
  'kf:chat-lock-and-load',
  { keys: ['lock', 'session', 'journal'], argv: ['token', 'lockTtlMs'] },
  `
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return false end
return { redis.call('GET', KEYS[2]) or '', redis.call('GET', KEYS[3]) or '' }
`,
);

/** Takes the lock if free (nothing read): 1, or 0 when someone else holds it. */
export const LOCK = luaScript(
  'kf:chat-lock',
  { keys: ['lock'], argv: ['token', 'lockTtlMs'] },
  `
if redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return 1 end
return 0
`,
);

/** Keeps a live holder's lock: 1, or 0 when the lock is no longer this holder's. */
export const RENEW = luaScript(
  'kf:chat-lock-renew',
  { keys: ['lock'], argv: ['token', 'lockTtlMs'] },
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`,
);

export const RELEASE = luaScript(
  'kf:chat-lock-release',
  { keys: ['lock'], argv: ['token'] },
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
);

/**
 * Compare-and-set of the session and its journal together: 1 when the stored revision was `rev` and the change is
 * written (the session, or its erasure; the journal, or none), 0 when it was not (nothing written). With a token,
 * the holder's lock is released in the same step.
 */
export const COMMIT = luaScript(
  'kf:chat-commit',
  {
    keys: ['session', 'journal', 'lock', 'pending'],
    argv: ['rev', 'value', 'ttlMs', 'journalValue', 'releaseToken', 'tombstone', 'person', 'nowMs'],
  },
  `
local cur = redis.call('GET', KEYS[1])
local curRev = 0
if cur then curRev = tonumber(string.match(cur, '^(%d+)|')) or 0 end
if curRev ~= tonumber(ARGV[1]) then return 0 end
if ARGV[2] ~= '' then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
elseif ARGV[4] ~= '' then
  redis.call('SET', KEYS[1], ARGV[6], 'PX', ARGV[3])
else
  redis.call('DEL', KEYS[1])
end
if ARGV[4] ~= '' then
  redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3])
  redis.call('ZADD', KEYS[4], ARGV[8], ARGV[7])
else
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[4], ARGV[7])
end
if ARGV[5] ~= '' and redis.call('GET', KEYS[3]) == ARGV[5] then redis.call('DEL', KEYS[3]) end
return 1
`,
);

/**
 * The journal `journalValue` is carried out: forgets it (not a newer one) and an erased session's tombstone, or
 * replaces it by `keep` (a record that is no longer pending); with a token, releases the holder's lock too.
 */
export const FINISH = luaScript(
  'kf:chat-finish',
  {
    keys: ['journal', 'session', 'lock', 'pending'],
    argv: ['journalValue', 'releaseToken', 'keep', 'ttlMs', 'person'],
  },
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('ZREM', KEYS[4], ARGV[5])
  if ARGV[3] ~= '' then
    redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
  else
    redis.call('DEL', KEYS[1])
    local cur = redis.call('GET', KEYS[2])
    if cur and string.match(cur, '^%d+|$') then redis.call('DEL', KEYS[2]) end
  end
end
if ARGV[2] ~= '' and redis.call('GET', KEYS[3]) == ARGV[2] then redis.call('DEL', KEYS[3]) end
return 1
`,
);

/** Saves the session if the stored revision is still `rev` (the lock-free SessionStore). */
export const SAVE_IF_REV = luaScript(
  'kf:session-save-if-rev',
  { keys: ['session'], argv: ['rev', 'value', 'ttlMs'] },
  `
local cur = redis.call('GET', KEYS[1])
local curRev = 0
if cur then curRev = tonumber(string.match(cur, '^(%d+)|')) or 0 end
if curRev ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`,
);

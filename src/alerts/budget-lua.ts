// What the send budget's scripts share (send-budget.ts, reply-tally.ts).
//
// Besides the budget hash (`tat`, `pausedUntil`, ...), two keys hold what a sliding second contains:
// - `log`, a sorted set of the sends of the last window, scored by Redis time at the latest moment the send can have
//   reached the platform: its answer, or (no answer yet) ANSWER_CAP_MS after it left, or after its slot for an alert
//   confirmed but not started. Alerts enter it at their confirmation, replies at their process's next tally; each
//   moves to its answer when that comes;
// - `leases`, per process that replies (field: its random id, never a person), `tokens:until`: replies that process
//   may send at once, without asking, until `until` (Redis ms). They count as sends for everyone else until
//   `until` plus a window, so a process that died with tokens in hand still holds the limit.
// Every decision that adds a send (an alert's confirmation, a tally granting tokens) counts the log from one window
// back to the end (the slots already confirmed ahead included) plus the other processes' live tokens: so no sliding
// window ever holds more than the limit.
import { luaScript } from '../infra/lua.ts';

/** The budget's keys live this long after their last use. */
export const BUDGET_TTL_MS = 3_600_000;

/** Lua: `now`, Redis time in ms with µs precision (one clock for every process). */
export const REDIS_NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
`;

/**
 * Lua: `liveTokens(leasesKey, at, window, skip)`: the tokens of the leases still counted at `at` (all but `skip`'s);
 * forgets those that no longer count.
 */
export const LIVE_TOKENS = `local function liveTokens(leasesKey, at, window, skip)
  local sum, all = 0, redis.call('HGETALL', leasesKey)
  for i = 1, #all, 2 do
    local tokens, untilAt = string.match(all[i + 1], '^([^:]+):(.+)$')
    if tonumber(untilAt) + window <= at then redis.call('HDEL', leasesKey, all[i])
    elseif all[i] ~= skip then sum = sum + tonumber(tokens) end
  end
  return sum
end
`;

/**
 * Lua: `alertsQuiet(budgetKey, now, window)`: true when no alert asked for a slot within a window (TAKE marks
 * `alertAt`; a 429 pause during a broadcast carries it to the pause's end). Then replies are not limited.
 */
export const ALERTS_QUIET = `local function alertsQuiet(budgetKey, now, window)
  return tonumber(redis.call('HGET', budgetKey, 'alertAt') or '0') <= now - window
end
`;

// A process's replies since its last tally (where each goes in the log: ms before the moment the tally left), and its
// lease renewed: `grant` tokens, at most `want`, no more than the fullest window they may fall in leaves (the log,
// the others' live tokens), and never fewer than `keep` (the tokens it holds unused: replies may be using them while
// this runs). While it replies, it holds at least `floor` tokens in the others' eyes. The alerts' schedule moves on
// by one interval per reply, never more than `activeMs` ahead. Answers {grant, retryMs, free}: retryMs > 0 when the
// window is full, the time until its oldest send leaves it; free = 1 when alerts are quiet (replies then go without
// tokens until an answer says otherwise). KEYS after the third: the gap keys of the people who got a reply since the
// last tally, each set to 'r' for `perChatMs` (an alert to them waits that long), first.
export const TALLY = luaScript(
  'kf:budget-tally',
  {
    keys: ['budget', 'log', 'leases'],
    argv: ['id', 'limit', 'windowMs', 'intervalMs', 'activeMs', 'want', 'keep', 'floor', 'ttlMs', 'sends', 'perChatMs'],
  },
  `${REDIS_NOW}
${LIVE_TOKENS}
${ALERTS_QUIET}
for i = 4, #KEYS do redis.call('SET', KEYS[i], 'r', 'PX', ARGV[11]) end
local id, limit, window = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local want, keep = tonumber(ARGV[6]), tonumber(ARGV[7])
local function at(x) return string.format('%.3f', x) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
local n = 0
-- 'n<seq>:<age>' a reply not in the log yet, 'u<seq>:<age>' one already in it that was answered since: its place
-- is 'age' ms before now (the latest it can have reached the platform).
for kind, seq, age in string.gmatch(ARGV[10], '([nu])(%d+):([^,]+)') do
  local member, score = id .. ':r' .. seq, at(now - tonumber(age))
  if kind == 'n' then
    n = n + 1
    redis.call('ZADD', KEYS[2], score, member)
  else
    redis.call('ZADD', KEYS[2], 'XX', score, member)
  end
end
if n > 0 then
  local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '0')
  if tat < now then tat = now end
  tat = math.min(tat + n * tonumber(ARGV[4]), now + tonumber(ARGV[5]))
  redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', tat))
end
-- No alert booked within a window: nothing else shares the platform's second, replies are not limited (the bot
-- answers everyone at once); the lease still holds the floor, so a broadcast that starts leaves it room.
if alertsQuiet(KEYS[1], now, window) then
  local floor = tonumber(ARGV[8])
  if floor > 0 then
    redis.call('HSET', KEYS[3], id, floor .. ':' .. string.format('%.3f', now + tonumber(ARGV[9])))
  else
    redis.call('HDEL', KEYS[3], id)
  end
  for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ${BUDGET_TTL_MS}) end
  return {want, 0, 1}
end
-- The fullest window a reply from now on can fall in. A send still ahead of now (no answer yet) may reach the
-- platform any time up to its place: it counts in every window from now on, except an alert confirmed but not
-- started, named '...@<slot>': it cannot arrive before its slot, so it counts from there.
local fullest = redis.call('ZCOUNT', KEYS[2], '(' .. at(now - window), at(now))
local lows, early = {}, 0
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. at(now), '+inf')) do
  local low = tonumber(string.match(member, '@(.+)$') or '')
  if low and low > now then lows[#lows + 1] = low else early = early + 1 end
end
table.sort(lows)
fullest = fullest + early
for i, low in ipairs(lows) do
  fullest = math.max(fullest, redis.call('ZCOUNT', KEYS[2], '(' .. at(low - window), at(now)) + early + i)
end
local room = limit - fullest - liveTokens(KEYS[3], now, window, id)
local grant = math.max(math.min(want, room), keep)
-- Held for the others: never less than the floor while the process replies, even when the window has no room for
-- it now (the alerts then leave that room as soon as a send leaves the window: the next reply finds it).
local held = math.max(grant, tonumber(ARGV[8]))
if held > 0 then
  redis.call('HSET', KEYS[3], id, held .. ':' .. string.format('%.3f', now + tonumber(ARGV[9])))
else
  redis.call('HDEL', KEYS[3], id)
end
local retryMs = 0
if want > grant then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  retryMs = 1
  if oldest[2] then retryMs = math.max(1, math.ceil(tonumber(oldest[2]) + window - now)) end
end
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ${BUDGET_TTL_MS}) end
return {grant, retryMs, 0}
`,
);

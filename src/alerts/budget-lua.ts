// What the send budget's scripts share (send-budget.ts, reply-tally.ts).
import { luaScript } from '../infra/lua.ts';

/** The budget hash lives this long after its last use. */
export const BUDGET_TTL_MS = 3_600_000;

/** Lua: `now`, Redis time in ms with µs precision (one clock for every process). */
export const REDIS_NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
`;

// `count` replies went out. While alerts hold booked slots ahead (`alertAt`, the last booked, is still to come), the
// next alerts to start give theirs to these replies (`debt`, paid by CONFIRM in send-budget.ts): so a reply's share
// is taken at its own moment, not after the slots booked before it was counted. Otherwise the schedule moves on by
// one interval per reply, from now at the earliest. Neither ever runs more than `activeMs` ahead: replies beyond the
// limit hold the alerts back about a second, not longer.
export const CHARGE_REPLIES = luaScript(
  'kf:budget-charge-replies',
  { keys: ['budget'], argv: ['count', 'intervalMs', 'activeMs'] },
  `${REDIS_NOW}
local count, interval, active = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'replyAt', string.format('%.3f', now))
if tonumber(redis.call('HGET', KEYS[1], 'alertAt') or '0') > now then
  local debt = tonumber(redis.call('HGET', KEYS[1], 'debt') or '0')
  if tonumber(redis.call('HGET', KEYS[1], 'debtAt') or '0') < now - active then debt = 0 end
  debt = math.min(debt + count, math.ceil(active / interval))
  redis.call('HSET', KEYS[1], 'debt', debt, 'debtAt', string.format('%.3f', now))
else
  local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '0')
  if tat < now then tat = now end
  tat = math.min(tat + count * interval, now + active)
  redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', tat))
end
redis.call('PEXPIRE', KEYS[1], ${BUDGET_TTL_MS})
return 1
`,
);

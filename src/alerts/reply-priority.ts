// Replies to people go before bulk alerts. Replies are not queued: the channel sends them at once. Installed on the
// channel's interactive Api (`bot.api.config.use(replyPriority(...))`), this transformer makes every reply count
// against the alerts send queue's limiter window, so in a second with N replies the broadcast sends N fewer
// messages; marks the chat as just written to, so an alert does not follow a reply within the per-chat second;
// and when a reply meets a 429, pauses the broadcast for retry_after as well (the limit is the bot's, not the
// queue's). The bookkeeping never delays or fails a reply: it runs beside the call, errors ignored.
import type { Transformer } from 'grammy';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/keys.ts';
import { limiterWindow, sendLimiterKey } from './broadcast.ts';
import { AlertKeys } from './keys.ts';
import { LuaScript } from './lua.ts';

/** Bot API methods that put a message in a chat. */
const SENDING_METHODS = new Set([
  'sendMessage',
  'sendVoice',
  'sendAudio',
  'sendPhoto',
  'sendDocument',
  'sendVideo',
  'sendSticker',
  'sendLocation',
  'sendContact',
  'copyMessage',
  'forwardMessage',
]);

// KEYS: limiter, chat gap. ARGV: window ms, per-chat ms. Same counting as BullMQ's limiter: INCR, and the window
// starts (PEXPIRE) with its first message.
const NOTE_REPLY = new LuaScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return n
`);

export type ReplyPriorityOptions = {
  /** ALERTS_RATE_PER_SECOND: gives the send queue's limiter window (see limiterWindow). */
  ratePerSecond: number;
  perChatIntervalMs?: number;
  onError?: (error: unknown) => void;
};

export function replyPriority(redis: Redis, keys: RedisKeys, options: ReplyPriorityOptions): Transformer {
  const limiter = sendLimiterKey(keys);
  const alertKeys = new AlertKeys(keys);
  const windowMs = limiterWindow(options.ratePerSecond).duration;
  const perChatMs = options.perChatIntervalMs ?? 1000;
  const ignore = options.onError ?? (() => undefined);

  return async (prev, method, payload, signal) => {
    const chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
    if (!SENDING_METHODS.has(method) || chatId === undefined) return prev(method, payload, signal);
    NOTE_REPLY.run(redis, [limiter, alertKeys.chatGap(String(chatId))], [windowMs, perChatMs]).catch(ignore);
    const response = await prev(method, payload, signal);
    // The chat's second runs from when Telegram had the reply.
    redis.set(alertKeys.chatGap(String(chatId)), '1', 'PX', perChatMs).catch(ignore);
    const retryAfter = !response.ok && response.error_code === 429 ? response.parameters?.retry_after : undefined;
    if (retryAfter !== undefined) {
      // What BullMQ's queue.rateLimit(ms) does: the limiter counter set out of reach until retry_after has passed.
      redis.set(limiter, String(Number.MAX_SAFE_INTEGER), 'PX', retryAfter * 1000).catch(ignore);
    }
    return response;
  };
}

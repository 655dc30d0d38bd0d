// Replies share the platform's send budget with bulk alerts (ports/bulk-send.ts): installed innermost on the
// channel's interactive Api (the adapter's `budget` option), every attempt of every message the bot sends to a chat
// takes its share of the sliding second as it goes: at once while the second has room (no round trip: the count
// reaches Redis a few ms later), after the oldest send leaves it when it is full. A 429 Telegram gives to one pauses
// bulk sends. The reply's own 429 is waited out by the retry transformer
// outside it (errors.ts), on the reply's schedule.
import type { Transformer } from 'grammy';
import type { SendBudgetPort } from '../../ports/bulk-send.ts';

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

export function budgetTransformer(budget: SendBudgetPort): Transformer {
  return async (prev, method, payload, signal) => {
    const chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
    if (!SENDING_METHODS.has(method) || chatId === undefined) return prev(method, payload, signal);
    // Neither an alert booked before it nor an alert that just went to this person holds a reply (Telegram allows a
    // short burst in a private chat; alerts keep their distance from people who chat instead): only a full second.
    const chat = { channel: 'telegram' as const, id: String(chatId) };
    const wait = budget.beforeSend(chat);
    if (wait) await wait;
    const response = await prev(method, payload, signal);
    budget.noteAnswered(chat);
    const retryAfter = !response.ok && response.error_code === 429 ? response.parameters?.retry_after : undefined;
    if (retryAfter !== undefined) budget.noteRateLimited(retryAfter * 1000);
    return response;
  };
}

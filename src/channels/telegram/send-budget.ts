// Replies share the platform's send budget with bulk alerts (ports/bulk-send.ts): installed innermost on the
// channel's interactive Api (the adapter's `budget` option), every attempt of every message the bot sends to a chat
// is counted as it goes, without waiting for anything (the count reaches Redis a few ms later, off the reply's way),
// and a 429 Telegram gives to one pauses bulk sends. The reply's own 429 is waited out by the retry transformer
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
    // At once: neither an alert booked before it nor an alert that just went to this person holds a reply
    // (Telegram allows a short burst in a private chat; alerts keep their distance from people who chat instead).
    const chat = { channel: 'telegram' as const, id: String(chatId) };
    budget.noteSend(chat);
    const response = await prev(method, payload, signal);
    budget.noteAnswered(chat);
    const retryAfter = !response.ok && response.error_code === 429 ? response.parameters?.retry_after : undefined;
    if (retryAfter !== undefined) budget.noteRateLimited(retryAfter * 1000);
    return response;
  };
}

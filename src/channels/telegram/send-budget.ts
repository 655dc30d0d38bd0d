// Replies share the platform's send budget with bulk alerts (ports/bulk-send.ts): installed innermost on the
// channel's interactive Api (the adapter's `budget` option), every attempt of every message the bot sends to a chat
// is noted as it goes (replies first: it never waits for the budget), and a 429 Telegram gives to one pauses bulk
// sends. The reply's own 429 is waited out by the retry transformer outside it (errors.ts), on the reply's schedule.
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
    // Usually 0 at once; the rest of the chat's second when an alert just went to this person (Telegram would
    // refuse the reply with a 429 that pauses everything).
    const chat = { channel: 'telegram' as const, id: String(chatId) };
    const wait = await budget.noteSend(chat);
    if (wait > 0) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      // The slot taken a moment ago went unused: the message takes one now, when it goes.
      await budget.noteSend(chat);
    }
    const response = await prev(method, payload, signal);
    budget.noteAnswered(chat);
    const retryAfter = !response.ok && response.error_code === 429 ? response.parameters?.retry_after : undefined;
    if (retryAfter !== undefined) budget.noteRateLimited(retryAfter * 1000);
    return response;
  };
}

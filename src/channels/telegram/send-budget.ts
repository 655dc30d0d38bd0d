// Replies share the platform's send budget with bulk alerts (ports/bulk-send.ts): installed innermost on the
// channel's interactive Api (the adapter's `budget` option), every attempt of every message the bot sends to a chat
// is noted as it goes (replies first: it waits only for slots alerts already booked, a few ms), and a 429 Telegram
// gives to one pauses bulk sends. The reply's own 429 is waited out by the retry transformer outside it (errors.ts),
// on the reply's schedule.
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
    // Usually at once. During a broadcast, after the slots alerts booked before it (a few ms); and after the rest of
    // the chat's second when an alert just went to this person (Telegram would refuse the reply with a 429 that
    // pauses everything).
    const chat = { channel: 'telegram' as const, id: String(chatId) };
    const slot = await budget.noteSend(chat);
    if (slot.waitMs > 0) {
      const start = performance.now();
      await new Promise((resolve) => setTimeout(resolve, slot.waitMs));
      if (slot.chatHeld || performance.now() - start > slot.waitMs + slot.maxLagMs) {
        // The slot taken a moment ago went unused: the message takes the next one.
        const again = await budget.noteSend(chat);
        if (again.waitMs > 0 && !again.chatHeld) await new Promise((resolve) => setTimeout(resolve, again.waitMs));
      }
    }
    const response = await prev(method, payload, signal);
    budget.noteAnswered(chat);
    const retryAfter = !response.ok && response.error_code === 429 ? response.parameters?.retry_after : undefined;
    if (retryAfter !== undefined) budget.noteRateLimited(retryAfter * 1000);
    return response;
  };
}

// Bulk sends (alerts) through a channel, channel-neutral: the alerts service knows a chat id, a text and what the
// platform answered; the channel knows the platform. And the one budget every send of a platform shares.
import type { ChannelName, ChatRef } from './chat.ts';

/** What the platform answered to one bulk message. Never thrown: every answer is a value. */
export type BulkSendResult =
  /** The platform has the message (Telegram answered with its message_id). */
  | { kind: 'sent'; messageId: string }
  /** Nothing was sent; every bulk send of the platform waits `retryAfterMs`. */
  | { kind: 'rate_limited'; retryAfterMs: number }
  /** The person blocked the bot (or deleted their account): nothing was sent. */
  | { kind: 'blocked' }
  /** The platform answered it failed (5xx): nothing was sent, try again later. */
  | { kind: 'server'; code: number }
  /** Refused for good (400 chat not found, ...): nothing was sent, retrying will not help. */
  | { kind: 'refused'; code: number; description: string }
  /** No answer (network error, timeout): the message may or may not have arrived. */
  | { kind: 'no_answer' };

export interface BulkSender {
  readonly channel: ChannelName;
  send(chatId: string, text: string): Promise<BulkSendResult>;
}

/**
 * The platform's send budget, seen from a channel's interactive sends (replies). None of these calls fails or waits:
 * a reply goes at once, and what it used is told to the budget afterwards, off its way (the bulk queue then takes
 * only what replies leave). A reply is held neither by bulk messages nor by their 429 pauses.
 */
export interface SendBudgetPort {
  /** A message to `chat` is going out outside the bulk queue: it takes its share of the platform's rate. */
  noteSend(chat: ChatRef): void;
  /** The platform answered that send: the person's own second (one message per second per chat) counts from now,
   * and bulk messages to them wait for it. */
  noteAnswered(chat: ChatRef): void;
  /** The platform answered 429 to one of these sends: bulk sends pause for `retryAfterMs`. */
  noteRateLimited(retryAfterMs: number): void;
}

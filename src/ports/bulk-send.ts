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
 * The platform's send budget, seen from a channel's interactive sends (replies). Replies come first: one goes at
 * once, with no round trip, whenever its sliding second has room (the bulk queue takes only what replies leave);
 * only in a second already full does it wait, until the oldest send leaves it. A reply is never held by bulk
 * messages' 429 pauses, and none of these calls fails.
 */
export interface SendBudgetPort {
  /** A message to `chat` is about to go outside the bulk queue: undefined if it may go at once, else it goes when the
   * promise resolves (it never rejects). Every attempt takes its share of the platform's rate. */
  beforeSend(chat: ChatRef): Promise<void> | undefined;
  /** The platform answered that send: the person's own second (one message per second per chat) counts from now,
   * and bulk messages to them wait for it. */
  noteAnswered(chat: ChatRef): void;
  /** The platform answered 429 to one of these sends: bulk sends pause for `retryAfterMs`. */
  noteRateLimited(retryAfterMs: number): void;
}

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

/** When a reply may go: usually at once. */
export type ReplySlot = {
  /** Wait this long first (0: at once). */
  waitMs: number;
  /** The wait is the rest of the person's second after a bulk message to them, not a slot of the budget: note the
   * send again when it is over (the slot taken now goes unused). */
  chatHeld: boolean;
  /** A wait that ran over by more than this took the message off its slot: note it again. */
  maxLagMs: number;
};

/**
 * The platform's send budget, seen from a channel's interactive sends (replies). None of these calls fails, and
 * replies go first: a reply waits only for slots bulk messages booked before it (a few ms), never for a 429 pause.
 */
export interface SendBudgetPort {
  /**
   * A message to `chat` is going out outside the bulk queue: it takes its share of the platform's rate. Usually at
   * once; while bulk messages are going out, after the slots they already booked; and after the rest of the
   * person's second when a bulk message went to them less than the platform's per-chat interval ago (Telegram
   * refuses a second message to one chat within a second).
   */
  noteSend(chat: ChatRef): Promise<ReplySlot>;
  /** Telegram answered that send: the chat's own second (one message per second per chat) counts from now. */
  noteAnswered(chat: ChatRef): void;
  /** The platform answered 429 to one of these sends: bulk sends pause for `retryAfterMs`. */
  noteRateLimited(retryAfterMs: number): void;
}

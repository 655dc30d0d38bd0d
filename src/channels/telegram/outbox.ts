// Outbox implementations for Telegram, so services can write to a person outside of a reply.
import type { ChatRef } from '../../ports/chat.ts';
import type { OutMessage } from '../../ports/out-message.ts';
import type { Outbox, SendProgress } from '../../ports/outbox.ts';
import { RateLimitedError, retryAfterOf } from './errors.ts';
import type { TelegramSender } from './sender.ts';

function checkChannel(chat: ChatRef): void {
  if (chat.channel !== 'telegram') throw new Error(`the Telegram outbox cannot send to ${chat.channel}`);
}

/** Waits out 429s and retries 5xx (bounded); throws BlockedError on 403 after marking the person inactive. */
export class TelegramOutbox implements Outbox {
  constructor(private readonly sender: TelegramSender) {}

  async send(chat: ChatRef, messages: OutMessage[], progress?: SendProgress): Promise<void> {
    checkChannel(chat);
    if (!progress?.answered) return this.sender.deliver(chat, messages);
    // One message at a time, so each is reported as soon as Telegram answered it (a message rendered on its own
    // gives the same calls: renderMessages handles each message by itself).
    for (const [index, message] of messages.entries()) {
      await this.sender.deliver(chat, [message]);
      progress.answered(index + 1);
    }
  }
}

/**
 * For rate-limited queues (alert broadcasts): a 429 throws RateLimitedError with retry_after at once, so the queue
 * pauses as a whole (BullMQ `worker.rateLimit`) instead of one job sleeping. A message of several parts that hits a
 * 429 midway would resend its first parts on retry; alerts are one part.
 */
export class BulkTelegramOutbox implements Outbox {
  constructor(private readonly sender: TelegramSender) {}

  async send(chat: ChatRef, messages: OutMessage[]): Promise<void> {
    checkChannel(chat);
    try {
      await this.sender.deliver(chat, messages);
    } catch (error) {
      const retryAfter = retryAfterOf(error);
      if (retryAfter !== null) throw new RateLimitedError(retryAfter);
      throw error;
    }
  }
}

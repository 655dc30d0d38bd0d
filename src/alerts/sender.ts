// How the broadcast sends one alert text to one Telegram chat, and how it reads a failure.
// Built on grammY's Api (tests point it at the loopback Bot API server) or on the Telegram channel's bulk Outbox.
import { type Api, GrammyError, HttpError } from 'grammy';
import type { Outbox } from '../ports/outbox.ts';

/** Sends `text` to the Telegram chat `chatId`; throws what the Bot API answered. */
export type AlertSend = (chatId: string, text: string) => Promise<void>;

export type SendFailure =
  /** 429: nothing was sent; the whole queue waits `retryAfterMs`. */
  | { kind: 'rate_limited'; retryAfterMs: number }
  /** 403: the person blocked the bot (or deleted their account). */
  | { kind: 'blocked' }
  /** 5xx: Telegram answered it failed; nothing was sent, try again later. */
  | { kind: 'server'; code: number }
  /** Another answer (400 chat not found...): nothing was sent, and retrying will not help. */
  | { kind: 'refused'; code: number }
  /** No answer (network error, timeout): the message may or may not have arrived. */
  | { kind: 'no_answer' };

/** Plain text, no link previews: alerts are short notices. */
export function apiAlertSender(api: Api): AlertSend {
  return async (chatId, text) => {
    await api.sendMessage(chatId, text, { link_preview_options: { is_disabled: true } });
  };
}

/**
 * Through the Telegram channel's bulk outbox (`channel.bulkOutbox`): it escapes and formats the text, retries 5xx
 * within bounds, marks a person who blocked the bot inactive, and hands a 429 back at once (RateLimitedError).
 */
export function outboxAlertSender(outbox: Outbox): AlertSend {
  return (chatId, text) => outbox.send({ channel: 'telegram', id: chatId }, [{ paragraphs: text.split(/\n\s*\n/) }]);
}

export function classifySendError(error: unknown): SendFailure {
  if (error instanceof GrammyError) {
    if (error.error_code === 429) return { kind: 'rate_limited', retryAfterMs: retryAfterMs(error.parameters) };
    if (error.error_code === 403) return { kind: 'blocked' };
    if (error.error_code >= 500) return { kind: 'server', code: error.error_code };
    return { kind: 'refused', code: error.error_code };
  }
  if (error instanceof HttpError) return { kind: 'no_answer' };
  // The Telegram channel's outbox errors (src/channels/telegram/errors.ts), recognised by shape: alerts do not
  // import channels.
  if (error instanceof Error && error.name === 'RateLimitedError') {
    const seconds = (error as Error & { retryAfterSeconds?: unknown }).retryAfterSeconds;
    return { kind: 'rate_limited', retryAfterMs: typeof seconds === 'number' ? seconds * 1000 : 1000 };
  }
  if (error instanceof Error && error.name === 'BlockedError') return { kind: 'blocked' };
  return { kind: 'no_answer' };
}

function retryAfterMs(parameters: { retry_after?: number } | undefined): number {
  const seconds = parameters?.retry_after;
  return typeof seconds === 'number' && seconds > 0 ? seconds * 1000 : 1000;
}

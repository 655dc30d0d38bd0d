// Bot API failures: what to retry, how long to wait, and what means "this person blocked the bot".
// grammY's auto-retry plugin is not installed; this transformer does the same job within bounds:
// - 429: wait `retry_after` seconds and call again (a bounded number of times);
// - 5xx and network errors: bounded retries with exponential backoff and jitter;
// - anything else (400, 403...) is returned at once for the caller to handle.
import { GrammyError, HttpError, type Transformer } from 'grammy';

export type RetryOptions = {
  /** Honour 429 by waiting and retrying (true), or hand the 429 back to the caller (false, for queues that pause). */
  waitOnRateLimit?: boolean;
  /** 429s honoured for one call before giving up. */
  maxRateLimitWaits?: number;
  /** A retry_after above this many seconds is not waited for in-line: the call fails. */
  maxRetryAfterSeconds?: number;
  /** Retries after a 5xx or a network error. */
  maxServerRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called when a 429 is honoured (for logs and metrics). */
  onRateLimited?: (method: string, retryAfterSeconds: number) => void;
  sleep?: (ms: number, signal?: SignalLike) => Promise<void>;
};

/** grammY passes the abort-controller package's signal, which lacks some of Node's AbortSignal members. */
type SignalLike = {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
};

/** getUpdates has its own retry loop in @grammyjs/runner. */
const NOT_RETRIED = new Set(['getUpdates']);

export function retryTransformer(options: RetryOptions = {}): Transformer {
  const waitOnRateLimit = options.waitOnRateLimit ?? true;
  const maxRateLimitWaits = options.maxRateLimitWaits ?? 5;
  const maxRetryAfter = options.maxRetryAfterSeconds ?? 120;
  const maxServerRetries = options.maxServerRetries ?? 3;
  const baseDelay = options.baseDelayMs ?? 200;
  const maxDelay = options.maxDelayMs ?? 5_000;
  const sleep = options.sleep ?? abortableSleep;

  return async (prev, method, payload, signal) => {
    if (NOT_RETRIED.has(method)) return prev(method, payload, signal);
    let rateLimitWaits = 0;
    let serverRetries = 0;
    for (;;) {
      let response: Awaited<ReturnType<typeof prev>>;
      try {
        response = await prev(method, payload, signal);
      } catch (error) {
        // Network failure (HttpError): the request may or may not have reached Telegram; retry within bounds.
        if (signal?.aborted || !(error instanceof HttpError) || serverRetries >= maxServerRetries) throw error;
        await sleep(backoff(serverRetries++, baseDelay, maxDelay), signal);
        continue;
      }
      if (response.ok) return response;
      const retryAfter = response.parameters?.retry_after;
      if (response.error_code === 429 && retryAfter !== undefined) {
        if (!waitOnRateLimit || rateLimitWaits >= maxRateLimitWaits || retryAfter > maxRetryAfter) return response;
        rateLimitWaits++;
        options.onRateLimited?.(method, retryAfter);
        await sleep(retryAfter * 1000, signal);
        continue;
      }
      if (response.error_code >= 500 && serverRetries < maxServerRetries) {
        await sleep(backoff(serverRetries++, baseDelay, maxDelay), signal);
        continue;
      }
      return response;
    }
  };
}

function backoff(attempt: number, base: number, max: number): number {
  const exponential = Math.min(max, base * 2 ** attempt);
  // Full jitter in the upper half, so many chats failing together do not retry in lockstep.
  return exponential / 2 + Math.random() * (exponential / 2);
}

function abortableSleep(ms: number, signal?: SignalLike): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The person can no longer be written to: they blocked the bot, deleted their account, or never started it. */
export function isBlockedError(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 403;
}

/** retry_after of a 429 handed back to the caller, or null. */
export function retryAfterOf(error: unknown): number | null {
  if (!(error instanceof GrammyError) || error.error_code !== 429) return null;
  return error.parameters.retry_after ?? null;
}

/** Thrown by the bulk outbox: Telegram asked to slow down; nothing was sent. */
export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Telegram rate limit: retry after ${retryAfterSeconds}s`);
    this.name = 'RateLimitedError';
  }
}

/** Thrown by the outboxes: the person blocked the bot; they have been marked inactive and unsubscribed. */
export class BlockedError extends Error {
  constructor(readonly chatId: string) {
    super('the person blocked the bot');
    this.name = 'BlockedError';
  }
}

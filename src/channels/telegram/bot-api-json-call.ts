// The reply's Bot API calls (sendMessage, answerCallbackQuery) sent straight to bot-api-fetch.ts, as the innermost
// transformer of the bot's API. For every call, grammY's ApiClient builds an AbortController (a polyfill:
// abort-controller and event-target-shim), a stream-error promise, a timeout promise and a race of the three, walks
// the payload looking for files, and serialises it with a replacer function: about a twentieth of a reply's CPU for
// a JSON call without a signal (issue 17.7). Everything else (uploads, a call given a signal, getUpdates) goes
// through grammY unchanged. Same outcomes as grammY's: Telegram's JSON answer (ok or not) is returned as is; a
// network failure, an answer that is not JSON or no answer within the timeout is thrown as grammY's HttpError.
import { HttpError, type Transformer } from 'grammy';
import type { AbortSignalLike } from './bot-api-connections.ts';
import { botApiFetch } from './bot-api-fetch.ts';

/** JSON methods whose payloads never hold a file. */
const DIRECT_METHODS = new Set(['sendMessage', 'answerCallbackQuery']);

export const JSON_HEADERS = { 'content-type': 'application/json', connection: 'keep-alive' };

export type DirectCallOptions = { token: string; apiRoot: string; timeoutSeconds: number };

export function directJsonCalls(options: DirectCallOptions): Transformer {
  const urls = new Map<string, string>();
  const urlOf = (method: string): string => {
    let url = urls.get(method);
    if (url === undefined) {
      url = `${options.apiRoot}/bot${options.token}/${method}`;
      urls.set(method, url);
    }
    return url;
  };
  return (prev, method, payload, signal) => {
    if (signal !== undefined || !DIRECT_METHODS.has(method)) return prev(method, payload, signal);
    const abort = new Deadline(method, options.timeoutSeconds);
    return botApiFetch(urlOf(method), { method: 'POST', headers: JSON_HEADERS, body: jsonOf(payload), signal: abort })
      .then((response) => response.json())
      .then(
        (data) => {
          abort.clear();
          // biome-ignore lint/suspicious/noExplicitAny: grammY's transformer returns the method's own ApiResponse.
          return data as any;
        },
        (error: unknown) => {
          abort.clear();
          // grammY's toHttpError (sensitiveLogs off): the cause is kept, the message names the method only.
          throw new HttpError(`Network request for '${method}' failed!`, abort.error ?? error);
        },
      );
  };
}

/** grammY's JSON: null members left out (its replacer), paid only when the text holds a null at all. */
function jsonOf(payload: unknown): string {
  const text = JSON.stringify(payload ?? {});
  return text.includes('null') ? JSON.stringify(payload, (_, v) => v ?? undefined) : text;
}

/** The call's timeout as the abort signal the connection pool listens to: one timer, one listener. */
export class Deadline implements AbortSignalLike {
  aborted = false;
  error: Error | undefined;
  private listener: (() => void) | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(method: string, seconds: number) {
    this.timer = setTimeout(() => {
      this.aborted = true;
      this.error = new Error(`Request to '${method}' timed out after ${seconds} seconds`);
      this.listener?.();
    }, seconds * 1000);
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    this.listener = listener;
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    if (this.listener === listener) this.listener = undefined;
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

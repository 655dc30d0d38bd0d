// The HTTP client of the bot's Bot API calls: node:http(s) directly, on the keep-alive agent grammY gives every
// call, instead of grammY's default node-fetch (its Request/Headers/Body objects and polyfilled AbortController
// cost about as much CPU as the rest of a reply: issue 17.7). grammY only needs `fetch(url, init)` resolving to
// something with `json()`; it races the call against its own timeout and aborts through `init.signal`.
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

/** What grammY passes (core/client.js: baseFetchConfig + createJsonPayload / createFormDataPayload + signal). */
type BotApiInit = {
  method?: string;
  headers?: Record<string, string>;
  /** JSON text, or the multipart stream of an upload (a voice note). */
  body?: string | Readable;
  agent?: http.Agent;
  signal?: {
    aborted: boolean;
    addEventListener(type: 'abort', listener: () => void): void;
    removeEventListener(type: 'abort', listener: () => void): void;
  };
};

type BotApiResponse = { status: number; ok: boolean; json(): Promise<unknown> };

export function botApiFetch(url: string, init: BotApiInit = {}): Promise<BotApiResponse> {
  return new Promise((resolve, reject) => {
    const { signal, body } = init;
    if (signal?.aborted) return reject(abortError());
    const headers: Record<string, string | number> = { ...init.headers };
    if (typeof body === 'string') headers['content-length'] = Buffer.byteLength(body);
    const request = (url.startsWith('https:') ? https : http).request(
      url,
      { method: init.method ?? 'GET', headers, ...(init.agent ? { agent: init.agent } : {}) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('error', fail);
        response.once('end', () => {
          done();
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          resolve({ status, ok: status >= 200 && status < 300, json: async () => JSON.parse(text) as unknown });
        });
      },
    );
    const onAbort = () => request.destroy(abortError());
    function done() {
      signal?.removeEventListener('abort', onAbort);
    }
    function fail(error: Error) {
      done();
      reject(error);
    }
    signal?.addEventListener('abort', onAbort);
    request.once('error', fail);
    if (body === undefined || typeof body === 'string') request.end(body);
    else {
      body.once('error', (error) => request.destroy(error));
      body.pipe(request);
    }
  });
}

function abortError(): Error {
  const error = new Error('The Bot API call was aborted');
  error.name = 'AbortError';
  return error;
}

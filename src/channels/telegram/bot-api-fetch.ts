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

/** The request options of each Bot API URL, parsed once (one URL per method: the token and method are in it). */
const targets = new Map<string, http.RequestOptions>();
const MAX_TARGETS = 1_000;

function targetOf(url: string): http.RequestOptions {
  let target = targets.get(url);
  if (!target) {
    const { protocol, hostname, port, pathname, search, username, password } = new URL(url);
    // IPv6 hosts come bracketed from URL; node:http wants them bare.
    const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    target = {
      protocol,
      hostname: host,
      path: `${pathname}${search}`,
      ...(port ? { port: Number(port) } : {}),
      // A Bot API root behind a proxy may carry credentials, as node:http reads them from a URL.
      ...(username ? { auth: `${decodeURIComponent(username)}:${decodeURIComponent(password)}` } : {}),
    };
    // File downloads carry a path per file: a bounded map, cleared when full.
    if (targets.size >= MAX_TARGETS) targets.clear();
    targets.set(url, target);
  }
  return target;
}

export function botApiFetch(url: string, init: BotApiInit = {}): Promise<BotApiResponse> {
  return new Promise((resolve, reject) => {
    const { signal, body } = init;
    if (signal?.aborted) return reject(abortError());
    const headers: Record<string, string | number> = { ...init.headers };
    if (typeof body === 'string') headers['content-length'] = Buffer.byteLength(body);
    const request = (url.startsWith('https:') ? https : http).request(
      { ...targetOf(url), method: init.method ?? 'GET', headers, ...(init.agent ? { agent: init.agent } : {}) },
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

// The HTTP client of the bot's Bot API calls, instead of grammY's default node-fetch (its Request/Headers/Body
// objects and polyfilled AbortController cost about as much CPU as the rest of a reply: issue 17.7). grammY only
// needs `fetch(url, init)` resolving to something with `json()`; it races the call against its own timeout and
// aborts through `init.signal`. A JSON call (every method but an upload) goes over bot-api-connections.ts's
// keep-alive connections; an upload (a multipart stream) or a root with credentials through node:http(s), on the
// keep-alive agent grammY gives every call.
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { abortError, type Pool, poolOf } from './bot-api-connections.ts';

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

type BotApiResponse = { status: number; ok: boolean; json(): Promise<unknown>; text(): Promise<string> };

/** Each Bot API URL, parsed once (one URL per method: the token and method are in it). */
type Target = {
  options: http.RequestOptions;
  /** The keep-alive connections to its origin; none for a root with credentials (node:http then). */
  pool?: Pool;
  /** `<path> HTTP/1.1\r\nhost: <host>\r\n` */
  line: string;
};
const targets = new Map<string, Target>();
const MAX_TARGETS = 1_000;

function targetOf(url: string): Target {
  let target = targets.get(url);
  if (!target) {
    const { protocol, host: hostHeader, hostname, port, pathname, search, username, password } = new URL(url);
    // IPv6 hosts come bracketed from URL; node:http wants them bare.
    const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    const secure = protocol === 'https:';
    const options: http.RequestOptions = {
      protocol,
      hostname: host,
      path: `${pathname}${search}`,
      ...(port ? { port: Number(port) } : {}),
      // A Bot API root behind a proxy may carry credentials, as node:http reads them from a URL.
      ...(username ? { auth: `${decodeURIComponent(username)}:${decodeURIComponent(password)}` } : {}),
    };
    target = {
      options,
      line: ` ${pathname}${search} HTTP/1.1\r\nhost: ${hostHeader}\r\n`,
      ...(username || (protocol !== 'http:' && !secure)
        ? {}
        : { pool: poolOf({ secure, host, port: port ? Number(port) : secure ? 443 : 80 }) }),
    };
    // File downloads carry a path per file: a bounded map, cleared when full.
    if (targets.size >= MAX_TARGETS) targets.clear();
    targets.set(url, target);
  }
  return target;
}

/** Headers grammY sets that the request head writes itself. */
const OWN_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding']);

export function botApiFetch(url: string, init: BotApiInit = {}): Promise<BotApiResponse> {
  const target = targetOf(url);
  const { body, signal } = init;
  if (!target.pool || (body !== undefined && typeof body !== 'string')) return viaNodeHttp(target, init);
  if (signal?.aborted) return Promise.reject(abortError());
  let head = `${init.method ?? 'GET'}${target.line}`;
  for (const name in init.headers) {
    const value = init.headers[name]!;
    if (OWN_HEADERS.has(name.toLowerCase())) continue;
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) return Promise.reject(new Error('Bot API: bad header'));
    head += `${name}: ${value}\r\n`;
  }
  if (body !== undefined || init.method === 'POST') head += `content-length: ${Buffer.byteLength(body ?? '')}\r\n`;
  return target.pool.exchange(`${head}connection: keep-alive\r\n\r\n${body ?? ''}`, signal).then(({ status, body }) => {
    return answerOf(status, body.toString('utf8'));
  });
}

function viaNodeHttp(target: Target, init: BotApiInit): Promise<BotApiResponse> {
  return new Promise((resolve, reject) => {
    const { signal, body } = init;
    if (signal?.aborted) return reject(abortError());
    const headers: Record<string, string | number> = { ...init.headers };
    if (typeof body === 'string') headers['content-length'] = Buffer.byteLength(body);
    const request = (target.options.protocol === 'https:' ? https : http).request(
      { ...target.options, method: init.method ?? 'GET', headers, ...(init.agent ? { agent: init.agent } : {}) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.once('error', fail);
        response.once('end', () => {
          done();
          resolve(answerOf(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
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

function answerOf(status: number, text: string): BotApiResponse {
  return {
    status,
    ok: status >= 200 && status < 300,
    json: async () => JSON.parse(text) as unknown,
    text: async () => text,
  };
}

// A small Telegram Bot API server on loopback, for running grammY for real in tests and benchmarks.
//
// - Serves POST/GET /bot<token>/<method> with JSON, urlencoded or multipart bodies.
// - Records every call (method, params, files, answer status, timestamps).
// - Queues updates for getUpdates (long polling with Telegram's offset semantics).
// - Injects failures on demand (429 with retry_after, 403 "bot was blocked", 500) and can enforce a rate limit
//   (a global token bucket of N messages/s and one message per second per chat) by answering 429.
//
// Point grammY at it with `new Bot(server.token, { client: { apiRoot: server.apiRoot } })`.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Update } from 'grammy/types';
import { type UpdateBody, withUpdateId } from './bot-api-updates.ts';
import { boundaryOf, parseMultipart } from './multipart.ts';

export * from './bot-api-updates.ts';

export type UploadedFile = { field: string; filename: string; size: number };

export type RecordedCall = {
  /** Order of arrival, from 1. */
  seq: number;
  method: string;
  params: Record<string, unknown>;
  /** Files uploaded with multipart (sendVoice with a local file, ...). */
  files: UploadedFile[];
  /** `String(params.chat_id)` when the call has one. */
  chatId?: string;
  /** HTTP status the server answered with (200, or the injected failure). */
  status: number;
  /** Epoch milliseconds with sub-millisecond precision (performance.timeOrigin + performance.now()). */
  at: number;
};

export type Failure =
  | { status: 429; retryAfter: number }
  | { status: 403; description?: string }
  | { status: 400; description: string }
  | { status: 401; description?: string }
  | { status: 500; description?: string };

export type FailureRule = {
  failure: Failure;
  /** Only calls of this method (any method when absent). */
  method?: string;
  /** Only calls for this chat (any chat when absent). */
  chatId?: string | number;
  /** How many calls to fail; Infinity to fail until `clearFailures()`. */
  times: number;
};

export type RateLimit = {
  /** Messages per second for the whole bot (token bucket refill rate). */
  globalPerSecond: number;
  /** Bucket size; defaults to `globalPerSecond`. */
  burst?: number;
  /** Minimum interval between two messages to one chat; defaults to 1000 ms. */
  perChatIntervalMs?: number;
  /** Messages one chat may get in a short burst before that interval applies (Telegram: "we may allow short bursts"
   * in a private chat); defaults to 1 (no burst). A per-chat bucket of this size, one message per interval. */
  perChatBurst?: number;
  /** retry_after (seconds) sent with a 429; defaults to the time until the call would pass, rounded up. */
  retryAfter?: number;
};

export type RateStats = {
  /** Messages accepted (2xx) by send methods. */
  delivered: number;
  /** 429s answered by the rate limiter or by injected failures. */
  rateLimited: number;
  /** Calls that arrived while a previously announced retry_after was still running (a client not honouring it). */
  retryAfterViolations: number;
};

export type BotApiServerOptions = {
  token?: string;
  botId?: number;
  botUsername?: string;
  rateLimit?: RateLimit;
};

/** Methods that deliver a message to a chat (subject to blocking and rate limits). */
const MESSAGE_METHODS = new Set([
  'sendMessage',
  'sendVoice',
  'sendAudio',
  'sendDocument',
  'sendPhoto',
  'sendVideo',
  'sendSticker',
  'sendLocation',
  'sendContact',
  'copyMessage',
  'forwardMessage',
]);

/** Methods for which a blocked chat answers 403. */
const CHAT_METHODS = new Set([...MESSAGE_METHODS, 'editMessageText', 'editMessageReplyMarkup', 'sendChatAction']);

type Waiter = {
  offset: number;
  limit: number;
  finish: (updates: Update[]) => void;
};

type CallListener = (call: RecordedCall) => void;

const now = (): number => performance.timeOrigin + performance.now();

export class BotApiServer {
  readonly token: string;
  readonly botId: number;
  readonly botUsername: string;
  /** Every call, in arrival order. */
  readonly calls: RecordedCall[] = [];
  /** When each update was queued (epoch ms), by update_id: "the update being available". */
  readonly queuedAt = new Map<number, number>();
  readonly stats: RateStats = { delivered: 0, rateLimited: 0, retryAfterViolations: 0 };
  webhook: { url: string; secretToken?: string } | null = null;

  private server: Server | null = null;
  private port = 0;
  private queue: Update[] = [];
  private nextUpdateId = 1;
  private waiters = new Set<Waiter>();
  private listeners = new Set<CallListener>();
  private failures: FailureRule[] = [];
  private blocked = new Set<string>();
  private messageIds = new Map<string, number>();
  private rate: RateLimit | null;
  private tokens = 0;
  private tokensAt = 0;
  private lastToChat = new Map<string, { tokens: number; at: number }>();
  private globalRetryUntil = 0;
  private chatRetryUntil = new Map<string, number>();
  private seq = 0;
  private files = new Map<string, Buffer>();
  private members = new Map<string, Set<number>>();

  private constructor(options: BotApiServerOptions) {
    this.token = options.token ?? '123456:TEST-token';
    this.botId = options.botId ?? (Number(this.token.split(':')[0]) || 123456);
    this.botUsername = options.botUsername ?? 'kunnafoni_test_bot';
    this.rate = null;
    if (options.rateLimit) this.setRateLimit(options.rateLimit);
  }

  static async start(options: BotApiServerOptions = {}): Promise<BotApiServer> {
    const api = new BotApiServer(options);
    const server = createServer((req, res) => {
      api.serve(req, res).catch((error: unknown) => {
        if (!res.headersSent) api.reply(res, 500, { ok: false, error_code: 500, description: String(error) });
      });
    });
    server.keepAliveTimeout = 60_000;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    api.server = server;
    api.port = (server.address() as AddressInfo).port;
    return api;
  }

  /** For grammY's `client.apiRoot`. */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const waiter of this.waiters) waiter.finish([]);
    this.waiters.clear();
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // --- Updates -------------------------------------------------------------------------------------------------

  /** Queues updates for getUpdates; returns their update_ids. */
  push(...bodies: UpdateBody[]): number[] {
    const at = now();
    const ids = bodies.map((body) => {
      const id = this.nextUpdateId++;
      this.queue.push(withUpdateId(body, id));
      this.queuedAt.set(id, at);
      return id;
    });
    this.wakeWaiters();
    return ids;
  }

  /** Reserves an update_id without queueing (for webhook deliveries built by a test). */
  takeUpdateId(): number {
    return this.nextUpdateId++;
  }

  /** Updates not yet confirmed by an offset. */
  get pendingUpdates(): number {
    return this.queue.length;
  }

  /** Posts an update to the URL registered with setWebhook, with its secret; returns the HTTP status. */
  async deliverWebhook(body: UpdateBody, secretToken = this.webhook?.secretToken): Promise<number> {
    if (!this.webhook) throw new Error('no webhook set');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secretToken !== undefined) headers['x-telegram-bot-api-secret-token'] = secretToken;
    const response = await fetch(this.webhook.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(withUpdateId(body, this.takeUpdateId())),
    });
    await response.arrayBuffer();
    return response.status;
  }

  // --- Failures and limits -------------------------------------------------------------------------------------

  /** Fails the next `times` matching calls with `failure`. */
  failNext(failure: Failure, match: { method?: string; chatId?: string | number; times?: number } = {}): void {
    const rule: FailureRule = { failure, times: match.times ?? 1 };
    if (match.method !== undefined) rule.method = match.method;
    if (match.chatId !== undefined) rule.chatId = String(match.chatId);
    this.failures.push(rule);
  }

  clearFailures(): void {
    this.failures = [];
  }

  /** Every message to this chat answers 403 "Forbidden: bot was blocked by the user" until unblocked. */
  blockChat(chatId: string | number): void {
    this.blocked.add(String(chatId));
  }

  unblockChat(chatId: string | number): void {
    this.blocked.delete(String(chatId));
  }

  setRateLimit(limit: RateLimit | null): void {
    this.rate = limit;
    this.tokens = limit ? (limit.burst ?? limit.globalPerSecond) : 0;
    this.tokensAt = now();
    this.lastToChat.clear();
  }

  // --- Files and members (getFile + /file/bot<token>/<path>, getChatMember) ------------------------------------

  /** Makes `getFile(fileId)` answer and its file download serve these bytes (e.g. a voice note a test sends). */
  addFile(fileId: string, bytes: Buffer): void {
    this.files.set(fileId, bytes);
  }

  /** `getChatMember(chatId, userId)` answers "member" (others: "left"). */
  addMember(chatId: number, userId: number): void {
    const members = this.members.get(String(chatId)) ?? new Set<number>();
    members.add(userId);
    this.members.set(String(chatId), members);
  }

  // --- Inspection ----------------------------------------------------------------------------------------------

  onCall(listener: CallListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  callsTo(method: string, chatId?: string | number): RecordedCall[] {
    const chat = chatId === undefined ? undefined : String(chatId);
    return this.calls.filter((c) => c.method === method && (chat === undefined || c.chatId === chat));
  }

  /** Successful calls that put something in front of a person in this chat (send* and edits). */
  sentTo(chatId: string | number): RecordedCall[] {
    const chat = String(chatId);
    return this.calls.filter((c) => c.chatId === chat && c.status === 200 && CHAT_METHODS.has(c.method));
  }

  /** Texts of successful sendMessage calls to this chat, in order. */
  textsTo(chatId: string | number): string[] {
    return this.callsTo('sendMessage', chatId)
      .filter((c) => c.status === 200)
      .map((c) => String(c.params.text));
  }

  /** Resolves with the first call (past or future) matching `predicate`, counting from `since` (a seq). */
  waitForCall(predicate: (call: RecordedCall) => boolean, options: { since?: number; timeoutMs?: number } = {}) {
    return this.waitForCalls(predicate, 1, options).then((calls) => calls[0] as RecordedCall);
  }

  /** Resolves with the first `count` calls matching `predicate`, counting from `since` (a seq, exclusive). */
  waitForCalls(
    predicate: (call: RecordedCall) => boolean,
    count: number,
    options: { since?: number; timeoutMs?: number } = {},
  ): Promise<RecordedCall[]> {
    const since = options.since ?? 0;
    const found = this.calls.filter((c) => c.seq > since && predicate(c)).slice(0, count);
    if (found.length >= count) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`waited for ${count} calls, saw ${found.length}`));
      }, options.timeoutMs ?? 10_000);
      const stop = this.onCall((call) => {
        if (call.seq <= since || !predicate(call)) return;
        found.push(call);
        if (found.length < count) return;
        clearTimeout(timer);
        stop();
        resolve(found);
      });
    });
  }

  /** The seq of the latest call (use as `since` to wait only for calls after now). */
  get lastSeq(): number {
    return this.seq;
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  // --- HTTP ----------------------------------------------------------------------------------------------------

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)(?:\?.*)?$/.exec(req.url ?? '');
    const body = await readBody(req);
    const download = /^\/file\/bot([^/]+)\/[a-z]+\/([^/?]+)\.oga$/.exec(req.url ?? '');
    if (download) {
      const bytes = download[1] === this.token ? this.files.get(decodeURIComponent(download[2] ?? '')) : undefined;
      if (!bytes) return this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
      return void res.end(bytes);
    }
    if (!match) return this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = match as unknown as [string, string, string];
    if (token !== this.token) return this.reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const { params, files } = parseParams(req, body);
    const call: RecordedCall = { seq: ++this.seq, method, params, files, status: 200, at: now() };
    if (params.chat_id !== undefined) call.chatId = String(params.chat_id);

    const failure = this.failureFor(call);
    if (failure) {
      call.status = failure.status;
      this.record(call);
      return this.reply(res, failure.status, failureBody(failure));
    }
    if (method === 'getUpdates') {
      this.record(call);
      const updates = await this.longPoll(params, req);
      return this.reply(res, 200, { ok: true, result: updates });
    }
    const result = this.answer(method, params, files);
    if (result === undefined) {
      call.status = 404;
      this.record(call);
      return this.reply(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    }
    if (MESSAGE_METHODS.has(method)) this.stats.delivered++;
    this.record(call);
    return this.reply(res, 200, { ok: true, result });
  }

  private record(call: RecordedCall): void {
    this.calls.push(call);
    for (const listener of this.listeners) listener(call);
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private failureFor(call: RecordedCall): Failure | null {
    const chat = call.chatId;
    if (chat !== undefined && CHAT_METHODS.has(call.method) && this.blocked.has(chat)) {
      return { status: 403, description: 'Forbidden: bot was blocked by the user' };
    }
    const index = this.failures.findIndex(
      (rule) =>
        rule.times > 0 &&
        (rule.method === undefined || rule.method === call.method) &&
        (rule.chatId === undefined || rule.chatId === chat),
    );
    if (index !== -1) {
      const rule = this.failures[index] as FailureRule;
      rule.times--;
      if (rule.times <= 0) this.failures.splice(index, 1);
      this.countViolation(call);
      if (rule.failure.status === 429) this.announceRetry(rule.failure.retryAfter, chat, rule.chatId !== undefined);
      return rule.failure;
    }
    if (!MESSAGE_METHODS.has(call.method)) return null;
    this.countViolation(call);
    return this.rateLimit(call);
  }

  private countViolation(call: RecordedCall): void {
    if (!MESSAGE_METHODS.has(call.method) && call.method !== 'editMessageText') return;
    const until = Math.max(this.globalRetryUntil, this.chatRetryUntil.get(call.chatId ?? '') ?? 0);
    if (call.at < until) this.stats.retryAfterViolations++;
  }

  private announceRetry(retryAfter: number, chat: string | undefined, perChat: boolean): void {
    this.stats.rateLimited++;
    const until = now() + retryAfter * 1000;
    if (perChat && chat !== undefined) this.chatRetryUntil.set(chat, until);
    else this.globalRetryUntil = Math.max(this.globalRetryUntil, until);
  }

  private rateLimit(call: RecordedCall): Failure | null {
    const rate = this.rate;
    if (!rate) return null;
    const at = call.at;
    const chat = call.chatId ?? '';
    const interval = rate.perChatIntervalMs ?? 1000;
    const chatBurst = rate.perChatBurst ?? 1;
    const last = this.lastToChat.get(chat);
    const chatTokens = last ? Math.min(chatBurst, last.tokens + (at - last.at) / interval) : chatBurst;
    if (chatTokens < 1) {
      const retryAfter = rate.retryAfter ?? Math.max(1, Math.ceil(((1 - chatTokens) * interval) / 1000));
      this.announceRetry(retryAfter, chat, true);
      return { status: 429, retryAfter };
    }
    const burst = rate.burst ?? rate.globalPerSecond;
    this.tokens = Math.min(burst, this.tokens + ((at - this.tokensAt) / 1000) * rate.globalPerSecond);
    this.tokensAt = at;
    if (this.tokens < 1) {
      const retryAfter = rate.retryAfter ?? Math.max(1, Math.ceil((1 - this.tokens) / rate.globalPerSecond));
      this.announceRetry(retryAfter, undefined, false);
      return { status: 429, retryAfter };
    }
    this.tokens -= 1;
    this.lastToChat.set(chat, { tokens: chatTokens - 1, at });
    return null;
  }

  private longPoll(params: Record<string, unknown>, req: IncomingMessage): Promise<Update[]> {
    const offset = Number(params.offset ?? 0);
    const limit = Math.max(1, Math.min(100, Number(params.limit ?? 100)));
    const timeout = Number(params.timeout ?? 0);
    // Telegram forgets every update below the offset the client confirms.
    if (offset > 0) this.confirm(offset);
    const ready = this.take(offset, limit);
    if (ready.length > 0 || timeout <= 0) return Promise.resolve(ready);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        offset,
        limit,
        finish: (updates) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          req.off('close', onClose);
          resolve(updates);
        },
      };
      const timer = setTimeout(() => waiter.finish([]), timeout * 1000);
      const onClose = () => waiter.finish([]);
      req.on('close', onClose);
      this.waiters.add(waiter);
    });
  }

  private confirm(offset: number): void {
    let drop = 0;
    while (drop < this.queue.length && (this.queue[drop] as Update).update_id < offset) drop++;
    if (drop > 0) this.queue.splice(0, drop);
  }

  private take(offset: number, limit: number): Update[] {
    const out: Update[] = [];
    for (const update of this.queue) {
      if (update.update_id < offset) continue;
      out.push(update);
      if (out.length >= limit) break;
    }
    return out;
  }

  private wakeWaiters(): void {
    for (const waiter of [...this.waiters]) {
      const ready = this.take(waiter.offset, waiter.limit);
      if (ready.length > 0) waiter.finish(ready);
    }
  }

  private nextMessageId(chat: string): number {
    const id = (this.messageIds.get(chat) ?? 0) + 1;
    this.messageIds.set(chat, id);
    return id;
  }

  /** The result of a successful call, or undefined for an unknown method. */
  private answer(method: string, params: Record<string, unknown>, files: UploadedFile[]): unknown {
    const chat = String(params.chat_id ?? '');
    const chatObject = { id: Number(chat), type: 'private', first_name: `Person ${chat}` };
    const message = (extra: Record<string, unknown>) => ({
      message_id: this.nextMessageId(chat),
      date: Math.floor(Date.now() / 1000),
      chat: chatObject,
      from: this.me(),
      ...extra,
    });
    const file = (field: string) => {
      const uploaded = files.find((f) => f.field === field);
      const id = uploaded ? `uploaded-${uploaded.filename}` : String(params[field]);
      return { file_id: id, file_unique_id: `u-${id}`, file_size: uploaded?.size };
    };
    switch (method) {
      case 'getMe':
        return this.me();
      case 'sendMessage':
        return message({ text: params.text, reply_markup: params.reply_markup });
      case 'sendVoice':
        return message({ voice: { ...file('voice'), duration: 1, mime_type: 'audio/ogg' }, caption: params.caption });
      case 'sendAudio':
        return message({ audio: { ...file('audio'), duration: 1 }, caption: params.caption });
      case 'sendDocument':
        return message({ document: file('document'), caption: params.caption });
      case 'sendPhoto':
        return message({ photo: [{ ...file('photo'), width: 1, height: 1 }], caption: params.caption });
      case 'sendLocation':
        return message({ location: { latitude: params.latitude, longitude: params.longitude } });
      case 'editMessageText':
        return params.inline_message_id
          ? true
          : {
              message_id: Number(params.message_id),
              date: Math.floor(Date.now() / 1000),
              edit_date: Math.floor(Date.now() / 1000),
              chat: chatObject,
              text: params.text,
              reply_markup: params.reply_markup,
            };
      case 'editMessageReplyMarkup':
        return params.inline_message_id
          ? true
          : { message_id: Number(params.message_id), date: 0, chat: chatObject, reply_markup: params.reply_markup };
      case 'answerCallbackQuery':
      case 'setMyCommands':
      case 'deleteMyCommands':
      case 'sendChatAction':
      case 'deleteMessage':
        return true;
      case 'deleteWebhook':
        this.webhook = null;
        return true;
      case 'setWebhook': {
        const hook: { url: string; secretToken?: string } = { url: String(params.url) };
        if (params.secret_token !== undefined) hook.secretToken = String(params.secret_token);
        this.webhook = hook;
        return true;
      }
      case 'getWebhookInfo':
        return { url: this.webhook?.url ?? '', has_custom_certificate: false, pending_update_count: this.queue.length };
      case 'getChat':
        return Number(chat) < 0 ? { id: Number(chat), type: 'supergroup', title: `Group ${chat}` } : chatObject;
      case 'getMyCommands':
        return [];
      case 'getFile': {
        const id = String(params.file_id);
        const bytes = this.files.get(id);
        return bytes
          ? {
              file_id: id,
              file_unique_id: `u-${id}`,
              file_size: bytes.length,
              file_path: `voice/${encodeURIComponent(id)}.oga`,
            }
          : { file_id: id, file_unique_id: `u-${id}` };
      }
      case 'getChatMember': {
        const userId = Number(params.user_id);
        const status = this.members.get(chat)?.has(userId) ? 'member' : 'left';
        return { status, user: { id: userId, is_bot: false, first_name: `Person ${userId}` } };
      }
      default:
        return undefined;
    }
  }

  private me() {
    return {
      id: this.botId,
      is_bot: true,
      first_name: 'Kunnafoni',
      username: this.botUsername,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
    };
  }
}

function failureBody(failure: Failure): unknown {
  switch (failure.status) {
    case 429:
      return {
        ok: false,
        error_code: 429,
        description: `Too Many Requests: retry after ${failure.retryAfter}`,
        parameters: { retry_after: failure.retryAfter },
      };
    case 403:
      return {
        ok: false,
        error_code: 403,
        description: failure.description ?? 'Forbidden: bot was blocked by the user',
      };
    case 400:
      return { ok: false, error_code: 400, description: failure.description };
    case 401:
      return { ok: false, error_code: 401, description: failure.description ?? 'Unauthorized' };
    case 500:
      return { ok: false, error_code: 500, description: failure.description ?? 'Internal Server Error' };
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

function parseParams(req: IncomingMessage, body: Buffer): { params: Record<string, unknown>; files: UploadedFile[] } {
  const type = req.headers['content-type'] ?? '';
  const query = new URL(req.url ?? '/', 'http://x').searchParams;
  const params: Record<string, unknown> = Object.fromEntries(query);
  const files: UploadedFile[] = [];
  if (body.length === 0) return { params, files };
  if (type.startsWith('application/json')) {
    Object.assign(params, JSON.parse(body.toString('utf8')) as Record<string, unknown>);
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params[key] = decodeField(value);
  } else if (type.startsWith('multipart/form-data')) {
    const boundary = boundaryOf(type);
    if (!boundary) return { params, files };
    const parts = parseMultipart(body, boundary);
    const attached = new Map<string, { filename: string; size: number }>();
    for (const part of parts) {
      if (part.filename !== undefined) attached.set(part.name, { filename: part.filename, size: part.data.length });
      else params[part.name] = decodeField(part.data.toString('utf8'));
    }
    // Resolve `attach://<id>` references to the uploaded files.
    for (const [key, value] of Object.entries(params)) {
      if (typeof value !== 'string' || !value.startsWith('attach://')) continue;
      const file = attached.get(value.slice('attach://'.length));
      if (!file) continue;
      files.push({ field: key, ...file });
      params[key] = { uploaded: file.filename, size: file.size };
    }
  }
  return { params, files };
}

/** Multipart and urlencoded values are strings; objects (reply_markup, ...) arrive JSON-encoded. */
function decodeField(value: string): unknown {
  if (value.startsWith('{') || value.startsWith('[')) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

// Keep-alive HTTP/1.1 connections to the Bot API, one exchange at a time on each: the request written in one piece,
// the answer read straight off the socket. node:http's ClientRequest, agent bookkeeping and IncomingMessage cost
// more CPU than the rest of a small JSON call (issue 17.7); the Bot API only needs a POST with a JSON body and a
// JSON answer (with Content-Length, or chunked). bot-api-fetch.ts sends everything else (uploads) through node:http.
// Like node:http's keep-alive agent: as many connections as calls in flight, idle ones kept (up to MAX_IDLE per
// origin, unref'd so they never hold the process) until the server closes them; TLS verified as https does, its
// session resumed on a new connection; nothing retried here (grammY's retry transformer decides).
import net from 'node:net';
import tls from 'node:tls';

export type Origin = { secure: boolean; host: string; port: number };

export type BotApiAnswer = { status: number; body: Buffer };

const MAX_IDLE = 256;
const HEAD_END = Buffer.from('\r\n\r\n');

type Exchange = {
  resolve(answer: BotApiAnswer): void;
  reject(error: Error): void;
};

/** What the answer's head says about its body and the connection. */
type Head = { status: number; bodyStart: number; length: number | 'chunked' | 'close'; keepAlive: boolean };

class Connection {
  private received: Buffer = Buffer.alloc(0);
  private head: Head | null = null;
  private exchange: Exchange | null = null;

  constructor(
    readonly socket: net.Socket,
    private readonly pool: Pool,
  ) {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 1_000);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(hangUp()));
  }

  get usable(): boolean {
    return !this.socket.destroyed && this.socket.writable && this.socket.readable;
  }

  send(request: string, exchange: Exchange): void {
    this.exchange = exchange;
    this.received = Buffer.alloc(0);
    this.head = null;
    this.socket.ref();
    this.socket.write(request);
  }

  /** Cuts the exchange in flight (an abort): the connection is not reused. */
  destroy(error: Error): void {
    this.fail(error);
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (!this.exchange) {
      // Nothing was asked: a server talking out of turn, not a connection to reuse.
      this.socket.destroy();
      return;
    }
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    try {
      this.head ??= parseHead(this.received);
      if (!this.head) return;
      const body = bodyOf(this.received, this.head);
      if (body === null) return;
      this.complete(body);
    } catch (error) {
      this.destroy(error as Error);
    }
  }

  private complete(body: Buffer): void {
    const exchange = this.exchange!;
    const { status, keepAlive } = this.head!;
    this.exchange = null;
    this.received = Buffer.alloc(0);
    this.head = null;
    if (keepAlive) this.pool.release(this);
    else this.socket.destroy();
    exchange.resolve({ status, body });
  }

  private fail(error: Error): void {
    this.pool.forget(this);
    const exchange = this.exchange;
    if (!exchange) return;
    // An answer without a length ends with the connection.
    if (this.head?.length === 'close' && error.message === hangUp().message) {
      this.complete(this.received.subarray(this.head.bodyStart));
      return;
    }
    this.exchange = null;
    exchange.reject(error);
  }
}

class Pool {
  private readonly idle: Connection[] = [];
  private session: Buffer | undefined;

  constructor(private readonly origin: Origin) {}

  exchange(request: string, signal: AbortSignalLike | undefined): Promise<BotApiAnswer> {
    return new Promise((resolve, reject) => {
      const connection = this.take();
      const onAbort = () => connection.destroy(abortError());
      signal?.addEventListener('abort', onAbort);
      const settle = () => signal?.removeEventListener('abort', onAbort);
      connection.send(request, {
        resolve: (answer) => {
          settle();
          resolve(answer);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
    });
  }

  release(connection: Connection): void {
    if (!connection.usable || this.idle.length >= MAX_IDLE) {
      connection.socket.destroy();
      return;
    }
    connection.socket.unref();
    this.idle.push(connection);
  }

  forget(connection: Connection): void {
    const at = this.idle.indexOf(connection);
    if (at >= 0) this.idle.splice(at, 1);
  }

  private take(): Connection {
    for (let connection = this.idle.pop(); connection; connection = this.idle.pop()) {
      if (connection.usable) return connection;
      connection.socket.destroy();
    }
    return new Connection(this.connect(), this);
  }

  private connect(): net.Socket {
    const { secure, host, port } = this.origin;
    if (!secure) return net.connect({ host, port });
    const socket = tls.connect({
      host,
      port,
      // SNI takes a name, not an address.
      ...(net.isIP(host) ? {} : { servername: host }),
      ALPNProtocols: ['http/1.1'],
      ...(this.session ? { session: this.session } : {}),
    });
    socket.on('session', (session: Buffer) => {
      this.session = session;
    });
    return socket;
  }
}

export type AbortSignalLike = {
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
};

const pools = new Map<string, Pool>();

/** The pool of an origin, made on first use (one per Bot API root, as grammY keeps one agent per root). */
export function poolOf(origin: Origin): Pool {
  const name = `${origin.secure ? 's' : ''}${origin.host}:${origin.port}`;
  let pool = pools.get(name);
  if (!pool) {
    pool = new Pool(origin);
    pools.set(name, pool);
  }
  return pool;
}

export type { Pool };

/** The head of an answer once it is all there (1xx interim answers skipped), else null. */
function parseHead(received: Buffer): Head | null {
  let start = 0;
  for (;;) {
    const end = received.indexOf(HEAD_END, start);
    if (end < 0) return null;
    // Lower case and ending with its line break, so a header is found as "\r\nname:" and ends at the next "\r\n".
    const head = `${received.toString('latin1', start, end).toLowerCase()}\r\n`;
    const statusLine = /^http\/1\.([01]) (\d{3})/.exec(head);
    if (!statusLine) throw new Error('Bot API: not an HTTP answer');
    const status = Number(statusLine[2]);
    if (status >= 100 && status < 200) {
      start = end + HEAD_END.length;
      continue;
    }
    const chunked = headerOf(head, 'transfer-encoding')?.split(',').at(-1)?.trim() === 'chunked';
    const declared = headerOf(head, 'content-length');
    const length: Head['length'] = chunked ? 'chunked' : declared === undefined ? 'close' : Number(declared);
    if (typeof length === 'number' && !(Number.isSafeInteger(length) && length >= 0 && /^\d+$/.test(declared!))) {
      throw new Error('Bot API: bad Content-Length');
    }
    const connection = headerOf(head, 'connection') ?? '';
    const keepAlive =
      // Without a length, the body runs to the end of the connection.
      length !== 'close' &&
      !connection.includes('close') &&
      (statusLine[1] === '1' || connection.includes('keep-alive'));
    return { status, bodyStart: end + HEAD_END.length, length, keepAlive };
  }
}

/** A header's value (the first, trimmed) in a lower-cased head, or undefined. */
function headerOf(head: string, name: string): string | undefined {
  const at = head.indexOf(`\r\n${name}:`);
  if (at < 0) return undefined;
  const from = at + name.length + 3;
  return head.slice(from, head.indexOf('\r\n', from)).trim();
}

/** The whole body once received, else null. */
function bodyOf(received: Buffer, head: Head): Buffer | null {
  if (head.length === 'close') return null;
  if (head.length !== 'chunked') {
    const end = head.bodyStart + head.length;
    if (received.length < end) return null;
    if (received.length > end) throw new Error('Bot API: more bytes than the answer holds');
    return received.subarray(head.bodyStart, end);
  }
  const parts: Buffer[] = [];
  let at = head.bodyStart;
  for (;;) {
    const lineEnd = received.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = Number.parseInt(received.toString('latin1', at, lineEnd).split(';')[0]!.trim(), 16);
    if (!Number.isSafeInteger(size) || size < 0) throw new Error('Bot API: bad chunk size');
    if (size === 0) {
      // Trailers (none expected) end with an empty line.
      const end = received.indexOf(HEAD_END, lineEnd);
      if (end < 0) return null;
      if (received.length > end + HEAD_END.length) throw new Error('Bot API: more bytes than the answer holds');
      return Buffer.concat(parts);
    }
    const dataStart = lineEnd + 2;
    if (received.length < dataStart + size + 2) return null;
    parts.push(received.subarray(dataStart, dataStart + size));
    at = dataStart + size + 2;
  }
}

function hangUp(): Error {
  const error = new Error('socket hang up') as Error & { code: string };
  error.code = 'ECONNRESET';
  return error;
}

export function abortError(): Error {
  const error = new Error('The Bot API call was aborted');
  error.name = 'AbortError';
  return error;
}

// Redis going away is one event, not hundreds of log lines: every connection (the bot's, BullMQ's queues and
// workers) sees the same outage and each would log every reconnect attempt. So connection failures are logged here
// only, from the bot's main connection: one line when Redis goes away (with the address and what to check), one
// when it is back, and while it stays down at most one line a minute. The other error listeners drop connection
// failures (`isRedisConnectionError`) and log only what is theirs.
import type { Redis } from 'ioredis';

type OutageLogger = {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
};

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOENT', // a Unix socket that is gone (the private redis-server)
]);
const CONNECTION_MESSAGES =
  /Connection is closed|connect ETIMEDOUT|Command timed out|Stream isn't writeable|Reached the max retries|getaddrinfo|LOADING|All sentinels are unreachable|READONLY|Failed to refresh slots cache/i;

/** True for a failure of the connection itself (Redis down, unreachable, restarting), not of a command. */
export function isRedisConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (code && CONNECTION_CODES.has(code)) return true;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  if (err.name === 'AggregateError' && 'errors' in err) {
    return (err as AggregateError).errors.some((e) => isRedisConnectionError(e));
  }
  return CONNECTION_MESSAGES.test(err.message);
}

/** Why a connection failed, in words an operator acts on (never a stack). */
export function connectionProblem(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listens there: is Redis running, on that port?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host name (check the host in REDIS_URL)';
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no answer (check the address and any firewall between the bot and Redis)';
    case 'ENOENT':
      return 'the socket file is gone (the private redis-server stopped)';
    default:
      if (/NOAUTH|WRONGPASS|invalid password/i.test(err.message))
        return 'authentication failed (check REDIS_PASSWORD or the password in REDIS_URL)';
      return err.message.split('\n')[0] ?? err.name;
  }
}

/** `redis://user:secret@host:6379/0` -> `redis://host:6379/0` (no credentials in logs). */
export function redactRedisAddress(address: string): string {
  try {
    const url = new URL(address);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return address;
  }
}

export class RedisOutageLog {
  private downSince: number | null = null;
  private lastLine = 0;
  private errorsSinceLine = 0;

  constructor(
    private readonly logger: OutageLogger,
    /** Where Redis is, as shown to an operator (no credentials). */
    private readonly address: string,
    private readonly options: { everyMs?: number; now?: () => number } = {},
  ) {}

  get isDown(): boolean {
    return this.downSince !== null;
  }

  /** Follows the main connection: its errors and its state changes are the outage's. */
  watch(redis: Redis): this {
    redis.on('error', (err) => this.failed(err));
    redis.on('ready', () => this.back());
    return this;
  }

  /** A connection failed (any connection to the same Redis). */
  failed(err: unknown): void {
    const now = this.now();
    if (this.downSince === null) {
      this.downSince = now;
      this.lastLine = now;
      this.errorsSinceLine = 0;
      this.logger.warn(
        { redis: this.address, problem: connectionProblem(err) },
        'redis unreachable: answering from memory and retrying until it is back',
      );
      return;
    }
    this.errorsSinceLine += 1;
    if (now - this.lastLine >= (this.options.everyMs ?? 60_000)) {
      this.logger.warn(
        {
          redis: this.address,
          problem: connectionProblem(err),
          downSeconds: Math.round((now - this.downSince) / 1000),
          failedAttempts: this.errorsSinceLine,
        },
        'redis still unreachable',
      );
      this.lastLine = now;
      this.errorsSinceLine = 0;
    }
  }

  back(): void {
    if (this.downSince === null) return;
    const seconds = Math.round((this.now() - this.downSince) / 1000);
    this.downSince = null;
    this.logger.info({ redis: this.address, downSeconds: seconds }, 'redis reachable again');
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

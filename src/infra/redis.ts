// Redis connections.
//
// The bot's command connection (`connectRedis`) is built to fail fast while Redis is unreachable, so callers can
// degrade (the runtime answers FAQs from memory, referrals say "try again in a few minutes") instead of hanging,
// and to come back by itself when Redis returns:
// - the offline queue stays on, so commands sent before the first connect simply wait for it;
// - `commandTimeout` bounds every command, queued or written, including on a half-open TCP connection (a
//   container that vanished sends no reset: without it a command would wait for TCP keepalive, minutes);
// - `maxRetriesPerRequest: 1`: a command caught by a disconnect is retried once after reconnecting, then fails;
// - reconnection never gives up, with exponential backoff capped at 2 s plus jitter.
//
// BullMQ workers block on Redis (BZPOPMIN for seconds): they need a connection without the command timeout that
// retries forever (`connectBullRedis`). Workers usually make theirs with `duplicate()` of the
// connection they are given, so duplicates of a command connection drop the command timeout by default.
import { Redis, type RedisOptions } from 'ioredis';
import { connectionProblem, redactRedisAddress } from './redis-outage.ts';

/**
 * Where Redis is: a URL (redis://, rediss://), a Unix socket (the private redis-server), or Redis Sentinel (the
 * client asks the sentinels for the current master of `name`, and follows failovers by itself).
 */
export type RedisTarget =
  | { url: string }
  | { path: string }
  | { sentinels: { host: string; port: number }[]; name: string; password?: string; sentinelPassword?: string };

/** "host:port,host:port" (REDIS_SENTINELS) -> the sentinels' addresses; port 26379 when left out. */
export function parseSentinels(list: string): { host: string; port: number }[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.lastIndexOf(':');
      const host = at > 0 ? entry.slice(0, at) : entry;
      const port = at > 0 ? Number(entry.slice(at + 1)) : 26379;
      if (!host || !Number.isInteger(port) || port <= 0 || port > 65535)
        throw new Error(`bad sentinel address "${entry}"`);
      return { host, port };
    });
}

/** Longest a command may take before its caller is told it failed. */
export const COMMAND_TIMEOUT_MS = 2_000;
const MAX_RECONNECT_DELAY_MS = 2_000;

/** Exponential backoff from 50 ms to 2 s, with jitter so many processes do not reconnect in step. */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.max(0, attempt - 1), MAX_RECONNECT_DELAY_MS) + Math.floor(Math.random() * 100);
}

export const RESILIENT_OPTIONS: RedisOptions = {
  enableOfflineQueue: true,
  maxRetriesPerRequest: 1,
  commandTimeout: COMMAND_TIMEOUT_MS,
  connectTimeout: 2_000,
  retryStrategy: reconnectDelay,
};

/** Options for connections that block (BullMQ workers): no command timeout, commands wait across reconnects. */
const BLOCKING_OPTIONS: RedisOptions = {
  maxRetriesPerRequest: null,
  commandTimeout: undefined,
  enableOfflineQueue: true,
  enableAutoPipelining: false,
};

export function connectRedis(target: RedisTarget, options: RedisOptions = {}): Redis {
  const base: RedisOptions = { lazyConnect: false, enableAutoPipelining: true, ...RESILIENT_OPTIONS, ...options };
  return withBlockingSafeDuplicates(newClient(target, base));
}

function newClient(target: RedisTarget, options: RedisOptions): Redis {
  if ('url' in target) return new Redis(target.url, options);
  if ('path' in target) return new Redis({ path: target.path, ...options });
  const { sentinels, name, password, sentinelPassword } = target;
  return new Redis({
    sentinels,
    name,
    ...(password ? { password } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
    ...options,
  });
}

/**
 * `redis.duplicate(...)` without the command timeout unless the caller sets one: BullMQ workers (ours call
 * `duplicate({ maxRetriesPerRequest: null })`) would otherwise see every idle BZPOPMIN fail after 2 s.
 */
function withBlockingSafeDuplicates(redis: Redis): Redis {
  const duplicate = redis.duplicate.bind(redis);
  redis.duplicate = (override?: Partial<RedisOptions>) =>
    withBlockingSafeDuplicates(duplicate({ commandTimeout: undefined, ...override }));
  return redis;
}

/** Connection for BullMQ workers and queues. */
export function connectBullRedis(target: RedisTarget): Redis {
  return connectRedis(target, BLOCKING_OPTIONS);
}

/**
 * Whether Redis is usable, as far as this connection knows: true until the connection is lost (commands sent before
 * the first connect wait in the offline queue), false from a lost connection until it is ready again. Callers use
 * it to degrade at once instead of waiting for a command to time out.
 */
export function trackAvailability(redis: Redis): () => boolean {
  let up = redis.status !== 'end' && redis.status !== 'close';
  redis.on('ready', () => {
    up = true;
  });
  redis.on('close', () => {
    up = false;
  });
  return () => up;
}

/** True when a Redis answers PING at the address within the timeout. */
export async function redisAnswers(target: RedisTarget, timeoutMs = 500): Promise<boolean> {
  return (await pingOnce(target, timeoutMs)) === null;
}

/** Null when a Redis answers PING at the address within the timeout, else why not. */
async function pingOnce(target: RedisTarget, timeoutMs: number): Promise<unknown> {
  const client = connectRedis(target, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    enableOfflineQueue: false,
  });
  // The connection's own error says why (ECONNREFUSED...); the failed call only says "Connection is closed".
  let cause: unknown = null;
  client.on('error', (err) => {
    cause ??= err;
  });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG' ? null : new Error('no PONG');
  } catch (err) {
    return cause ?? err;
  } finally {
    client.disconnect();
  }
}

/** Where Redis is, for operators: the URL without credentials, the socket, or the sentinels. */
export function describeRedisTarget(target: RedisTarget): string {
  if ('url' in target) return redactRedisAddress(target.url);
  if ('path' in target) return `unix:${target.path}`;
  return `sentinels ${target.sentinels.map((s) => `${s.host}:${s.port}`).join(',')} (master "${target.name}")`;
}

/**
 * Waits (quietly, retrying) up to `waitMs` for Redis to answer at start. Null when it does; otherwise the one line
 * that tells the operator where the bot looked, what went wrong and what to check.
 */
export async function redisStartProblem(target: RedisTarget, setting: string, waitMs = 10_000): Promise<string | null> {
  const until = Date.now() + waitMs;
  let last: unknown = null;
  for (let attempt = 1; ; attempt++) {
    last = await pingOnce(target, Math.min(2_000, waitMs));
    if (last === null) return null;
    if (Date.now() >= until) break;
    await new Promise((r) => setTimeout(r, Math.min(reconnectDelay(attempt) * 4, Math.max(0, until - Date.now()))));
  }
  const seconds = Math.round(waitMs / 1000);
  return (
    `Redis at ${describeRedisTarget(target)} did not answer for ${seconds} s: ${connectionProblem(last).replace(/\.$/, '')}. ` +
    `Check ${setting} and that Redis is running and reachable from this machine, then start the bot again.`
  );
}

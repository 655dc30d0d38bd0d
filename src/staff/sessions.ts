// Browser sessions in Redis, created only at login (an anonymous visitor has none: the login form's CSRF token is
// signed instead, see signing.ts). The cookie holds a random id; Redis holds, under a hash of it, the account, the
// account's generation when the session began, and the session's CSRF token. A session ends after `idleSeconds`
// without use, `absoluteSeconds` after login whatever happens, and at once when its account is disabled, reset,
// removed or changes role (the account's generation moves on, and its sessions are deleted).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/keys.ts';
import { StaffKeys } from './staff-keys.ts';

export type StaffSession = {
  id: string;
  account: string;
  /** The account's generation at login: a session of an older generation is over. */
  generation: number;
  /** Checked against the `_csrf` field of every form posted in this session. */
  csrf: string;
  createdAt: number;
};

export type SessionOptions = {
  /** Without use this long, the session ends (default 2 h). */
  idleSeconds?: number;
  /** This long after login, the session ends even in use (default 12 h). */
  absoluteSeconds?: number;
};

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export class SessionStore {
  private readonly k: StaffKeys;
  readonly idleSeconds: number;
  readonly absoluteSeconds: number;

  constructor(
    private readonly redis: Redis,
    keys: RedisKeys,
    options: SessionOptions = {},
  ) {
    this.k = new StaffKeys(keys);
    this.absoluteSeconds = options.absoluteSeconds ?? 12 * 3600;
    this.idleSeconds = Math.min(options.idleSeconds ?? 2 * 3600, this.absoluteSeconds);
  }

  /** The cookie's lifetime: the session cannot outlive it. */
  get cookieSeconds(): number {
    return this.absoluteSeconds;
  }

  private ttl(createdAt: number, now: number): number {
    const left = Math.ceil((createdAt + this.absoluteSeconds * 1000 - now) / 1000);
    return Math.min(this.idleSeconds, left);
  }

  async create(now: number, account: string, generation: number): Promise<StaffSession> {
    const session: StaffSession = {
      id: randomBytes(32).toString('base64url'),
      csrf: randomBytes(32).toString('base64url'),
      createdAt: now,
      account,
      generation,
    };
    const key = this.k.session(session.id);
    const setKey = this.k.accountSessions(account);
    await this.redis
      .multi()
      .hset(key, {
        csrf: session.csrf,
        createdAt: String(now),
        seenAt: String(now),
        account,
        generation: String(generation),
      })
      .expire(key, this.idleSeconds)
      .sadd(setKey, key)
      .expire(setKey, this.absoluteSeconds)
      .exec();
    return session;
  }

  /** The session for a cookie value, its idle time renewed; null when unknown, idle too long or too old. */
  async load(id: string | undefined, now: number, options: { renew?: boolean } = {}): Promise<StaffSession | null> {
    if (!id || !SESSION_ID.test(id)) return null;
    const key = this.k.session(id);
    const hash = await this.redis.hgetall(key);
    if (!hash.csrf || !hash.account) return null;
    const createdAt = Number(hash.createdAt ?? 0);
    const seenAt = Number(hash.seenAt ?? createdAt);
    const ttl = this.ttl(createdAt, now);
    // The clock decides (Redis expiry only tidies up): idle too long, or past the absolute lifetime.
    if (ttl <= 0 || now - seenAt > this.idleSeconds * 1000) {
      await this.redis.del(key);
      return null;
    }
    // A live page checking its session does not count as use: a forgotten open tab still times out.
    if (options.renew !== false) await this.redis.multi().hset(key, 'seenAt', String(now)).expire(key, ttl).exec();
    return { id, csrf: hash.csrf, createdAt, account: hash.account, generation: Number(hash.generation ?? 0) };
  }

  async destroy(id: string): Promise<void> {
    if (SESSION_ID.test(id)) await this.redis.del(this.k.session(id));
  }

  /** Ends every session of an account (password set again, disabled, reset, removed, role changed). */
  async destroyAllOf(account: string): Promise<void> {
    const setKey = this.k.accountSessions(account);
    const keys = await this.redis.smembers(setKey);
    await this.redis.del(setKey, ...keys);
  }
}

// Browser sessions in Redis. The cookie holds a random id; Redis holds, under a hash of it, the account (absent
// before login) and the session's CSRF token. Sessions expire after a period without use.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/keys.ts';
import { StaffKeys } from './staff-keys.ts';

export type StaffSession = {
  id: string;
  /** Account id once logged in. */
  account?: string;
  /** Checked against the `_csrf` field of every form posted in this session. */
  csrf: string;
  createdAt: number;
};

export type SessionOptions = {
  /** Logged-in session lifetime without use (default 12 h). */
  ttlSeconds?: number;
  /** Anonymous session (login and set-up forms) lifetime (default 30 min). */
  anonymousTtlSeconds?: number;
};

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export class SessionStore {
  private readonly k: StaffKeys;
  readonly ttlSeconds: number;
  readonly anonymousTtlSeconds: number;

  constructor(
    private readonly redis: Redis,
    keys: RedisKeys,
    options: SessionOptions = {},
  ) {
    this.k = new StaffKeys(keys);
    this.ttlSeconds = options.ttlSeconds ?? 12 * 3600;
    this.anonymousTtlSeconds = options.anonymousTtlSeconds ?? 30 * 60;
  }

  async create(now: number, account?: string): Promise<StaffSession> {
    const session: StaffSession = {
      id: randomBytes(32).toString('base64url'),
      csrf: randomBytes(32).toString('base64url'),
      createdAt: now,
      ...(account ? { account } : {}),
    };
    const key = this.k.session(session.id);
    const ttl = account ? this.ttlSeconds : this.anonymousTtlSeconds;
    const fields: Record<string, string> = { csrf: session.csrf, createdAt: String(now) };
    if (account) fields.account = account;
    const tx = this.redis.multi().hset(key, fields).expire(key, ttl);
    if (account) tx.sadd(this.k.accountSessions(account), key).expire(this.k.accountSessions(account), ttl);
    await tx.exec();
    return session;
  }

  /** The session for a cookie value, its lifetime renewed; null when unknown or expired. */
  async load(id: string | undefined): Promise<StaffSession | null> {
    if (!id || !SESSION_ID.test(id)) return null;
    const key = this.k.session(id);
    const hash = await this.redis.hgetall(key);
    if (!hash.csrf) return null;
    await this.redis.expire(key, hash.account ? this.ttlSeconds : this.anonymousTtlSeconds);
    return {
      id,
      csrf: hash.csrf,
      createdAt: Number(hash.createdAt ?? 0),
      ...(hash.account ? { account: hash.account } : {}),
    };
  }

  async destroy(id: string): Promise<void> {
    if (SESSION_ID.test(id)) await this.redis.del(this.k.session(id));
  }

  /** Ends every session of an account (after its password was set again). */
  async destroyAllOf(account: string): Promise<void> {
    const setKey = this.k.accountSessions(account);
    const keys = await this.redis.smembers(setKey);
    await this.redis.del(setKey, ...keys);
  }
}

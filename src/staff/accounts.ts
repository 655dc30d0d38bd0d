// Staff accounts in Redis: one hash per account (`staff:account:<id>`), created by `kunnafoni staff add` without a
// password; the person sets it through a one-time link valid 24 hours.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/keys.ts';
import { luaScript, runLua } from '../infra/lua.ts';
import { StaffKeys } from './staff-keys.ts';

export const ROLES = ['staff', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type StaffAccount = {
  /** The login name, e.g. "awa-traore" (made from the name). */
  id: string;
  name: string;
  partner: string;
  role: Role;
  createdAt: number;
  passwordHash?: string;
  passwordSetAt?: number;
  /** A disabled account cannot log in and has no live session. */
  disabled: boolean;
  /** Moves on whenever the account's sessions must end (disabled, reset, role changed, removed). */
  generation: number;
};

export const SETUP_TTL_SECONDS = 24 * 3600;

/** "Awa Traoré" -> "awa-traore". */
export function loginFromName(name: string): string {
  const slug = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32);
  return slug || 'staff';
}

function parseAccount(hash: Record<string, string>): StaffAccount | null {
  if (!hash.id || !hash.partner || (hash.role !== 'staff' && hash.role !== 'admin')) return null;
  return {
    id: hash.id,
    name: hash.name ?? hash.id,
    partner: hash.partner,
    role: hash.role,
    createdAt: Number(hash.createdAt ?? 0),
    ...(hash.passwordHash ? { passwordHash: hash.passwordHash } : {}),
    ...(hash.passwordSetAt ? { passwordSetAt: Number(hash.passwordSetAt) } : {}),
    disabled: hash.disabled === '1',
    generation: Number(hash.generation ?? 0),
  };
}

/** Replaces the hash only if it is still the one checked (a password change in between wins). */
const UPGRADE_HASH = luaScript(
  'kf:staff-upgrade-hash',
  { keys: ['account'], argv: ['previous', 'passwordHash'] },
  `if redis.call('HGET', KEYS[1], 'passwordHash') == ARGV[1] then redis.call('HSET', KEYS[1], 'passwordHash', ARGV[2]) end
return 1`,
);

export class AccountStore {
  private readonly k: StaffKeys;

  constructor(
    private readonly redis: Redis,
    keys: RedisKeys,
  ) {
    this.k = new StaffKeys(keys);
  }

  /** Creates an account with a free login name derived from the name ("awa-traore", then "awa-traore-2"...). */
  async create(input: { name: string; partner: string; role: Role }, now: number): Promise<StaffAccount> {
    const base = loginFromName(input.name);
    for (let n = 1; n < 1000; n++) {
      const id = n === 1 ? base : `${base}-${n}`;
      // HSETNX on the id field claims the login name atomically.
      if ((await this.redis.hsetnx(this.k.account(id), 'id', id)) === 0) continue;
      await this.redis
        .multi()
        .hset(this.k.account(id), {
          name: input.name,
          partner: input.partner,
          role: input.role,
          createdAt: String(now),
        })
        .sadd(this.k.accounts, id)
        .exec();
      return {
        id,
        name: input.name,
        partner: input.partner,
        role: input.role,
        createdAt: now,
        disabled: false,
        generation: 0,
      };
    }
    throw new Error('no free login name');
  }

  async get(id: string): Promise<StaffAccount | null> {
    if (!/^[a-z0-9-]{1,40}$/.test(id)) return null;
    return parseAccount(await this.redis.hgetall(this.k.account(id)));
  }

  async list(): Promise<StaffAccount[]> {
    const ids = (await this.redis.smembers(this.k.accounts)).sort();
    const accounts = await Promise.all(ids.map((id) => this.get(id)));
    return accounts.filter((a): a is StaffAccount => a !== null);
  }

  async setPassword(id: string, passwordHash: string, now: number): Promise<void> {
    await this.redis.hset(this.k.account(id), { passwordHash, passwordSetAt: String(now) });
  }

  /** The same password, hashed again at today's cost (not a change: sessions stay). */
  async upgradeHash(id: string, previous: string, passwordHash: string): Promise<void> {
    await runLua(this.redis, UPGRADE_HASH, { account: this.k.account(id) }, { previous, passwordHash });
  }

  /** Ends every session of the account: sessions of an older generation are refused when loaded. */
  async nextGeneration(id: string): Promise<void> {
    await this.redis.hincrby(this.k.account(id), 'generation', 1);
  }

  async setDisabled(id: string, disabled: boolean): Promise<void> {
    await this.redis.hset(this.k.account(id), 'disabled', disabled ? '1' : '0');
    if (disabled) await this.nextGeneration(id);
  }

  async setRole(id: string, role: Role): Promise<void> {
    await this.redis.hset(this.k.account(id), 'role', role);
    await this.nextGeneration(id);
  }

  /** Deletes the account; its login name becomes free again. */
  async remove(id: string): Promise<void> {
    await this.redis.multi().del(this.k.account(id)).srem(this.k.accounts, id).exec();
  }

  /** A one-time token for the password set-up page; only its hash is stored. */
  async newSetupToken(id: string, ttlSeconds = SETUP_TTL_SECONDS): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    await this.redis.set(this.k.setup(token), id, 'EX', ttlSeconds);
    return token;
  }

  /** The account a set-up token is for (null when unknown, used or expired). */
  async setupAccount(token: string): Promise<StaffAccount | null> {
    if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return null;
    const id = await this.redis.get(this.k.setup(token));
    return id ? this.get(id) : null;
  }

  /** Uses the token up: true for exactly one caller. */
  async consumeSetupToken(token: string): Promise<string | null> {
    if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) return null;
    return this.redis.getdel(this.k.setup(token));
  }
}

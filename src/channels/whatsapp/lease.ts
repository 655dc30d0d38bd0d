// One process per WhatsApp number: two whatsapp-web.js clients on one number throw each other out (CONFLICT) and
// can get the number banned. The process holding the lease runs WhatsApp; another one waits and says so.
// The key names the deployment's number (one per key prefix), never the number itself; the value is a random token.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../infra/keys.ts';
import { luaScript, runLua } from '../../infra/lua.ts';

/** Renews only the holder's own lease; 1 when renewed. */
const RENEW = luaScript(
  'kf:wa-lease-renew',
  { keys: ['lease'], argv: ['token', 'ttlMs'] },
  `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`,
);
/** Deletes only the holder's own lease. */
const RELEASE = luaScript(
  'kf:wa-lease-release',
  { keys: ['lease'], argv: ['token'] },
  `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`,
);

export interface WhatsAppLease {
  /** How long a lease lives without renewal. */
  readonly ttlMs: number;
  /** True when this process now holds the lease (new or already its own). */
  acquire(): Promise<boolean>;
  /** True while this process still holds it. */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export class RedisWhatsAppLease implements WhatsAppLease {
  private readonly token = randomBytes(12).toString('base64url');
  private readonly key: string;

  constructor(
    private readonly redis: Redis,
    keys: RedisKeys,
    readonly ttlMs = 30_000,
  ) {
    this.key = keys.key('wa', 'lease');
  }

  async acquire(): Promise<boolean> {
    if ((await this.redis.set(this.key, this.token, 'PX', this.ttlMs, 'NX')) === 'OK') return true;
    return this.renew();
  }

  async renew(): Promise<boolean> {
    return (await runLua(this.redis, RENEW, { lease: this.key }, { token: this.token, ttlMs: this.ttlMs })) === 1;
  }

  async release(): Promise<void> {
    await runLua(this.redis, RELEASE, { lease: this.key }, { token: this.token });
  }
}

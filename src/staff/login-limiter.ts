// Login rate limiting. Bad passwords are counted in Redis per (client address, account) pair and per account:
// - 5 failures of one account from one address lock that account for that address (15 min);
// - 10 failures of one account from anywhere lock the account (15 min), against guessing spread over addresses.
// Neither ever blocks another account: an address failing on one name (or every client behind a proxy sharing one
// address) leaves every other account's correct password working. A browser that logged into the account before
// (the signed known-browser cookie) is not locked out by anyone else's failures.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/keys.ts';
import { StaffKeys } from './staff-keys.ts';

export type LimiterOptions = {
  /** Failures of one account from one address before that pair is locked (default 5). */
  maxFailures?: number;
  /** Failures of one account from all addresses before it is locked (default 10). */
  maxAccountFailures?: number;
  windowSeconds?: number;
  lockSeconds?: number;
};

export class LoginLimiter {
  private readonly k: StaffKeys;
  readonly maxFailures: number;
  readonly maxAccountFailures: number;
  readonly windowSeconds: number;
  readonly lockSeconds: number;

  constructor(
    private readonly redis: Redis,
    keys: RedisKeys,
    options: LimiterOptions = {},
  ) {
    this.k = new StaffKeys(keys);
    this.maxFailures = options.maxFailures ?? 5;
    this.maxAccountFailures = options.maxAccountFailures ?? 2 * this.maxFailures;
    this.windowSeconds = options.windowSeconds ?? 15 * 60;
    this.lockSeconds = options.lockSeconds ?? 15 * 60;
  }

  private static pair(account: string, address: string): string {
    return `${address}\n${account}`;
  }

  /** Seconds until this address may try this account again; 0 when free (always 0 for a known browser). */
  async lockedFor(account: string, address: string, knownBrowser = false): Promise<number> {
    if (knownBrowser) return 0;
    const [a, b] = await Promise.all([
      this.redis.ttl(this.k.lock('account', account)),
      this.redis.ttl(this.k.lock('pair', LoginLimiter.pair(account, address))),
    ]);
    return Math.max(a, b, 0);
  }

  async recordFailure(account: string, address: string): Promise<void> {
    const counters = [
      ['pair', LoginLimiter.pair(account, address), this.maxFailures],
      ['account', account, this.maxAccountFailures],
    ] as const;
    for (const [kind, who, max] of counters) {
      const key = this.k.failures(kind, who);
      const [[, count]] = (await this.redis.multi().incr(key).expire(key, this.windowSeconds, 'NX').exec()) as [
        [Error | null, number],
      ];
      if (count >= max) {
        await this.redis.multi().set(this.k.lock(kind, who), '1', 'EX', this.lockSeconds).del(key).exec();
      }
    }
  }

  /** A good password clears this address's count for the account (the account's own count runs on). */
  async recordSuccess(account: string, address: string): Promise<void> {
    await this.redis.del(this.k.failures('pair', LoginLimiter.pair(account, address)));
  }
}

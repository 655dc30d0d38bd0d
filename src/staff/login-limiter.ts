// Login rate limiting: bad passwords are counted per account name and per IP address in Redis; after
// `maxFailures` within the window, that account (or address) is locked for `lockSeconds`, whatever password comes.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/keys.ts';
import { StaffKeys } from './staff-keys.ts';

export type LimiterOptions = { maxFailures?: number; windowSeconds?: number; lockSeconds?: number };

export class LoginLimiter {
  private readonly k: StaffKeys;
  readonly maxFailures: number;
  readonly windowSeconds: number;
  readonly lockSeconds: number;

  constructor(
    private readonly redis: Redis,
    keys: RedisKeys,
    options: LimiterOptions = {},
  ) {
    this.k = new StaffKeys(keys);
    this.maxFailures = options.maxFailures ?? 5;
    this.windowSeconds = options.windowSeconds ?? 15 * 60;
    this.lockSeconds = options.lockSeconds ?? 15 * 60;
  }

  /** Seconds until the account or the address may try again; 0 when neither is locked. */
  async lockedFor(account: string, ip: string): Promise<number> {
    const [a, b] = await Promise.all([
      this.redis.ttl(this.k.lock('account', account)),
      this.redis.ttl(this.k.lock('ip', ip)),
    ]);
    return Math.max(a, b, 0);
  }

  async recordFailure(account: string, ip: string): Promise<void> {
    for (const [kind, who] of [
      ['account', account],
      ['ip', ip],
    ] as const) {
      const key = this.k.failures(kind, who);
      const [[, count]] = (await this.redis.multi().incr(key).expire(key, this.windowSeconds, 'NX').exec()) as [
        [Error | null, number],
      ];
      if (count >= this.maxFailures) {
        await this.redis.multi().set(this.k.lock(kind, who), '1', 'EX', this.lockSeconds).del(key).exec();
      }
    }
  }

  /** A good password clears the account's count (the address keeps its count: it may be guessing many names). */
  async recordSuccess(account: string): Promise<void> {
    await this.redis.del(this.k.failures('account', account));
  }
}

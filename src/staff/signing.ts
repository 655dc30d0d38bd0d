// Signed values for the console that need no server-side state: the login form's CSRF token (no session exists
// before login) and the "known browser" cookie that lets a person log in while their account is locked by
// someone else's guessing. The key is made once per deployment and kept in Redis, so every process agrees.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/keys.ts';
import { StaffKeys } from './staff-keys.ts';

export class Signer {
  private key: Promise<Buffer> | null = null;
  private readonly k: StaffKeys;

  constructor(
    private readonly redis: Redis,
    keys: RedisKeys,
  ) {
    this.k = new StaffKeys(keys);
  }

  private secret(): Promise<Buffer> {
    this.key ??= (async () => {
      await this.redis.set(this.k.signingKey, randomBytes(32).toString('base64url'), 'NX');
      const stored = await this.redis.get(this.k.signingKey);
      if (!stored) throw new Error('the console signing key could not be read');
      return Buffer.from(stored, 'base64url');
    })().catch((err: unknown) => {
      this.key = null;
      throw err;
    });
    return this.key;
  }

  private async mac(purpose: string, value: string): Promise<string> {
    return createHmac('sha256', await this.secret())
      .update(`${purpose}\n${value}`)
      .digest('base64url');
  }

  /** `value.expiry.signature`; the purpose keeps a token made for one use from being accepted for another. */
  async sign(purpose: string, value: string, expiresAt: number): Promise<string> {
    const body = `${value}.${expiresAt}`;
    return `${body}.${await this.mac(purpose, body)}`;
  }

  /** The value of a token signed for this purpose and not expired; null otherwise. */
  async verify(purpose: string, token: string | undefined, now: number): Promise<string | null> {
    if (!token || token.length > 300) return null;
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [value, expiry, sig] = parts as [string, string, string];
    const expected = Buffer.from(await this.mac(purpose, `${value}.${expiry}`));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return Number(expiry) > now ? value : null;
  }
}

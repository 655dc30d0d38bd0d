// Redis keys of the staff console, under the deployment's hash-tagged prefix (`{kf}:staff:...`).
// Secrets (session ids, set-up tokens) and user-typed values (login names, IP addresses) appear in keys only as
// hashes: a Redis dump gives no usable session, and odd input never makes odd keys.
import { createHash } from 'node:crypto';
import type { RedisKeys } from '../infra/keys.ts';

export function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 32);
}

export class StaffKeys {
  constructor(private readonly keys: RedisKeys) {}

  account(id: string): string {
    return this.keys.key('staff', 'account', id);
  }
  /** Set of account ids. */
  get accounts(): string {
    return this.keys.key('staff', 'accounts');
  }
  setup(token: string): string {
    return this.keys.key('staff', 'setup', digest(token));
  }
  session(id: string): string {
    return this.keys.key('staff', 'session', digest(id));
  }
  /** Set of session keys of one account (to end them all when the password changes). */
  accountSessions(account: string): string {
    return this.keys.key('staff', 'account-sessions', account);
  }
  /** Failed logins, per account or per (address, account) pair; the address is only ever in the digest. */
  failures(kind: 'account' | 'pair', who: string): string {
    return this.keys.key('staff', 'login-failures', kind, digest(who.toLowerCase()));
  }
  lock(kind: 'account' | 'pair', who: string): string {
    return this.keys.key('staff', 'login-lock', kind, digest(who.toLowerCase()));
  }
  /** The key signing the login form's CSRF token and the known-browser cookie. */
  get signingKey(): string {
    return this.keys.key('staff', 'signing-key');
  }
  /** A partner's audit log (a sorted set scored by time). */
  audit(partner: string): string {
    return this.keys.key('staff', 'audit', partner);
  }
}

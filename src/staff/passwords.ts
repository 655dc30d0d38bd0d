// Password hashing with node:crypto's scrypt: a random salt per password, the cost parameters stored with the hash
// (so they can be raised: a hash below today's cost is redone at the next good login), and a constant-time
// comparison.
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

const KEY_LENGTH = 64;
const SALT_BYTES = 16;
export type ScryptCost = { N: number; r: number; p: number };
/** OWASP's minimum for scrypt: N = 2^17, r = 8, p = 1 (128 MiB, a few hundred ms on a small server). */
export const DEFAULT_COST: ScryptCost = { N: 1 << 17, r: 8, p: 1 };

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: 128 * cost.N * cost.r * 2 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$N$r$p$salt$hash` (salt and hash in base64url). */
export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

function costOf(stored: string): ScryptCost | null {
  const [scheme, n, r, p] = stored.split('$');
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (scheme !== 'scrypt' || !Number.isInteger(cost.N) || !Number.isInteger(cost.r) || !Number.isInteger(cost.p)) {
    return null;
  }
  return cost;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [, , , , salt, hash] = stored.split('$');
  const cost = costOf(stored);
  // Refuse absurd stored parameters instead of letting them eat the server's memory.
  if (!cost || salt === undefined || hash === undefined || cost.N > 1 << 20 || cost.r > 32 || cost.p > 16) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), cost);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** True when the hash was made with a lower cost than today's: redo it while the password is at hand. */
export function needsRehash(stored: string, cost = DEFAULT_COST): boolean {
  const c = costOf(stored);
  return !c || c.N < cost.N || c.r < cost.r || c.p < cost.p;
}

/** A hash of a random password: verifying against it takes as long as a real check (unknown login names). */
const dummies = new Map<string, Promise<string>>();
export function dummyHash(cost = DEFAULT_COST): Promise<string> {
  const key = `${cost.N}:${cost.r}:${cost.p}`;
  let dummy = dummies.get(key);
  if (!dummy) {
    dummy = hashPassword(randomBytes(16).toString('hex'), cost);
    dummies.set(key, dummy);
  }
  return dummy;
}

export function passwordProblem(password: string): 'too_short' | 'too_long' | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'too_short';
  if (password.length > MAX_PASSWORD_LENGTH) return 'too_long';
  return null;
}

// Encryption of personal data at rest (AES-256-GCM), with a key id in every ciphertext so keys can be rotated:
// new data is sealed with the current key, old data stays readable while its key is still configured.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'k1';

export type DataKeys = {
  /** Key id used to seal new data. */
  currentId: string;
  keys: ReadonlyMap<string, Buffer>;
};

/**
 * Parses `KUNNAFONI_DATA_KEY`: `id:base64key[,id:base64key...]`, the first being current.
 * A bare base64 key gets the id "default". Keys must be 32 bytes.
 */
export function parseDataKeys(spec: string): DataKeys {
  const keys = new Map<string, Buffer>();
  let currentId = '';
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = part.indexOf(':');
    const keyId = at > 0 ? part.slice(0, at) : 'default';
    const material = Buffer.from(at > 0 ? part.slice(at + 1) : part, 'base64');
    if (!/^[A-Za-z0-9_-]{1,16}$/.test(keyId)) throw new Error(`key id "${keyId}" must be 1-16 letters, digits, - or _`);
    if (material.length !== 32) throw new Error(`key "${keyId}" must be 32 bytes in base64 (got ${material.length})`);
    keys.set(keyId, material);
    if (!currentId) currentId = keyId;
  }
  if (!currentId) throw new Error('no key given');
  return { currentId, keys };
}

/** A fixed key derived from a passphrase, for development and tests only. */
export function devDataKeys(passphrase: string): DataKeys {
  const key = createHash('sha256').update(`kunnafoni-dev:${passphrase}`).digest();
  return { currentId: 'dev', keys: new Map([['dev', key]]) };
}

// IVs are cut from a pool of random bytes (each slice used once), as randomUUID does: one randomBytes call per
// 341 seals instead of one per seal. Still 96 random bits per IV, never reused.
const IV_BYTES = 12;
const IV_POOL_BYTES = IV_BYTES * 341;
let ivPool = Buffer.alloc(0);
let ivOffset = 0;

function randomIv(): Buffer {
  if (ivOffset + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_POOL_BYTES);
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

export class PersonalDataCipher {
  constructor(private readonly dataKeys: DataKeys) {}

  /** `k1.<keyId>.<iv>.<tag>.<ciphertext>`, base64url parts. `context` binds the ciphertext to its place. */
  seal(plaintext: string, context = ''): string {
    const key = this.dataKeys.keys.get(this.dataKeys.currentId)!;
    const iv = randomIv();
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(context));
    // Encoded as it comes out (the cipher's string decoder carries partial groups over): no buffers to join.
    const body = cipher.update(plaintext, 'utf8', 'base64url') + cipher.final('base64url');
    const tag = cipher.getAuthTag();
    return `${VERSION}.${this.dataKeys.currentId}.${iv.toString('base64url')}.${tag.toString('base64url')}.${body}`;
  }

  open(sealed: string, context = ''): string {
    const [version, keyId, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !keyId || iv === undefined || tag === undefined || body === undefined) {
      throw new Error('not a sealed value');
    }
    const key = this.dataKeys.keys.get(keyId);
    if (!key) throw new Error(`unknown data key id "${keyId}"`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return decipher.update(body, 'base64url', 'utf8') + decipher.final('utf8');
  }

  isSealed(value: string): boolean {
    return value.startsWith(`${VERSION}.`);
  }
}

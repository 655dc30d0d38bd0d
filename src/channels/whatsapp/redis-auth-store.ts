// The session store behind whatsapp-web.js's RemoteAuth, in Redis, for hosts without a persistent disk.
// RemoteAuth zips the browser profile that holds the paired session to `<dataPath>/<session>.zip` and calls
// `save({ session })`; on start it calls `extract({ session, path })` and unzips what we write there.
// The zip holds the linked device's keys (whoever has it can read and send as the bot's number), so it is sealed
// with the personal-data key when a cipher is given.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Redis } from 'ioredis';
import type { PersonalDataCipher } from '../../infra/crypto.ts';
import type { RedisKeys } from '../../infra/keys.ts';

export class RedisAuthStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** The `dataPath` given to RemoteAuth: where it writes the zip before `save`. */
    private readonly dataPath: string,
    private readonly cipher?: PersonalDataCipher,
  ) {}

  key(session: string): string {
    return this.keys.key('wa', 'auth', session);
  }

  async sessionExists({ session }: { session: string }): Promise<boolean> {
    return (await this.redis.exists(this.key(session))) === 1;
  }

  async save({ session }: { session: string }): Promise<void> {
    const zip = await readFile(join(this.dataPath, `${session}.zip`));
    const stored = this.cipher ? Buffer.from(this.cipher.seal(zip.toString('base64'), this.key(session))) : zip;
    await this.redis.set(this.key(session), stored);
  }

  async extract({ session, path }: { session: string; path: string }): Promise<void> {
    const stored = await this.redis.getBuffer(this.key(session));
    if (!stored) throw new Error('no saved WhatsApp session to extract');
    const zip = this.cipher ? this.open(stored, session) : stored;
    // On a fresh host (the reason to keep the session in Redis) RemoteAuth's folder does not exist yet.
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, zip);
  }

  async delete({ session }: { session: string }): Promise<void> {
    await this.redis.del(this.key(session));
  }

  private open(stored: Buffer, session: string): Buffer {
    const text = stored.toString('utf8');
    // A session saved before encryption was turned on is a plain zip ("PK" header): still readable.
    if (!this.cipher!.isSealed(text)) return stored;
    return Buffer.from(this.cipher!.open(text, this.key(session)), 'base64');
  }
}

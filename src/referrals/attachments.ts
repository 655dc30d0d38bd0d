// Files people send with their case (voice notes, photos of papers, documents): kept so the partner's staff can
// play or view them in the console, encrypted at rest like other personal data, and gone with the person.
//
// A file is sealed (PersonalDataCipher, bound to its id) in `<data dir>/attachments/<id>`; its metadata (type, size,
// the person's pseudonym, the case) is a Redis hash under `att:<id>`, indexed per person and per case so erasure
// and the retention purge find every file. A reference `att:<id>` stands for the file in the case's sealed data.
//
// Two ways in: a channel whose files must be fetched while the message is at hand (WhatsApp's downloadMedia) holds
// the file at once, for a short while (`hold`); one whose files can be fetched later (Telegram's file_id) is read at
// intake (`keep`), so only what the person chose to send is ever downloaded. `keep` makes both last with the case.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { ChannelName } from '../engine/types.ts';
import type { PersonalDataCipher } from '../infra/crypto.ts';
import type { RedisKeys } from '../infra/keys.ts';
import type { ChatRef } from '../ports/chat.ts';

export type StoredFile = { contentType: string; body: Uint8Array };
/** What the console shows of a file before it is opened (no content). */
export type FileInfo = { contentType: string; size: number };
/** Reads a file a person sent on a platform, from the reference the channel gave the engine; null when gone. */
export type FetchFile = (ref: string) => Promise<StoredFile | null>;

export const ATTACHMENT_PREFIX = 'att:';
/** At most 20 MB a file: the Telegram Bot API hands out no larger files, and no voice note comes close. */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
/** A held file nobody put in a case is forgotten after this long (seconds). */
export const HOLD_TTL_SECONDS = 2 * 24 * 3600;
const ID = /^[A-Za-z0-9_-]{22}$/;
/** A MIME type as a platform gives it ("audio/ogg; codecs=opus"); anything else is kept as a plain download. */
const MIME = /^[a-z]+\/[\w.+-]+(; ?[\w-]+=[\w.+-]+)*$/i;

export type CaseAttachmentsOptions = {
  redis: Redis;
  keys: RedisKeys;
  cipher: PersonalDataCipher;
  /** Directory of the sealed files (`<KUNNAFONI_DATA_DIR>/attachments`). */
  dir: string;
  /** The person's pseudonym (the referral service's keyed hash): never a chat id in a key or value. */
  personOf(chat: ChatRef): string;
  holdTtlSeconds?: number;
};

export class CaseAttachments {
  private readonly fetchers = new Map<ChannelName, FetchFile>();
  private readonly holdTtl: number;

  constructor(private readonly o: CaseAttachmentsOptions) {
    this.holdTtl = o.holdTtlSeconds ?? HOLD_TTL_SECONDS;
  }

  /** How files of a channel are read at intake (set once the channel's client exists). */
  setFetcher(channel: ChannelName, fetch: FetchFile): void {
    this.fetchers.set(channel, fetch);
  }

  static isRef(ref: string): boolean {
    return ref.startsWith(ATTACHMENT_PREFIX) && ID.test(ref.slice(ATTACHMENT_PREFIX.length));
  }

  /** Stores a file the person just sent, for a while; returns its reference, or null when too large or empty. */
  async hold(chat: ChatRef, file: StoredFile): Promise<string | null> {
    const id = randomBytes(16).toString('base64url');
    return (await this.write(id, this.o.personOf(chat), file, this.holdTtl)) ? ATTACHMENT_PREFIX + id : null;
  }

  /**
   * Makes the files of a new case last with it. Held files (`att:`) lose their expiry; platform references are read
   * now and stored under an id derived from `salt` (the intake's pseudonymous key), so a retried intake rewrites
   * the same file. A file that cannot be read keeps its platform reference (the console says it cannot open it).
   */
  async keep(chat: ChatRef, salt: string, refs: readonly string[]): Promise<string[]> {
    const person = this.o.personOf(chat);
    const kept: string[] = [];
    for (const ref of refs) {
      if (CaseAttachments.isRef(ref)) {
        const id = ref.slice(ATTACHMENT_PREFIX.length);
        const owner = await this.o.redis.hget(this.meta(id), 'person');
        if (owner !== person) continue; // expired, or not this person's: nothing to attach
        await this.o.redis.persist(this.meta(id));
        kept.push(ref);
        continue;
      }
      const file = await this.fetchers
        .get(chat.channel)?.(ref)
        .catch(() => null);
      const id = createHash('sha256').update(`${salt}\n${ref}`).digest('base64url').slice(0, 22);
      if (file && (await this.write(id, person, file, 0))) kept.push(ATTACHMENT_PREFIX + id);
      else kept.push(ref);
    }
    return kept;
  }

  /** Files of a created case: the retention purge of that case removes them. */
  async linkCase(no: string, refs: readonly string[]): Promise<void> {
    const ids = refs.filter((r) => CaseAttachments.isRef(r)).map((r) => r.slice(ATTACHMENT_PREFIX.length));
    if (ids.length === 0) return;
    const tx = this.o.redis.multi().sadd(this.byCase(no), ...ids);
    for (const id of ids) tx.hset(this.meta(id), 'case', no);
    await tx.exec();
  }

  /** Type and size of each reference that is a stored file (null for others or gone ones). */
  async describe(refs: readonly string[]): Promise<(FileInfo | null)[]> {
    return Promise.all(
      refs.map(async (ref) => {
        if (!CaseAttachments.isRef(ref)) return null;
        const [contentType, size] = await this.o.redis.hmget(
          this.meta(ref.slice(ATTACHMENT_PREFIX.length)),
          'type',
          'size',
        );
        return contentType && size ? { contentType, size: Number(size) } : null;
      }),
    );
  }

  /** The file behind a reference, decrypted; null when it is not a stored file or is gone. */
  async open(ref: string): Promise<StoredFile | null> {
    if (!CaseAttachments.isRef(ref)) return null;
    const id = ref.slice(ATTACHMENT_PREFIX.length);
    const contentType = await this.o.redis.hget(this.meta(id), 'type');
    if (!contentType) return null;
    try {
      const sealed = await readFile(this.file(id), 'utf8');
      return { contentType, body: Buffer.from(this.o.cipher.open(sealed, this.context(id)), 'base64') };
    } catch {
      return null;
    }
  }

  /** Erasure: every file of the person, held or in a case, from disk and Redis. */
  async eraseFor(chat: ChatRef): Promise<number> {
    const index = this.byPerson(this.o.personOf(chat));
    const ids = await this.o.redis.smembers(index);
    await this.remove(ids);
    await this.o.redis.del(index);
    return ids.length;
  }

  /** The retention purge of a closed case: its files go with its personal data. */
  async forgetCase(no: string): Promise<void> {
    const ids = await this.o.redis.smembers(this.byCase(no));
    await this.remove(ids);
    await this.o.redis.del(this.byCase(no));
  }

  /** Deletes files whose metadata expired (held, never attached). Returns how many. */
  async sweep(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.o.dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names.filter((n) => ID.test(n))) {
      if (await this.o.redis.exists(this.meta(name))) continue;
      // A file being written has its metadata already: anything without it is left over.
      const age =
        Date.now() -
        (await stat(this.file(name)).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ));
      if (age < 60_000) continue;
      await rm(this.file(name), { force: true });
      removed++;
    }
    return removed;
  }

  private async write(id: string, person: string, file: StoredFile, ttl: number): Promise<boolean> {
    if (file.body.byteLength === 0 || file.body.byteLength > MAX_ATTACHMENT_BYTES) return false;
    const meta = this.meta(id);
    // Metadata first: a crash before the file is written leaves a key that opens nothing, never an untracked file.
    const tx = this.o.redis
      .multi()
      .hset(meta, {
        type: MIME.test(file.contentType) ? file.contentType : 'application/octet-stream',
        size: String(file.body.byteLength),
        person,
      })
      .sadd(this.byPerson(person), id);
    if (ttl > 0) tx.expire(meta, ttl);
    else tx.persist(meta);
    await tx.exec();
    await mkdir(this.o.dir, { recursive: true, mode: 0o700 });
    const sealed = this.o.cipher.seal(Buffer.from(file.body).toString('base64'), this.context(id));
    const temp = `${this.file(id)}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, sealed, { mode: 0o600 });
    await rename(temp, this.file(id));
    return true;
  }

  private async remove(ids: readonly string[]): Promise<void> {
    for (const id of ids.filter((i) => ID.test(i))) {
      await rm(this.file(id), { force: true });
      const no = await this.o.redis.hget(this.meta(id), 'case');
      const tx = this.o.redis.multi().del(this.meta(id));
      if (no) tx.srem(this.byCase(no), id);
      await tx.exec();
    }
  }

  private meta(id: string): string {
    return this.o.keys.key('att', id);
  }
  private byPerson(person: string): string {
    return this.o.keys.key('att', 'person', person);
  }
  private byCase(no: string): string {
    return this.o.keys.key('att', 'case', no);
  }
  private file(id: string): string {
    return path.join(this.o.dir, id);
  }
  private context(id: string): string {
    return `attachment:${id}`;
  }
}

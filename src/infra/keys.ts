// The Redis key schema. Every key lives under one hash-tagged prefix (`{kf}` by default), so all keys of one
// deployment hash to the same slot and the same code runs on Redis Cluster (BullMQ needs this for its Lua scripts).
// A person's keys are named by a keyed hash of their chat, never by the chat id itself: on WhatsApp the chat id is
// the phone number, and key names are visible to anyone who can list keys or read the AOF file.
import { createHmac } from 'node:crypto';
import { type ChatRef, chatKey } from '../ports/chat.ts';

/** For development and tests only; production sets KUNNAFONI_PSEUDONYM_SECRET. */
export const DEV_PSEUDONYM_SECRET = 'kunnafoni-development-pseudonyms';

export class RedisKeys {
  private readonly people = new Map<string, string>();
  /** `{kf}`: built once, every key name starts with it. */
  readonly root: string;

  /** `prefix` is the bare name, e.g. "kf"; keys look like `{kf}:session:<person>`. */
  constructor(
    readonly prefix: string = 'kf',
    private readonly pseudonymSecret: string = DEV_PSEUDONYM_SECRET,
  ) {
    this.root = `{${prefix}}`;
  }

  /** Prefix for BullMQ's `prefix` option (queues become `{kf}:bull:<name>:...`). */
  get bull(): string {
    return `${this.root}:bull`;
  }

  key(...parts: string[]): string {
    let name = this.root;
    for (const part of parts) name += `:${part}`;
    return name;
  }

  /** The person's pseudonym in key names: a keyed hash of the chat, stable while the secret is. */
  person(chat: ChatRef): string {
    const plain = chatKey(chat);
    let pseudonym = this.people.get(plain);
    if (pseudonym === undefined) {
      pseudonym = createHmac('sha256', this.pseudonymSecret).update(plain).digest('base64url').slice(0, 22);
      if (this.people.size >= 50_000) this.people.clear();
      this.people.set(plain, pseudonym);
    }
    return pseudonym;
  }

  session(chat: ChatRef): string {
    return this.key('session', this.person(chat));
  }

  lock(chat: ChatRef): string {
    return this.key('lock', this.person(chat));
  }
}

// The Redis key schema. Every key lives under one hash-tagged prefix (`{kf}` by default), so all keys of one
// deployment hash to the same slot and the same code runs on Redis Cluster (BullMQ needs this for its Lua scripts).
import { type ChatRef, chatKey } from '../ports/chat.ts';

export class RedisKeys {
  /** `prefix` is the bare name, e.g. "kf"; keys look like `{kf}:session:telegram:42`. */
  constructor(readonly prefix: string = 'kf') {}

  get root(): string {
    return `{${this.prefix}}`;
  }

  /** Prefix for BullMQ's `prefix` option (queues become `{kf}:bull:<name>:...`). */
  get bull(): string {
    return `${this.root}:bull`;
  }

  key(...parts: string[]): string {
    return [this.root, ...parts].join(':');
  }

  session(chat: ChatRef): string {
    return this.key('session', chatKey(chat));
  }

  lock(chat: ChatRef): string {
    return this.key('lock', chatKey(chat));
  }
}

// Redis keys of the alerts service, all under the deployment's hash-tagged prefix (`{kf}:alerts:...`), so every
// key hashes to one slot and the Lua scripts below run on Redis Cluster too. A person is named by the deployment's
// keyed-hash pseudonym (RedisKeys.person), in key names and in set members alike; their chat id is kept only sealed
// (encrypted) in their subscription hash, for sending.
import type { Lang } from '../engine/types.ts';
import type { RedisKeys } from '../infra/keys.ts';
import type { ChatRef } from '../ports/chat.ts';

/** BullMQ queue names (under `keys.bull`). */
export const FANOUT_QUEUE = 'alerts-fanout';
export const SEND_QUEUE = 'alerts-send';

export class AlertKeys {
  /** `{kf}:alerts`: the Lua scripts build index keys from it. */
  readonly base: string;

  constructor(readonly keys: RedisKeys) {
    this.base = keys.key('alerts');
  }

  get bull(): string {
    return this.keys.bull;
  }

  // --- Subscriptions ---------------------------------------------------------------------------------------------

  /** The person's name in the sets below and in audiences: their pseudonym. */
  member(chat: ChatRef): string {
    return this.keys.person(chat);
  }

  /**
   * Hash per person: `lang`, `paused`, `chat` (the sealed chat), and one `t:<topic>` field per topic holding its
   * regions ("kayes,all"). `who`: the chat, or a member (pseudonym) read from a set.
   */
  person(who: ChatRef | string): string {
    return `${this.base}:person:${typeof who === 'string' ? who : this.member(who)}`;
  }

  /** Set of members subscribed to a topic for one region (`all` = every region). */
  topicRegion(topic: string, region: string): string {
    return `${this.base}:sub:${topic}:${region}`;
  }

  /** Set of members subscribed to a topic, whatever the region. */
  topic(topic: string): string {
    return `${this.base}:topic:${topic}`;
  }

  /** Set of members whose alert language is `lang`. */
  lang(lang: Lang): string {
    return `${this.base}:lang:${lang}`;
  }

  /** Set of members that said "stop": they keep their topics but get nothing. */
  get paused(): string {
    return `${this.base}:paused`;
  }

  /** Set of every member with at least one topic. */
  get people(): string {
    return `${this.base}:people`;
  }

  /** A short-lived key for set algebra. */
  scratch(name: string): string {
    return `${this.base}:tmp:${name}`;
  }

  // --- Alerts ----------------------------------------------------------------------------------------------------

  /** Sorted set of published alert ids, by publication time. */
  get index(): string {
    return `${this.base}:index`;
  }

  /** Hash: the alert (JSON), status, total audience, timestamps. */
  alert(id: string): string {
    return `${this.base}:alert:${id}`;
  }

  /** Set of members the alert goes to, fixed when the broadcast starts (so a restart sends to the same people). */
  audience(id: string): string {
    return `${this.base}:audience:${id}`;
  }

  /**
   * Hash pair pseudonym (pseudonym.ts) -> `booked` | `booked?` | `sending` | `sending?` | `sent` | `resent` | `blocked` | `failed` | `skipped` |
   * `expired`. Alerts published before pseudonyms may still have fields named by chat key (erasure removes them).
   */
  outcomes(id: string): string {
    return `${this.base}:outcomes:${id}`;
  }

  /** Hash pair pseudonym -> member, for the send jobs (which hold only the pseudonym); a field goes when its pair
   * is settled, or when the person erases their data. */
  recipients(id: string): string {
    return `${this.base}:recipients:${id}`;
  }

  /** Hash outcome -> count. */
  counts(id: string): string {
    return `${this.base}:counts:${id}`;
  }

  /** Exists for a second after a message to this person: Telegram allows about one message per second per chat. */
  chatGap(member: string): string {
    return `${this.base}:gap:${member}`;
  }

  /** Sorted set: processes able to send alerts now, scored by when their last heartbeat runs out. */
  get senders(): string {
    return `${this.base}:senders`;
  }
}

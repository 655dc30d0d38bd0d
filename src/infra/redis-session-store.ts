// Sessions in Redis: sealed (encrypted) JSON with a revision for compare-and-set, and a TTL after which the
// conversation restarts. Stored as "<rev>|<sealed>" so one GET and one small Lua script do the work.
import type { Redis } from 'ioredis';
import type { Session } from '../engine/types.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { SessionStore, StoredSession } from '../ports/session-store.ts';
import type { PersonalDataCipher } from './crypto.ts';
import type { RedisKeys } from './keys.ts';

const SAVE_IF_REV = `
local cur = redis.call('GET', KEYS[1])
local curRev = 0
if cur then curRev = tonumber(string.match(cur, '^(%d+)|')) or 0 end
if curRev ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`;

type WithSaveScript = Redis & {
  kfSaveSessionIfRev(key: string, rev: string, value: string, ttlMs: string): Promise<number>;
};

export class RedisSessionStore implements SessionStore {
  private readonly scripted: WithSaveScript;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly cipher: PersonalDataCipher,
    private readonly ttlMs: number,
  ) {
    // defineCommand sends the script once (EVALSHA afterwards) instead of the whole text on every save.
    if (!('kfSaveSessionIfRev' in redis))
      redis.defineCommand('kfSaveSessionIfRev', { numberOfKeys: 1, lua: SAVE_IF_REV });
    this.scripted = redis as WithSaveScript;
  }

  async load(chat: ChatRef): Promise<StoredSession | null> {
    return this.decode(chat, await this.redis.get(this.keys.session(chat)));
  }

  /** A stored value ("<rev>|<sealed>", as read from the session key) -> the session and its revision. */
  decode(chat: ChatRef, raw: string | null): StoredSession | null {
    if (!raw) return null;
    const key = this.keys.session(chat);
    const bar = raw.indexOf('|');
    const rev = Number(raw.slice(0, bar));
    try {
      const session = JSON.parse(this.cipher.open(raw.slice(bar + 1), key)) as Session;
      return { session, rev };
    } catch {
      // Unreadable (key rotated away, corrupted): start again rather than fail the person.
      return { session: { v: 1, askVersion: 0, retries: 0, vars: {}, intakes: 0 }, rev };
    }
  }

  async save(chat: ChatRef, session: Session, rev: number): Promise<boolean> {
    const key = this.keys.session(chat);
    const value = `${rev + 1}|${this.cipher.seal(JSON.stringify(session), key)}`;
    const ok = await this.scripted.kfSaveSessionIfRev(key, String(rev), value, String(this.ttlMs));
    return ok === 1;
  }

  async erase(chat: ChatRef): Promise<void> {
    await this.redis.del(this.keys.session(chat));
  }
}

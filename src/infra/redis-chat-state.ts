// A chat's lock, session and effects journal in Redis (the ChatState port). One input costs two round trips:
// - COUNT_LOCK_AND_LOAD bumps the person's flood counter (when given), takes the lock and reads the session and
//   the journal in one script (the first attempt only counts; LOCK_AND_LOAD retries a lock held elsewhere); the
//   turn's other reads (the runtime's facts: `alongside`) go in the same write, right behind it;
// - COMMIT writes the session (compare-and-set on its revision) and the journal together, and with `release`
//   frees the lock in the same script.
// The lock is short-lived and renewed while the turn works (redis-chat-lock.ts), so a dead process's chat is free
// again within about 2 s. Sessions and journals are sealed (AES-256-GCM, key name as context): at rest they hold
// no readable personal data; key names and the index of pending journals hold the person's pseudonym only.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ChatRef } from '../ports/chat.ts';
import type { AlongsideRead, ChatCommit, ChatSnapshot, ChatState, ChatTurn, TurnCounter } from '../ports/chat-state.ts';
import { COMMIT, COUNT_LOCK_AND_LOAD, FINISH, LOCK_AND_LOAD } from './chat-scripts.ts';
import { CommittedSessions } from './committed-sessions.ts';
import type { PersonalDataCipher } from './crypto.ts';
import type { RedisKeys } from './keys.ts';
import { LocalChatQueue } from './local-chat-queue.ts';
import { runLua } from './lua.ts';
import { acquireWithin, type ChatLockTiming, DEFAULT_CHAT_LOCK_TIMING, HeldChatLock } from './redis-chat-lock.ts';
import { decodeSession, encodeSession, storedRevision } from './session-codec.ts';

export type RedisChatStateOptions = Partial<ChatLockTiming> & {
  /** How long an untouched conversation is kept (its session and journal expire after it). */
  sessionTtlMs: number;
};

type ChatKeys = { lock: string; session: string; journal: string; pending: string };

export class RedisChatState implements ChatState {
  private readonly local = new LocalChatQueue();
  private readonly timing: ChatLockTiming;
  /** What this process committed lately: loaded again unchanged, not opened again. */
  private readonly committed = new CommittedSessions();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly cipher: PersonalDataCipher,
    private readonly options: RedisChatStateOptions,
  ) {
    this.timing = { ...DEFAULT_CHAT_LOCK_TIMING, ...options };
  }

  /** Chats (by pseudonym) whose journal is pending, scored by when it was committed. */
  private get pendingKey(): string {
    return this.keys.key('journals');
  }

  transact<T, A = unknown>(
    chat: ChatRef,
    work: (turn: ChatTurn<A>) => Promise<T>,
    counter?: TurnCounter,
    alongside?: AlongsideRead<A>,
  ): Promise<T> {
    return this.local.withLock(chat, async () => {
      const person = this.keys.person(chat);
      const keys: ChatKeys = {
        lock: this.keys.lock(chat),
        session: this.keys.session(chat),
        journal: this.keys.key('journal', person),
        pending: this.pendingKey,
      };
      const token = randomUUID();
      const lockTtlMs = this.timing.ttlMs;
      // First attempt: count, lock and load at once; the lock taken, nothing more to wait for.
      const members = alongside?.members;
      const hash = alongside?.hash;
      const first = runLua(
        this.redis,
        COUNT_LOCK_AND_LOAD,
        { ...keys, counter: counter?.key ?? keys.lock, members: members ?? keys.lock, hash: hash ?? keys.lock },
        {
          token,
          lockTtlMs,
          windowMs: counter ? counter.windowMs : '',
          readMembers: members ? '1' : '',
          readHash: hash ? '1' : '',
        },
      );
      // Sent right behind the lock request on the same connection: in the same write, run after it by Redis. The
      // set and hash read by the script itself reach it when the script answers (none if it failed: the turn fails
      // too).
      const read = alongside?.(
        first.then(
          (reply) => ((reply as unknown[])[4] as string[] | undefined) ?? [],
          () => [],
        ),
        first.then(
          (reply) => fieldsOf((reply as unknown[])[5] as string[] | undefined),
          () => ({}),
        ),
      );
      const [taken, session, journal, count] = (await first) as [number, string, string, number];
      const raw: [string, string] =
        taken === 1
          ? [session, journal]
          : await acquireWithin(
              this.timing.waitMs,
              async () =>
                (await runLua(this.redis, LOCK_AND_LOAD, keys, { token, lockTtlMs })) as [string, string] | null,
            );
      const held = new HeldChatLock(this.redis, keys.lock, token, lockTtlMs);
      const turn = new RedisTurn<A>(
        this.redis,
        this.cipher,
        this.committed,
        keys,
        person,
        held,
        this.options.sessionTtlMs,
        raw,
      );
      if (counter) turn.counted = count;
      // Read under the lock only if this very round trip took it; otherwise the work reads again itself.
      if (taken === 1 && read) turn.alongside = read;
      try {
        return await work(turn);
      } finally {
        void held.release();
      }
    });
  }

  async pendingJournals(olderThanMs: number, limit: number): Promise<string[]> {
    const people = await this.redis.zrangebyscore(
      this.pendingKey,
      '-inf',
      String(Date.now() - olderThanMs),
      'LIMIT',
      0,
      limit,
    );
    if (people.length === 0) return [];
    const keys = people.map((p) => this.keys.key('journal', p));
    const raws = await this.redis.mget(...keys);
    const out: string[] = [];
    for (const [i, raw] of raws.entries()) {
      if (!raw) {
        // Expired with its session: nothing left to finish.
        await this.redis.zrem(this.pendingKey, people[i] ?? '');
        continue;
      }
      try {
        out.push(this.cipher.open(raw, keys[i] ?? ''));
      } catch {
        // Unreadable (its key rotated away): nothing can be carried out from it.
      }
    }
    return out;
  }
}

class RedisTurn<A> implements ChatTurn<A> {
  snapshot: ChatSnapshot;
  counted?: number;
  alongside?: Promise<A>;
  /** The journal as stored (sealed), to forget exactly that one. */
  private storedJournal: string;

  constructor(
    private readonly redis: Redis,
    private readonly cipher: PersonalDataCipher,
    private readonly committed: CommittedSessions,
    private readonly keys: ChatKeys,
    private readonly person: string,
    private readonly held: HeldChatLock,
    private readonly ttlMs: number,
    [rawSession, rawJournal]: [string, string],
  ) {
    this.storedJournal = rawJournal;
    this.snapshot = this.decode(rawSession, rawJournal);
  }

  async commit(change: ChatCommit): Promise<boolean> {
    this.assertHeld();
    const rev = this.snapshot.rev + 1;
    const value = change.session ? encodeSession(this.cipher, this.keys.session, change.session, rev) : '';
    const journalValue = change.journal === undefined ? '' : this.cipher.seal(change.journal, this.keys.journal);
    const ok = await runLua(this.redis, COMMIT, this.keys, {
      rev: this.snapshot.rev,
      value,
      ttlMs: this.ttlMs,
      journalValue,
      releaseToken: change.release ? this.held.token : '',
      tombstone: `${rev}|`,
      person: this.person,
      nowMs: Date.now(),
    });
    // Refused: nothing was written, the lock's release included (the turn may reload and try again).
    if (ok !== 1) return false;
    if (change.release) this.held.markReleased();
    if (change.session) this.committed.remember(this.keys.session, value, change.session);
    else this.committed.forget(this.keys.session);
    this.storedJournal = journalValue;
    // The session as committed, not a copy: its stored form is the sealed JSON above, and the engine steps from a
    // copy of it (step.ts) rather than changing it.
    this.snapshot = {
      session: change.session ?? null,
      rev: change.session || journalValue ? rev : 0,
      journal: change.journal ?? null,
    };
    return true;
  }

  async reload(): Promise<ChatSnapshot> {
    this.assertHeld();
    const [rawSession, rawJournal] = await this.redis.mget(this.keys.session, this.keys.journal);
    this.storedJournal = rawJournal ?? '';
    this.snapshot = this.decode(rawSession ?? '', rawJournal ?? '');
    return this.snapshot;
  }

  async finish(options?: { release?: boolean; keep?: string }): Promise<void> {
    this.assertHeld();
    const keep = options?.keep === undefined ? '' : this.cipher.seal(options.keep, this.keys.journal);
    const releaseToken = options?.release ? this.held.token : '';
    if (options?.release) this.held.markReleased();
    await runLua(this.redis, FINISH, this.keys, {
      journalValue: this.storedJournal,
      releaseToken,
      keep,
      ttlMs: this.ttlMs,
      person: this.person,
    });
    this.storedJournal = keep;
    const journal = options?.keep ?? null;
    if (this.snapshot.session === null && journal === null) this.snapshot = { session: null, rev: 0, journal };
    else this.snapshot = { ...this.snapshot, journal };
  }

  private decode(rawSession: string, rawJournal: string): ChatSnapshot {
    const known = rawSession ? this.committed.find(this.keys.session, rawSession) : undefined;
    const { session, rev } = known
      ? { session: known, rev: storedRevision(rawSession) }
      : decodeSession(this.cipher, this.keys.session, rawSession || null);
    let journal: string | null = null;
    if (rawJournal) {
      try {
        journal = this.cipher.open(rawJournal, this.keys.journal);
      } catch {
        journal = null; // unreadable (key rotated away): nothing can be carried out from it
      }
    }
    return { session, rev, journal };
  }

  private assertHeld(): void {
    if (this.held.isReleased) throw new Error('chat turn already released');
  }
}

/** HGETALL's flat list [field, value, ...] as a record. */
function fieldsOf(flat: readonly string[] | undefined): Record<string, string> {
  const fields: Record<string, string> = {};
  if (flat) for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
  return fields;
}

// A chat's state, one turn at a time (grammY's storage-adapter shape, with compare-and-set): `transact` takes the
// chat's lock and reads what is stored in the same step, the work changes it through the turn, and the turn ends
// when the work does. One implementation per place the state can live (memory, Redis); both pass the same
// contract suite (test/infra/chat-state.contract.test.ts).
import type { Session } from '../engine/types.ts';
import type { ChatRef } from './chat.ts';

export type StoredSession = { session: Session; rev: number };

/** What a chat holds: its session (with its revision) and the journal of effects a turn has not finished. */
export type ChatSnapshot = {
  /** Null: no session (a new person, expired, or erased). */
  session: Session | null;
  /** What a commit compares against: 0 when nothing is stored. */
  rev: number;
  /** Effects committed with the session and not yet marked done (opaque to the store), or null. */
  journal: string | null;
};

export type ChatCommit = {
  /** The new session; null erases it. */
  session: Session | null;
  /** Effects to carry out, committed together with the session (kept until `finish`); omitted: none. */
  journal?: string;
  /** Also releases the chat's lock (the last write of the turn: one round trip instead of two). */
  release?: boolean;
};

/** A per-person counter bumped when the turn starts, in the same round trip as the lock (the flood gate's). */
export type TurnCounter = { key: string; windowMs: number };

/**
 * Reads to send together with the lock (one round trip instead of two), e.g. the facts of the turn. Started right
 * after the lock request on the same connection, so Redis runs them after the lock is taken. Must not reject.
 * `members`: a set the store reads in the lock's own step where it can; the read gets its members (or none: [],
 * also when the store does not read it or the lock's step failed). `hash`: likewise a hash, whose fields the read
 * gets (or none: {}).
 */
export type AlongsideRead<A> = {
  (members: Promise<readonly string[]>, hash: Promise<Readonly<Record<string, string>>>): Promise<A>;
  readonly members?: string;
  readonly hash?: string;
};

/** One turn of one chat, its lock held. */
export interface ChatTurn<A = unknown> {
  /** What was stored when the lock was taken, or after the last `reload` or successful `commit`. */
  readonly snapshot: ChatSnapshot;
  /**
   * What the `alongside` read given to `transact` found, when the lock was taken by that same round trip (so the
   * read happened under the lock); undefined otherwise (the lock was waited for, or the store does not do it).
   */
  readonly alongside?: Promise<A>;
  /** The counter given to `transact` after this turn's bump; undefined when the store did not count it. */
  readonly counted?: number;
  /**
   * Writes the change if the stored revision is still the snapshot's (compare-and-set); false when someone else
   * changed the chat meanwhile (call `reload`, then decide again). A refused commit writes nothing.
   */
  commit(change: ChatCommit): Promise<boolean>;
  /** Reads the chat again (after a refused commit). */
  reload(): Promise<ChatSnapshot>;
  /**
   * The journal's effects are carried out: forgets it, or with `keep` replaces it by that record (no longer
   * pending: e.g. the reply, to give it again to a repeated press); `release` also releases the lock.
   */
  finish(options?: { release?: boolean; keep?: string }): Promise<void>;
}

export interface ChatState {
  /**
   * Runs `work` with the chat locked: in arrival order within this process, never at once across processes.
   * A lock whose holder died is taken over within about `lockTtlMs`; a live holder keeps it by renewing.
   * Rejects when the store cannot be reached (before or during the turn).
   */
  transact<T, A = unknown>(
    chat: ChatRef,
    work: (turn: ChatTurn<A>) => Promise<T>,
    counter?: TurnCounter,
    alongside?: AlongsideRead<A>,
  ): Promise<T>;
  /**
   * Journals committed at least `olderThanMs` ago and still not finished (their process died), oldest first: for
   * a restarted process to finish them. Absent when the store does not outlive a process.
   */
  pendingJournals?(olderThanMs: number, limit: number): Promise<string[]>;
}

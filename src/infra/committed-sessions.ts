// The sessions this process committed lately, each with the exact value it stored: a turn that loads that very value
// again (same revision, same ciphertext — a random IV makes every seal unique) takes the session as committed
// instead of opening and parsing it (about a twentieth of a reply's CPU, issue 17.7). Anything else found there (a
// commit by another process, an erasure, an expiry, a rotated key) differs and is opened as usual.
// A committed session is never changed afterwards (the engine steps from a copy, see step.ts), so it is shared as is.
// Decrypted sessions stay in memory only briefly: two generations of at most GENERATION_MS each, and a bounded count.
import type { Session } from '../engine/types.ts';

const GENERATION_MS = 5 * 60_000;
const MAX_PER_GENERATION = 10_000;

type Committed = { stored: string; session: Session };

export class CommittedSessions {
  private current = new Map<string, Committed>();
  private previous = new Map<string, Committed>();
  private startedAt = Date.now();

  /** The session committed as `stored` under `key`, if this process did and still remembers it. */
  find(key: string, stored: string): Session | undefined {
    this.age();
    const hit = this.current.get(key) ?? this.previous.get(key);
    return hit !== undefined && hit.stored === stored ? hit.session : undefined;
  }

  remember(key: string, stored: string, session: Session): void {
    this.age();
    if (this.current.size >= MAX_PER_GENERATION) this.turnOver();
    this.previous.delete(key);
    this.current.set(key, { stored, session });
  }

  /** Erased (or about to be written by a path that does not remember): nothing of it kept. */
  forget(key: string): void {
    this.current.delete(key);
    this.previous.delete(key);
  }

  private age(): void {
    const now = Date.now();
    if (now - this.startedAt < GENERATION_MS) return;
    // Long idle: both generations are too old.
    if (now - this.startedAt >= 2 * GENERATION_MS) this.current.clear();
    this.turnOver();
  }

  private turnOver(): void {
    this.previous = this.current;
    this.current = new Map();
    this.startedAt = Date.now();
  }
}

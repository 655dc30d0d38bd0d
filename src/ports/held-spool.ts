// Where the answers kept during a Redis outage (runtime/held-inputs.ts) outlive the process: one sealed file per
// person, so a restart before Redis is back loses none of them (infra/held-spool.ts, in the data dir).
import type { Input } from '../engine/types.ts';
import type { ChatRef } from './chat.ts';

/** One kept answer: when it was given (the retention counts from there). */
export type SpooledInput = { input: Input; meta: unknown; at: number };
export type SpooledPerson = { chat: ChatRef; inputs: SpooledInput[] };

export interface HeldSpool {
  /**
   * Writes (replaces) file `name` with the person's kept answers, sealed; false when it could not be written.
   * Synchronous: the person is told their answer is kept once it is (a few hundred bytes, only during an outage).
   */
  write(name: string, person: SpooledPerson): boolean;
  /** Removes file `name`; false only when it was not there (another process, restarting, took it). */
  remove(name: string): boolean;
  /**
   * Takes the files an earlier run left (renamed to names of this process: two processes never both take one),
   * those older than `maxAgeMs` deleted unread; with the names they now have.
   */
  restore(maxAgeMs: number): Promise<{ name: string; person: SpooledPerson }[]>;
}

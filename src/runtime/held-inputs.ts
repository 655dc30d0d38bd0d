// Answers kept while Redis is down (issue 17.3): a person in the middle of a referral who types an answer (or
// presses a button) while their conversation cannot be saved is told it is kept, not that it failed; the answer
// waits here and is handled as if it had just arrived once Redis is back (the next input of that person, or the
// runtime's periodic recovery for a person who waits), its reply sent through the outbox. Bounded: a few answers per
// person, a few thousand people; past that the person is asked to try again.
// With a spool (ports/held-spool.ts: sealed files in the data dir) they also outlive the process: written before the
// person is told, taken over by the restarted process (`restore`), removed once handled or erased, and never kept
// past HELD_MAX_AGE_MS. The spool's file is the token of ownership: a process whose file was taken by another one
// (restarting on the same data dir) leaves those answers to it.
import { randomBytes } from 'node:crypto';
import type { Input } from '../engine/types.ts';
import { type ChatRef, chatKey } from '../ports/chat.ts';
import type { HeldSpool } from '../ports/held-spool.ts';

export type HeldInput<M> = { input: Input; meta: M; at: number };

const PER_PERSON = 5;
const PEOPLE = 5_000;
/** A kept answer older than this is forgotten unread (the retention of what the person said without a session). */
export const HELD_MAX_AGE_MS = 2 * 86_400_000;

type Entry<M> = { chat: ChatRef; inputs: HeldInput<M>[]; file?: string };

export class HeldInputs<M> {
  private readonly held = new Map<string, Entry<M>>();
  private restored: Promise<void> | null = null;

  constructor(
    private readonly spool?: HeldSpool,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps the input for later; false when this person's (or the process's) share is full. */
  hold(chat: ChatRef, input: Input, meta: M): boolean {
    const key = chatKey(chat);
    let entry = this.held.get(key);
    if (entry && entry.inputs.length >= PER_PERSON) return false;
    if (!entry) {
      if (this.held.size >= PEOPLE) return false;
      entry = { chat, inputs: [] };
      this.held.set(key, entry);
    }
    entry.inputs.push({ input, meta, at: this.now() });
    this.save(entry);
    return true;
  }

  get size(): number {
    return this.held.size;
  }

  has(chat: ChatRef): boolean {
    return this.held.has(chatKey(chat));
  }

  /** The person's kept inputs, in the order they came, removed from here (each is handled once). */
  take(chat: ChatRef): HeldInput<M>[] {
    const key = chatKey(chat);
    const entry = this.held.get(key);
    this.held.delete(key);
    if (!entry) return [];
    // Its file taken by a process restarting on the same data dir: that process handles them.
    if (entry.file && this.spool && !this.spool.remove(entry.file)) return [];
    return entry.inputs.filter((i) => this.now() - i.at <= HELD_MAX_AGE_MS);
  }

  /** The people with kept inputs. */
  people(): ChatRef[] {
    return [...this.held.values()].map((e) => e.chat);
  }

  /** Forgets everything of the person (an erasure), on disk too. */
  forget(chat: ChatRef): void {
    const key = chatKey(chat);
    const file = this.held.get(key)?.file;
    this.held.delete(key);
    if (file) this.spool?.remove(file);
  }

  /** Takes over what an earlier run of the process kept on disk (once; later calls wait for the first). */
  restore(): Promise<void> {
    this.restored ??= (async () => {
      for (const { name, person } of (await this.spool?.restore(HELD_MAX_AGE_MS)) ?? []) {
        const key = chatKey(person.chat);
        const now = this.held.get(key);
        if (!now && this.held.size >= PEOPLE) {
          this.spool?.remove(name);
          continue;
        }
        // Those of the earlier run came first; anything kept since by this process follows them.
        const inputs = [...(person.inputs as HeldInput<M>[]), ...(now?.inputs ?? [])].slice(0, PER_PERSON);
        if (now?.file) this.spool?.remove(now.file);
        const entry: Entry<M> = { chat: person.chat, inputs, file: name };
        this.held.set(key, entry);
        if (now) this.save(entry);
      }
    })();
    return this.restored;
  }

  /** Written before the person is told it is kept; in memory only when the disk refuses it. */
  private save(entry: Entry<M>): void {
    if (!this.spool) return;
    const file = entry.file ?? randomBytes(16).toString('base64url');
    if (this.spool.write(file, { chat: entry.chat, inputs: entry.inputs })) entry.file = file;
  }
}

// Answers kept while Redis is down (issue 17.3): a person in the middle of a referral who types an answer (or
// presses a button) while their conversation cannot be saved is told it is kept, not that it failed; the answer
// waits here, in this process's memory, and is handled as if it had just arrived once Redis is back (the next
// input of that person, or the runtime's periodic recovery for a person who waits), its reply sent through the
// outbox. Bounded: a few answers per person, a few thousand people; past that the person is asked to try again.
// A restart of the process loses what it held (the person then writes again after the "try again" of others).
import type { Input } from '../engine/types.ts';
import { type ChatRef, chatKey } from '../ports/chat.ts';

export type HeldInput<M> = { input: Input; meta: M };

const PER_PERSON = 5;
const PEOPLE = 5_000;

export class HeldInputs<M> {
  private readonly held = new Map<string, { chat: ChatRef; inputs: HeldInput<M>[] }>();

  /** Keeps the input for later; false when this person's (or the process's) share is full. */
  hold(chat: ChatRef, input: Input, meta: M): boolean {
    const key = chatKey(chat);
    const entry = this.held.get(key);
    if (entry) {
      if (entry.inputs.length >= PER_PERSON) return false;
      entry.inputs.push({ input, meta });
      return true;
    }
    if (this.held.size >= PEOPLE) return false;
    this.held.set(key, { chat, inputs: [{ input, meta }] });
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
    return entry?.inputs ?? [];
  }

  /** The people with kept inputs. */
  people(): ChatRef[] {
    return [...this.held.values()].map((e) => e.chat);
  }

  /** Forgets everything of the person (an erasure). */
  forget(chat: ChatRef): void {
    this.held.delete(chatKey(chat));
  }
}

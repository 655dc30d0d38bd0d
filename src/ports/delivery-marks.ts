// Which messages of a journaled turn's reply the platform has answered (journal-delivery.ts): recorded as each is
// answered, so a process killed midway leaves the restarted one only the messages nobody saw, and read when a
// journal left pending by a dead process is carried out again. Keyed by the journal entry's random id: nothing
// about the person.
export interface DeliveryMarks {
  /** The first `count` messages of journal `id`'s reply were answered. Written at once, never awaited, never throws. */
  mark(id: string, count: number): void;
  /** How many messages of journal `id`'s reply have a recorded answer (0: none, or unknown). */
  delivered(id: string): Promise<number>;
  /** The journal is done: its marks are no longer needed. Never awaited, never throws. */
  forget(id: string): void;
}

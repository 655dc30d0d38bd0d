// Keyed hashes that stand for a person or an intake in Redis keys and job ids. A plain hash of a WhatsApp chat id
// (a phone number) could be reversed by trying every number; a keyed hash cannot without the secret.
import { createHmac } from 'node:crypto';
import { type ChatRef, chatKey } from '../ports/chat.ts';

/** Person pseudonyms this process keeps computed (one HMAC per person, not per call); cleared when full. */
const REMEMBERED_PEOPLE = 50_000;

export class Pseudonyms {
  private readonly people = new Map<string, string>();

  constructor(private readonly secret: string | Buffer) {
    if (secret.length < 16) throw new Error('the referral pseudonym secret must be at least 16 characters');
  }

  private hash(...parts: string[]): string {
    return createHmac('sha256', this.secret).update(parts.join('\n')).digest('hex').slice(0, 32);
  }

  /** Stands for a person: finds their cases. */
  person(chat: ChatRef): string {
    const plain = chatKey(chat);
    let pseudonym = this.people.get(plain);
    if (pseudonym === undefined) {
      pseudonym = this.hash('person', plain);
      if (this.people.size >= REMEMBERED_PEOPLE) this.people.clear();
      this.people.set(plain, pseudonym);
    }
    return pseudonym;
  }

  /** The idempotency key of one intake of one person. */
  intake(chat: ChatRef, intakeId: string): string {
    return this.hash('intake', chatKey(chat), intakeId);
  }

  /** The BullMQ job id that publishes a case (BullMQ ids may not contain ":"). */
  dispatchJobId(intakeKey: string, caseNo: string): string {
    return `dispatch-${this.hash('job', intakeKey, caseNo)}`;
  }

  /** Fingerprint of what an intake says, to tell a retry of the same intake from a reused intake id. */
  content(need: string, region: string, fields: Record<string, string>): string {
    const sorted = Object.keys(fields)
      .sort()
      .map((k) => [k, fields[k]]);
    return this.hash('content', need, region, JSON.stringify(sorted));
  }
}

// Keyed hashes that stand for a person or an intake in Redis keys and job ids. A plain hash of a WhatsApp chat id
// (a phone number) could be reversed by trying every number; a keyed hash cannot without the secret.
import { createHmac } from 'node:crypto';
import { type ChatRef, chatKey } from '../ports/chat.ts';

export class Pseudonyms {
  constructor(private readonly secret: string | Buffer) {
    if (secret.length < 16) throw new Error('the referral pseudonym secret must be at least 16 characters');
  }

  private hash(...parts: string[]): string {
    return createHmac('sha256', this.secret).update(parts.join('\n')).digest('hex').slice(0, 32);
  }

  /** Stands for a person: finds their cases. */
  person(chat: ChatRef): string {
    return this.hash('person', chatKey(chat));
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

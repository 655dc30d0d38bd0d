// Send jobs and per-alert records name a person by a keyed hash of (alert, chat), never by the chat id: BullMQ job
// ids and data show in Bull Board and in failed-job lists, and must not outlive a person's erasure. The hash differs
// per alert, so records of two alerts cannot be linked to each other; without the secret it cannot be computed from
// a chat id. Only a short-lived Redis hash per alert (recipients) maps it back to the chat, until the pair is settled.
import { createHmac } from 'node:crypto';

/** Used when no KUNNAFONI_PSEUDONYM_SECRET is configured (development and tests; config requires it in production). */
export const DEV_PSEUDONYM_SECRET = 'development-only-pseudonyms';

export class SendPseudonyms {
  constructor(private readonly secret: string = DEV_PSEUDONYM_SECRET) {
    if (secret.length < 16) throw new Error('the pseudonym secret must be at least 16 characters');
  }

  /** 128 bits, base64url: no ":" (BullMQ job ids cannot hold one). */
  of(alertId: string, member: string): string {
    return createHmac('sha256', this.secret)
      .update(`alert-send\n${alertId}\n${member}`)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
  }
}

/** The send job of a pair. BullMQ job ids cannot hold ":"; alert ids and pair pseudonyms never do. */
export function sendJobId(alertId: string, pair: string): string {
  return `${alertId}@${pair}`;
}

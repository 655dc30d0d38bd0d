// Where referrals live in Redis, all under the deployment's hash-tagged root (`{kf}:ref:...`).
import type { RedisKeys } from '../infra/keys.ts';
import type { CaseStatusT } from './case-model.ts';

export const REFERRAL_QUEUE = 'referrals';

export class ReferralKeys {
  constructor(readonly keys: RedisKeys) {}

  /** Root handed to Lua scripts, which build the per-partner index names themselves. */
  get base(): string {
    return this.keys.key('ref');
  }

  case(no: string): string {
    return `${this.base}:case:${no}`;
  }

  audit(no: string): string {
    return `${this.base}:case:${no}:audit`;
  }

  messages(no: string): string {
    return `${this.base}:case:${no}:msgs`;
  }

  /** Staff's internal notes on a case (sealed; never sent to the person). */
  notes(no: string): string {
    return `${this.base}:case:${no}:notes`;
  }

  /** Held by the worker announcing a case to staff. */
  announcing(no: string): string {
    return `${this.base}:case:${no}:announcing`;
  }

  /** Cases of a partner in one status, scored by the time they entered it. */
  queue(partner: string, status: CaseStatusT): string {
    return `${this.base}:q:${partner}:${status}`;
  }

  /** Created but not yet published by the worker, scored by creation time. */
  get pending(): string {
    return `${this.base}:pending`;
  }

  /** Waiting cases of every partner, scored by the start of their waiting period. */
  get deadlines(): string {
    return `${this.base}:deadlines`;
  }

  /** Closed cases whose personal data is still kept, scored by closing time. */
  get retention(): string {
    return `${this.base}:retention`;
  }

  person(pseudonym: string): string {
    return `${this.base}:person:${pseudonym}`;
  }

  idempotency(intakeKey: string): string {
    return `${this.base}:idem:${intakeKey}`;
  }
}

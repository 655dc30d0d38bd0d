import type { Effect, Lang } from '../engine/types.ts';
import type { ChatRef } from './chat.ts';
import type { OutMessage } from './out-message.ts';

export type ReferEffect = Extract<Effect, { type: 'refer' }>;

/** What the runtime needs from the referral service. */
export interface ReferralIntake {
  /** Creates (or finds, for a repeated intake id) the case; returns what to tell the person. */
  intake(chat: ChatRef, effect: ReferEffect, lang: Lang): Promise<OutMessage[]>;
  /** Removes the person's personal data from their cases. */
  eraseFor(chat: ChatRef): Promise<void>;
  /**
   * A message from a person who has an open, claimed case: relayed to staff. Returns true if relayed. `key` is the
   * message's stable key (its journal entry): relayed again with the same key (after a crash), staff get it once.
   */
  relayFromPerson?(chat: ChatRef, text: string, key?: string): Promise<boolean>;
  /** The status of the person's case whose number they typed, or null when it is not one of theirs. */
  statusFor?(chat: ChatRef, text: string, lang: Lang): Promise<OutMessage[] | null>;
  /** The association that takes cases nobody else covers (named on the consent screen when routing finds none). */
  readonly fallbackPartner?: string;
  /** The person's cases that are not closed (facts for the engine: an open case, held by staff or not). */
  openCasesOf?(chat: ChatRef): Promise<OpenCaseFact[]>;
}

/** What the runtime reads of a person's open case (a subset of the referral service's case summary). */
export type OpenCaseFact = {
  no: string;
  status: string;
  partner: string;
  createdAt: number;
  claimedBy?: string | undefined;
  claimedAt?: number | undefined;
  erased?: boolean;
};

/** What the runtime needs from the alerts service. */
export interface Subscriptions {
  subscribe(chat: ChatRef, topics: string[], lang: Lang, region?: string): Promise<void>;
  /** `topics` empty means all. */
  unsubscribe(chat: ChatRef, topics: string[]): Promise<void>;
  list(chat: ChatRef): Promise<string[]>;
  /** Pause everything (the "stop" keyword). */
  pause(chat: ChatRef): Promise<void>;
  eraseFor(chat: ChatRef): Promise<void>;
}

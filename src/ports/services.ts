import type { Effect, Lang, NoticeName } from '../engine/types.ts';
import type { ChatRef } from './chat.ts';

export type ReferEffect = Extract<Effect, { type: 'refer' }>;

// What services answer the runtime: data, never text. The presenter (src/runtime/present-results.ts) words each
// result through i18n keys; the unions are closed, so a new outcome does not compile until it is worded.

/** What a `refer` effect became. `unavailable`: no referral service here; `failed`: it could not be saved now. */
export type IntakeResult =
  | {
      created: true;
      no: string;
      partnerName: string /** When the partner is reminded if nobody took it. */;
      hours: number;
    }
  | { created: false; reason: 'unavailable' | 'failed' };

/** Where a person's case stands, asked by its number. */
export type CaseStatusResult =
  | { found: true; no: string; status: 'waiting' | 'claimed' | 'closed' | 'erased'; partnerName: string }
  | { found: false; no: string; reason: 'unknown_case' | 'unavailable' };

/** The person's message for the staff member holding their case. */
export type RelayResult = { relayed: true } | { relayed: false; reason: 'no_claimed_case' | 'unavailable' };

/** "EFFACER": every store that held something about the person was cleared, or one failed (nothing is claimed). */
export type ErasureResult = { erased: true } | { erased: false; reason: 'failed' };

/** The alert topics a person follows. */
export type SubscriptionsResult = { available: true; topics: string[] } | { available: false };

/** What the runtime needs from the referral service. */
export interface ReferralIntake {
  /** Creates (or finds, for a repeated intake id) the case; `lang` is the language the person is told in later. */
  intake(chat: ChatRef, effect: ReferEffect, lang: Lang): Promise<IntakeResult>;
  /** Removes the person's personal data from their cases. */
  eraseFor(chat: ChatRef): Promise<void>;
  /**
   * A message from a person who has an open, claimed case: relayed to staff. Returns true if relayed. `key` is the
   * message's stable key (its journal entry): relayed again with the same key (after a crash), staff get it once.
   */
  relayFromPerson?(chat: ChatRef, text: string, key?: string): Promise<boolean>;
  /** The status of the person's case whose number they typed; null when the text is not a case number. */
  statusFor?(chat: ChatRef, text: string): Promise<CaseStatusResult | null>;
  /** The association that takes cases nobody else covers (named on the consent screen when routing finds none). */
  readonly fallbackPartner?: string;
  /** The person's cases that are not closed (facts for the engine: an open case, held by staff or not). */
  openCasesOf?(chat: ChatRef): Promise<OpenCaseFact[]>;
  /**
   * openCasesOf in two halves, so the chat state reads the person's list of cases in the lock's own step (one Redis
   * command less per input, issue 17.7): the set holding their case numbers, and their open cases among those.
   */
  openCasesRead?(chat: ChatRef): { set: string; openCases(numbers: readonly string[]): Promise<OpenCaseFact[]> };
  /** The person's answer to a transfer staff proposed: yes moves the case, no keeps it (staff are told either way). */
  answerTransfer?(chat: ChatRef, no: string, accept: boolean): Promise<TransferAnswerResult>;
}

/** What became of a transfer the person answered; `partner` is where the case is now. */
export type TransferAnswerResult =
  | { ok: true; outcome: 'moved' | 'stays'; case: { no: string; partner: string } }
  | { ok: false; reason: 'no_proposal' | 'stale' };

/**
 * Puts a question to a person from outside their conversation (a transfer staff proposed): their conversation
 * takes the notice as its next input, and what it says is sent to them. True when it was sent.
 */
export interface PersonPrompter {
  prompt(chat: ChatRef, notice: NoticeName): Promise<boolean>;
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
  /** A transfer staff proposed, waiting for the person's answer (the target partner). */
  proposedTo?: string | undefined;
  /** The case's language (a code; not one of the bot's: French). */
  lang?: string;
};

/** What the runtime needs from the alerts service. */
export interface Subscriptions {
  subscribe(chat: ChatRef, topics: string[], lang: Lang, region?: string): Promise<void>;
  /** `topics` empty means all. */
  unsubscribe(chat: ChatRef, topics: string[]): Promise<void>;
  list(chat: ChatRef): Promise<string[]>;
  /**
   * Whether the person follows alerts (list(chat) not empty) in two halves, so the chat state reads their
   * subscription in the lock's own step (one Redis command less per input, issue 17.7): the hash holding it, and
   * the answer from its fields.
   */
  followsRead?(chat: ChatRef): { hash: string; follows(fields: Readonly<Record<string, string>>): boolean };
  /** Pause everything (the "stop" keyword). */
  pause(chat: ChatRef): Promise<void>;
  /** The person chose another language: their alerts come in it from now on. Nothing for someone not subscribed. */
  setLanguage(chat: ChatRef, lang: Lang): Promise<void>;
  eraseFor(chat: ChatRef): Promise<void>;
}

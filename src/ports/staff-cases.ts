// The staff-notifier port of referrals, and what a staff channel (the Telegram staff bot in channels/telegram/staff)
// may ask of the referral service: plain types, so channels depend on this port and never on referrals/.
// The referral service implements StaffCaseOperations; its notifiers (Telegram, the console's live pages)
// implement StaffNotifier.

export const OUTCOMES = ['helped', 'referred-elsewhere', 'unreachable', 'not-eligible', 'duplicate', 'other'] as const;
/** How a case ended. */
export type OutcomeT = (typeof OUTCOMES)[number];
export type CaseStatusT = 'waiting' | 'claimed' | 'closed';

/** What staff may see without opening the case: no personal data. */
export type CaseSummary = {
  no: string;
  partner: string;
  need: string;
  region: string;
  lang: string;
  channel: string;
  status: CaseStatusT;
  createdAt: number;
  waitingSince: number;
  claimedBy?: string;
  claimedAt?: number;
  /** The first claim ever: time to claim counts to it. */
  firstClaimedAt?: number;
  closedAt?: number;
  outcome?: OutcomeT;
  /** Claimed and nobody has written to the person within the first-reply deadline. */
  replyOverdue: boolean;
  /** A transfer to this partner waits for the person's answer. */
  proposedTo?: string;
  urgent: boolean;
  /** Waiting longer than the reminder deadline. */
  overdue: boolean;
  /** The person erased their data: staff see "erased by the person". */
  erased: boolean;
  /** Personal data removed after the retention period. */
  purged: boolean;
};

/** What the person told us (opened for the partner's own staff only). */
export type PersonalData = {
  nickname?: string | undefined;
  phone?: string | undefined;
  description?: string | undefined;
  media: string[];
  other: Record<string, string>;
};

export type StaffActor = {
  /** `tg:<user id>` for Telegram staff, `web:<account>` for the console. */
  id: string;
  /**
   * The partner this person works for: a console account's partner, or the partner of the Telegram staff group a
   * claim came from. Telegram commands in a private chat carry no partner: there, holding the case is what
   * makes someone the partner's staff (a claim is only ever given to the partner's own staff).
   */
  partner?: string;
  /** Administrators of a partner may act on any case of their own partner, also one another colleague holds. */
  admin?: boolean;
};

/** Why a staff operation did not happen. */
export type OpFailure =
  | 'not_found'
  | 'taken'
  | 'closed'
  | 'forbidden'
  | 'not_claimed'
  | 'same_partner'
  | 'unknown_partner'
  | 'erased'
  | 'stale'
  | 'send_failed'
  /** The reply is kept and goes out when the person writes again (WhatsApp's 24-hour window). */
  | 'waiting_for_person'
  | 'invalid';

export type OpResult = { ok: true; case: CaseSummary } | { ok: false; reason: OpFailure; claimedBy?: string };

export type StaffEvent =
  /** A case waits in a partner's queue: new, released, transferred there, or escalated there. */
  | { type: 'waiting'; case: CaseSummary; reason: 'new' | 'released' | 'transferred' | 'escalated' }
  /** A case has waited past the reminder deadline. */
  | { type: 'reminder'; case: CaseSummary; waitingMs: number }
  /** A claimed case has had no word to the person within the first-reply deadline: for its holder. */
  | { type: 'reply_overdue'; case: CaseSummary; staffId: string }
  /**
   * Nobody claimed the case in time: the person is asked whether it may go to `to` (`asked`), or could not be asked.
   * Either way it stays with `case.partner` (told to its staff) until the person says yes.
   */
  | { type: 'escalated'; case: CaseSummary; to: string; asked: boolean }
  /** The person wrote while the case is claimed: for the claimer only. */
  | { type: 'person_message'; case: CaseSummary; staffId: string; text: string }
  /** The person erased their data: the case shows "erased by the person". */
  | { type: 'erased'; case: CaseSummary; staffId?: string | undefined }
  /** The person answered a proposed transfer (told to the partner that proposed it; `case.partner` is that one). */
  | { type: 'transfer_answer'; case: CaseSummary; to: string; accepted: boolean }
  /**
   * Staff changed the case (from any medium): the staff group's post and the console's live pages follow.
   * `by` is the staff id who did it.
   */
  | {
      type: 'changed';
      case: CaseSummary;
      action: 'claimed' | 'released' | 'assigned' | 'proposed' | 'closed';
      by: string;
    };

/** What staff are told, whatever the medium. Events carry no personal data, except `person_message`'s text. */
export interface StaffNotifier {
  notify(event: StaffEvent): Promise<void>;
}

/** A case as its partner's staff see it. */
export type StaffCaseView = { case: CaseSummary; personal: PersonalData | null };

/** What a staff channel asks of the referral service (every call checks the case policy). */
export interface StaffCaseOperations {
  readonly partners: ReadonlyMap<string, { id: string; name: string }>;
  summary(no: string): Promise<CaseSummary | null>;
  details(no: string, actor: StaffActor): Promise<StaffCaseView | { error: OpFailure }>;
  claimedCases(staffId: string): Promise<CaseSummary[]>;
  claim(no: string, actor: StaffActor): Promise<OpResult>;
  release(no: string, actor: StaffActor): Promise<OpResult>;
  transfer(no: string, to: string, actor: StaffActor): Promise<OpResult>;
  reply(no: string, actor: StaffActor, text: string): Promise<OpResult>;
  closeCase(no: string, actor: StaffActor, outcome: OutcomeT, note?: string): Promise<OpResult>;
  /** A case number typed the way people type it, or null (the one parser of case numbers). */
  parseCaseNumber(text: string): string | null;
  /** The first case number inside a longer text, or null. */
  findCaseNumber(text: string): string | null;
}

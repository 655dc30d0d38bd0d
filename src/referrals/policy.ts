// Who may do what on a case: the one place for these rules. The referral service asks it before every staff
// operation (and the Lua scripts then only check that the case did not change in between); the console and the
// Telegram staff bot ask it to decide what to show.
//
// A case and its personal data belong to the partner it was routed to. Only that partner's staff and
// administrators read it or act on it; to everyone else it does not exist (the same answer as a missing case, so
// case numbers cannot be probed). It moves to another partner only with the person's consent (see transfer in
// staff-operations.ts): a staff "transfer" is a proposal to the person.
import type { CaseStatusT } from './case-model.ts';

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

export type CaseAction = 'read' | 'claim' | 'release' | 'transfer' | 'reply' | 'close' | 'assign' | 'note';

/** What the policy needs to know about a case. */
export type CaseFacts = { partner: string; status: CaseStatusT; claimedBy?: string | undefined };

/**
 * `hidden`: the actor is not of the case's partner, answered exactly like a missing case. `forbidden`: the actor is
 * of the partner but may not do this (e.g. a colleague holds the case).
 */
export type Decision = 'allow' | 'hidden' | 'forbidden';

/** Whether the actor works for the case's partner. */
export function isOwnPartner(actor: StaffActor, c: CaseFacts): boolean {
  if (actor.partner !== undefined) return actor.partner === c.partner;
  return c.claimedBy !== undefined && c.claimedBy === actor.id;
}

/** Holds the case, or administers its partner. */
function holdsOrAdmin(actor: StaffActor, c: CaseFacts): boolean {
  return c.claimedBy === actor.id || actor.admin === true;
}

export function decide(action: CaseAction, actor: StaffActor, c: CaseFacts): Decision {
  if (!isOwnPartner(actor, c)) return 'hidden';
  switch (action) {
    case 'read':
    case 'note':
      return 'allow';
    case 'claim':
      // Whether it is still free is decided atomically when claiming (exactly one wins).
      return 'allow';
    case 'release':
    case 'reply':
    case 'transfer':
    case 'close':
    case 'assign':
      // A claimed case is worked by its holder (or an administrator); a waiting one by any of the partner's staff
      // (whether the operation fits the case's status is the operation's own check: "claim it first"...).
      return c.status !== 'claimed' || holdsOrAdmin(actor, c) ? 'allow' : 'forbidden';
  }
}

/** Shorthand for pages: may the actor do this on the case? */
export function may(action: CaseAction, actor: StaffActor, c: CaseFacts): boolean {
  return decide(action, actor, c) === 'allow';
}

/** May the actor see the queue of this partner (case numbers, needs, regions: no personal data)? */
export function mayListQueue(actor: StaffActor, partner: string): boolean {
  return actor.partner === partner;
}

// The staff side of referrals: queues, a case's details, and claim / assign / release / transfer / reply / close.
// Every operation asks policy.ts first; the Lua script then checks that the case is still what the policy saw.
import type { Outbox } from '../ports/outbox.ts';
import type { OpResult } from '../ports/staff-cases.ts';
import {
  type AuditEntry,
  type CaseMessage,
  CaseMessageSchema,
  type CaseNote,
  CaseNoteSchema,
  type CaseRecord,
  type CaseSummary,
  Outcome,
  type OutcomeT,
  type PersonalData,
  PersonalDataSchema,
} from './case-model.ts';
import { findCaseNumber, parseCaseNumber } from './case-number.ts';
import type { OpFailure, ScriptOutcome } from './case-store.ts';
import { type CaseAction, decide, type StaffActor } from './policy.ts';
import { errName, type ReferralContext } from './referral-context.ts';

export type { PartnerAudit, PartnerAuditEvent } from './referral-context.ts';

export type { OpResult };

export type QueueView = {
  /** Waiting past the reminder deadline, oldest first. */
  overdue: CaseSummary[];
  waiting: CaseSummary[];
  claimed: CaseSummary[];
  /** Most recently closed first. */
  closed: CaseSummary[];
};

export type CaseDetails = {
  case: CaseSummary;
  /** Null when erased or purged. */
  personal: PersonalData | null;
  note?: string;
  messages: CaseMessage[];
  /** Internal notes of the partner's staff. */
  notes: CaseNote[];
  audit: AuditEntry[];
};

const MAX_REPLY_LENGTH = 4000;

export type StaffOperationsOptions = { closedListLimit: number };

export function createStaffOperations(x: ReferralContext, outbox: Outbox, o: StaffOperationsOptions) {
  const { store, cipher, clock } = x;
  const seenOf = (r: CaseRecord) => ({ partner: r.partner, claimedBy: r.claimedBy });

  const audit = x.audit;

  /** Loads the case and asks the policy; a case of another partner is answered as a missing one. */
  async function allowed(
    no: string,
    action: CaseAction,
    actor: StaffActor,
  ): Promise<{ record: CaseRecord } | { ok: false; reason: OpFailure }> {
    const record = await store.load(no);
    if (!record) return { ok: false, reason: 'not_found' };
    const decision = decide(action, actor, record);
    if (decision === 'hidden') return { ok: false, reason: 'not_found' };
    if (decision === 'forbidden') return { ok: false, reason: 'forbidden' };
    return { record };
  }

  async function after(no: string, result: ScriptOutcome): Promise<OpResult> {
    if (!result.ok) return result;
    const record = await store.load(no);
    if (!record) return { ok: false, reason: 'not_found' };
    return { ok: true, case: x.summaryOf(record) };
  }

  async function changed(
    result: OpResult,
    action: Extract<Parameters<ReferralContext['tellStaff']>[0], { type: 'changed' }>['action'],
    actor: StaffActor,
  ) {
    if (!result.ok) return;
    await x.tellStaff({ type: 'changed', case: result.case, action, by: actor.id });
    await audit({
      partner: result.case.partner,
      by: actor.id,
      action: `case_${action}`,
      case: result.case.no,
      ...(action === 'proposed' && result.case.proposedTo ? { to: result.case.proposedTo } : {}),
    });
  }

  return {
    parseCaseNumber,
    findCaseNumber,

    async listQueue(partner: string): Promise<QueueView> {
      const [waitingNos, claimedNos, closedNos] = await Promise.all([
        store.queue(partner, 'waiting'),
        store.queue(partner, 'claimed'),
        store.newestInQueue(partner, 'closed', o.closedListLimit),
      ]);
      const load = async (nos: string[], status: CaseRecord['status']) =>
        (await store.loadMany(nos)).filter((r) => r.partner === partner && r.status === status).map(x.summaryOf);
      const [waiting, claimed, closed] = await Promise.all([
        load(waitingNos, 'waiting'),
        load(claimedNos, 'claimed'),
        load(closedNos, 'closed'),
      ]);
      // Urgent cases first, then by waiting time (the indexes are oldest first).
      const urgentFirst = (list: CaseSummary[]) => [...list].sort((a, b) => Number(b.urgent) - Number(a.urgent));
      return {
        overdue: urgentFirst(waiting.filter((c) => c.overdue)),
        waiting: urgentFirst(waiting.filter((c) => !c.overdue)),
        claimed: urgentFirst(claimed),
        closed,
      };
    },

    /** The case without personal data, for code that already checked rights (workers, the Telegram bot). */
    async summary(no: string): Promise<CaseSummary | null> {
      const record = await store.load(no);
      return record ? x.summaryOf(record) : null;
    },

    /** The case as this actor may see it: null when missing or another partner's (the same answer). */
    async find(no: string, actor: StaffActor): Promise<CaseSummary | null> {
      const found = await allowed(no, 'read', actor);
      return 'record' in found ? x.summaryOf(found.record) : null;
    },

    async details(no: string, actor: StaffActor): Promise<CaseDetails | { error: OpFailure }> {
      const found = await allowed(no, 'read', actor);
      if (!('record' in found)) return { error: found.reason };
      const { record } = found;
      const personal = record.personal
        ? PersonalDataSchema.parse(JSON.parse(cipher.open(record.personal, x.sealCtx(no, 'personal'))))
        : null;
      const note = record.note ? cipher.open(record.note, x.sealCtx(no, 'note')) : undefined;
      const messages = (await store.sealedMessages(no)).map((m) =>
        CaseMessageSchema.parse(JSON.parse(cipher.open(m, x.sealCtx(no, 'msg')))),
      );
      const notes = (await store.sealedNotes(no)).map((m) =>
        CaseNoteSchema.parse(JSON.parse(cipher.open(m, x.sealCtx(no, 'notes')))),
      );
      if (personal) await audit({ partner: record.partner, by: actor.id, action: 'personal_data_viewed', case: no });
      return {
        case: x.summaryOf(record),
        personal,
        ...(note !== undefined ? { note } : {}),
        messages,
        notes,
        audit: await store.audit(no),
      };
    },

    /** Every case of the partner still on record created since `since` (for outcome figures; no personal data). */
    async partnerCases(partner: string, since: number): Promise<CaseSummary[]> {
      const lists = await Promise.all(
        (['waiting', 'claimed', 'closed'] as const).map((status) => store.queue(partner, status)),
      );
      const records = await store.loadMany([...new Set(lists.flat())]);
      return records.filter((r) => r.partner === partner && r.createdAt >= since).map(x.summaryOf);
    },

    async claimedCases(staffId: string): Promise<CaseSummary[]> {
      const lists = await Promise.all(x.partnerList.map((p) => store.queue(p.id, 'claimed')));
      const records = await store.loadMany(lists.flat());
      return records.filter((r) => r.status === 'claimed' && r.claimedBy === staffId).map(x.summaryOf);
    },

    async claim(no: string, actor: StaffActor): Promise<OpResult> {
      const found = await allowed(no, 'claim', actor);
      if (!('record' in found)) return found;
      const result = await after(no, await store.claim(no, actor, seenOf(found.record), clock.now()));
      if (result.ok) {
        const record = await store.load(no);
        if (record) await x.tellPerson(record, { type: 'case_claimed', no, partner: x.partnerName(record.partner) });
        await changed(result, 'claimed', actor);
      }
      return result;
    },

    /** Gives the case to a colleague of the same partner (`colleague.partner` must be the case's). */
    async assign(no: string, actor: StaffActor, colleague: StaffActor): Promise<OpResult> {
      const found = await allowed(no, 'assign', actor);
      if (!('record' in found)) return found;
      if (colleague.partner !== found.record.partner) return { ok: false, reason: 'forbidden' };
      if (found.record.claimedBy === colleague.id) return { ok: true, case: x.summaryOf(found.record) };
      const result = await after(no, await store.assign(no, actor, seenOf(found.record), colleague.id, clock.now()));
      if (result.ok && found.record.status === 'waiting') {
        const record = await store.load(no);
        if (record) await x.tellPerson(record, { type: 'case_claimed', no, partner: x.partnerName(record.partner) });
      }
      await changed(result, 'assigned', actor);
      return result;
    },

    async release(no: string, actor: StaffActor): Promise<OpResult> {
      const found = await allowed(no, 'release', actor);
      if (!('record' in found)) return found;
      if (found.record.status !== 'claimed')
        return { ok: false, reason: found.record.status === 'closed' ? 'closed' : 'not_claimed' };
      const result = await after(no, await store.release(no, actor, seenOf(found.record), clock.now()));
      if (result.ok) await x.tellStaff({ type: 'waiting', case: result.case, reason: 'released' });
      await changed(result, 'released', actor);
      return result;
    },

    /**
     * Proposes to the person that their case go to another partner. The case stays where it is, with the proposal,
     * until the person says yes (Intake.answerTransfer): their data moves only with their consent.
     */
    async transfer(no: string, to: string, actor: StaffActor): Promise<OpResult> {
      if (!x.partners.has(to)) return { ok: false, reason: 'unknown_partner' };
      const found = await allowed(no, 'transfer', actor);
      if (!('record' in found)) return found;
      const { record } = found;
      const result = await after(no, await store.propose(no, actor, seenOf(record), to, clock.now()));
      if (!result.ok) return result;
      // The question goes through the person's conversation, so their "oui" / "1" / button press answers it.
      const asked = await x.askTransfer({ ...record, proposedTo: to });
      if (!asked) {
        // A question the person never got cannot be answered: no proposal is left hanging.
        await store.endProposal(no, actor.id, to, clock.now());
        return { ok: false, reason: 'send_failed' };
      }
      await changed(result, 'proposed', actor);
      return result;
    },

    async reply(no: string, actor: StaffActor, text: string): Promise<OpResult> {
      const body = text.trim();
      const found = await allowed(no, 'reply', actor);
      if (!('record' in found)) return found;
      const { record } = found;
      if (!body || body.length > MAX_REPLY_LENGTH) return { ok: false, reason: 'invalid' };
      if (record.erasedAt !== undefined || record.purgedAt !== undefined) return { ok: false, reason: 'erased' };
      if (record.status !== 'claimed')
        return { ok: false, reason: record.status === 'closed' ? 'closed' : 'not_claimed' };
      const chat = x.openChat(record);
      if (!chat) return { ok: false, reason: 'erased' };
      // A channel may keep the reply until the person writes again (WhatsApp after 24 hours): its error says
      // `deferred`. The reply is then part of the conversation, and staff are told it waits.
      let deferred = false;
      try {
        const notice = { type: 'staff_reply', no, partner: x.partnerName(record.partner), text: body } as const;
        await outbox.send(chat, [x.word(notice, record.lang)]);
      } catch (err) {
        deferred = (err as { deferred?: unknown } | null)?.deferred === true;
        if (!deferred) {
          x.warn({ case: no, err: errName(err) }, 'staff reply not delivered');
          return { ok: false, reason: 'send_failed' };
        }
      }
      const now = clock.now();
      const sealed = cipher.seal(
        JSON.stringify({ at: now, from: 'staff', by: actor.id, text: body }),
        x.sealCtx(no, 'msg'),
      );
      await store.appendMessage(no, sealed, { by: actor.id, action: 'replied' }, '', now);
      await store.markReplied(no, now);
      if (deferred) return { ok: false, reason: 'waiting_for_person' };
      const after = await store.load(no);
      return { ok: true, case: x.summaryOf(after ?? record) };
    },

    /** An internal note: kept sealed with the case for the partner's staff, never sent to the person. */
    async addNote(no: string, actor: StaffActor, text: string): Promise<OpResult> {
      const body = text.trim();
      const found = await allowed(no, 'note', actor);
      if (!('record' in found)) return found;
      if (!body || body.length > MAX_REPLY_LENGTH) return { ok: false, reason: 'invalid' };
      const sealed = cipher.seal(JSON.stringify({ at: clock.now(), by: actor.id, text: body }), x.sealCtx(no, 'notes'));
      if (!(await store.appendNote(no, sealed))) return { ok: false, reason: 'erased' };
      await audit({ partner: found.record.partner, by: actor.id, action: 'note_added', case: no });
      return { ok: true, case: x.summaryOf(found.record) };
    },

    async closeCase(no: string, actor: StaffActor, outcome: OutcomeT, note?: string): Promise<OpResult> {
      const parsed = Outcome.safeParse(outcome);
      if (!parsed.success) return { ok: false, reason: 'invalid' };
      const found = await allowed(no, 'close', actor);
      if (!('record' in found)) return found;
      const sealedNote = note?.trim() ? cipher.seal(note.trim(), x.sealCtx(no, 'note')) : '';
      const result = await after(
        no,
        await store.close(no, actor, seenOf(found.record), parsed.data, sealedNote, clock.now()),
      );
      if (result.ok) {
        const record = await store.load(no);
        if (record) await x.tellPerson(record, { type: 'case_closed', no });
      }
      await changed(result, 'closed', actor);
      return result;
    },
  };
}

export type StaffOperations = ReturnType<typeof createStaffOperations>;

// The person's side of referrals: a `refer` effect becomes a case (sealed, idempotent), the person's messages reach
// the staff member holding their case, they can ask where their case is, answer a proposed transfer, and erase
// their data.
import type { Queue } from 'bullmq';
import type { Lang } from '../engine/types.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { CaseStatusResult, IntakeResult, ReferEffect } from '../ports/services.ts';
import {
  type CaseRecord,
  CaseRecordSchema,
  type CaseSummary,
  personalDataFromFields,
  ReferEffectSchema,
} from './case-model.ts';
import { CASE_NUMBER_LENGTH, newCaseNumber, parseCaseNumber } from './case-number.ts';
import { routePartner } from './partners.ts';
import { errName, type ReferralContext } from './referral-context.ts';
import { markRelayTold, relayMarkedIn } from './relay-marks.ts';

const MAX_CREATE_ATTEMPTS = 40;

/** A transfer staff proposed and the person has not answered yet: a fact for the engine. */
export type TransferProposal = { no: string; from: string; fromName: string; to: string; toName: string };

export type TransferAnswer =
  | { ok: true; outcome: 'moved' | 'stays'; case: CaseSummary }
  | { ok: false; reason: 'no_proposal' | 'stale' };

export type IntakeOptions = { idemTtlSeconds: number; recordTtlSeconds: number; escalateAfterMs: number };

export function createIntake(x: ReferralContext, queue: Queue, o: IntakeOptions) {
  const { store, pseudo, cipher, clock } = x;

  async function personRecords(chat: ChatRef): Promise<CaseRecord[]> {
    return store.loadMany(await store.personCases(pseudo.person(chat)));
  }

  const openAmong = (records: readonly CaseRecord[]): CaseSummary[] =>
    records.filter((r) => r.status !== 'closed').map(x.summaryOf);

  const proposalOf = (r: CaseRecord): TransferProposal | null =>
    r.proposedTo && r.status !== 'closed' && r.erasedAt === undefined
      ? {
          no: r.no,
          from: r.partner,
          fromName: x.partnerName(r.partner),
          to: r.proposedTo,
          toName: x.partnerName(r.proposedTo),
        }
      : null;

  /**
   * The same answer again (a turn replayed after a crash, a second tap): its result, told once more to the person
   * only; staff were told the first time. Any other answer to a proposal that is over changes nothing.
   */
  async function alreadyAnswered(record: CaseRecord, accept: boolean): Promise<TransferAnswer> {
    const last = (await store.audit(record.no))
      .filter((e) => e.action === 'transfer_proposed' || e.action === 'transferred' || e.action === 'transfer_declined')
      .at(-1);
    const same = last?.by === 'person' && last.action === (accept ? 'transferred' : 'transfer_declined');
    if (!same || record.status === 'closed') return { ok: false, reason: 'no_proposal' };
    return { ok: true, outcome: accept ? 'moved' : 'stays', case: x.summaryOf(record) };
  }

  return {
    async intake(chat: ChatRef, effect: ReferEffect, lang: Lang): Promise<IntakeResult> {
      const refer = ReferEffectSchema.parse(effect);
      const partner = routePartner(x.partnerList, refer.need, refer.region, x.fallbackPartner);
      const ids = {
        idem: pseudo.intake(chat, refer.intakeId),
        person: pseudo.person(chat),
        fp: pseudo.content(refer.need, refer.region, refer.fields),
      };
      const personal = personalDataFromFields(refer.fields);
      // The files the person chose to send go with the case: read now (platform references) or kept (held ones).
      if (x.attachments && personal.media.length > 0) {
        personal.media = await x.attachments.keep(chat, ids.idem, personal.media);
      }
      const now = clock.now();
      for (let attempt = 0; attempt < MAX_CREATE_ATTEMPTS; attempt++) {
        // Longer numbers only if the short ones get crowded.
        const no = newCaseNumber(CASE_NUMBER_LENGTH + Math.floor(attempt / 10));
        const record = CaseRecordSchema.parse({
          no,
          partner,
          need: refer.need,
          region: refer.region,
          lang,
          channel: chat.channel,
          status: 'waiting',
          createdAt: now,
          waitingSince: now,
          ...(refer.urgent ? { urgent: '1' } : {}),
          chat: cipher.seal(JSON.stringify(chat), x.sealCtx(no, 'chat')),
          personal: cipher.seal(JSON.stringify(personal), x.sealCtx(no, 'personal')),
          person: ids.person,
          idem: ids.idem,
          fp: ids.fp,
        });
        const created = await store.create(record, ids, o.idemTtlSeconds);
        if (created.status === 'collision') continue;
        await x.attachments?.linkCase(created.no, personal.media);
        if (!created.published) {
          try {
            // Urgent cases jump the BullMQ queue: announced before routine ones waiting for a worker.
            await queue.add(
              'dispatch',
              { caseNo: created.no },
              { jobId: pseudo.dispatchJobId(ids.idem, created.no), ...(refer.urgent ? { priority: 1 } : {}) },
            );
          } catch (err) {
            // The case is stored: the deadline check publishes cases left pending. Failing here would make the
            // person start again with a new intake id, hence a second case.
            x.warn({ case: created.no, err: errName(err) }, 'dispatch job not queued; the deadline check will publish');
          }
        }
        // The person is told when they will be asked about another association (the escalation deadline).
        const hours = Math.round(o.escalateAfterMs / 3_600_000);
        return { created: true, no: created.no, partnerName: x.partnerName(partner), hours };
      }
      throw new Error('no free case number found');
    },

    async eraseFor(chat: ChatRef): Promise<void> {
      const person = pseudo.person(chat);
      for (const record of await personRecords(chat)) {
        const erased = await store.scrub(record.no, 'erased', clock.now(), o.recordTtlSeconds);
        if (!erased || record.status === 'closed') continue;
        const after = await store.load(record.no);
        if (after) await x.tellStaff({ type: 'erased', case: x.summaryOf(after), staffId: after.claimedBy });
      }
      await store.forgetPerson(person);
      await x.attachments?.eraseFor(chat);
    },

    /**
     * Appends the person's message to their claimed case and tells its holder. With `key` (the journal entry's),
     * a relay carried out again after a crash reaches staff once (relay-marks.ts) and still answers true.
     */
    async relayFromPerson(chat: ChatRef, text: string, key?: string): Promise<boolean> {
      const records = await personRecords(chat);
      // A replay goes to the case the first try reached, even if it was released or moved since.
      const earlier = key
        ? await relayMarkedIn(
            x.redis,
            records.map((r) => x.k.case(r.no)),
            key,
          )
        : -1;
      const claimed = records
        .filter((r) => r.status === 'claimed' && r.claimedBy && r.erasedAt === undefined)
        .sort((a, b) => (b.claimedAt ?? 0) - (a.claimedAt ?? 0));
      const target = earlier >= 0 ? records[earlier] : claimed[0];
      if (!target) return false;
      const now = clock.now();
      const sealed = cipher.seal(JSON.stringify({ at: now, from: 'person', text }), x.sealCtx(target.no, 'msg'));
      const audit = { by: 'person', action: 'person_message' } as const;
      const appended = await store.appendMessage(target.no, sealed, audit, '', now, key ?? '');
      if (appended === 'told') return true;
      if (appended !== 'ok' && appended !== 'duplicate') return false;
      try {
        const staffId = target.claimedBy ?? '';
        await x.tellStaffOrThrow({ type: 'person_message', case: x.summaryOf(target), staffId, text });
        if (key) await markRelayTold(x.redis, x.k.case(target.no), key);
      } catch (err) {
        // In the case's messages already (the console shows it); a replay tries telling staff again.
        x.warn({ case: target.no, event: 'person_message', err: errName(err) }, 'could not notify staff');
      }
      return true;
    },

    /** Where the person's case stands, by the number they typed (parsed by the one case-number parser). */
    async statusFor(chat: ChatRef, text: string): Promise<CaseStatusResult | null> {
      const no = parseCaseNumber(text);
      if (!no) return null;
      const record = (await store.isPersonCase(pseudo.person(chat), no)) ? await store.load(no) : null;
      if (!record) return { found: false, no, reason: 'unknown_case' };
      const status = record.erasedAt !== undefined ? 'erased' : record.status;
      return { found: true, no, status, partnerName: x.partnerName(record.partner) };
    },

    async openCasesOf(chat: ChatRef): Promise<CaseSummary[]> {
      return openAmong(await personRecords(chat));
    },

    /** openCasesOf in two halves: the person's set of case numbers (read by the chat state with its lock), then these. */
    openCasesRead(chat: ChatRef) {
      return {
        set: x.k.person(pseudo.person(chat)),
        openCases: async (numbers: readonly string[]) => openAmong(await store.loadMany(numbers)),
      };
    },

    /** The transfer waiting for the person's answer (the most recent one), or null. */
    async transferProposalFor(chat: ChatRef): Promise<TransferProposal | null> {
      const open = (await personRecords(chat))
        .filter((r) => proposalOf(r) !== null)
        .sort((a, b) => (b.proposedAt ?? 0) - (a.proposedAt ?? 0));
      return open[0] ? proposalOf(open[0]) : null;
    },

    /**
     * The person's answer to a proposed transfer: yes moves the case to the proposed partner (and its staff are
     * told), no keeps it where it is (and its staff are told). Only the person's own case, only the pending proposal.
     * What the person reads comes back with their turn (the runtime words the result), not from here.
     */
    async answerTransfer(chat: ChatRef, no: string, accept: boolean): Promise<TransferAnswer> {
      if (!(await store.isPersonCase(pseudo.person(chat), no))) return { ok: false, reason: 'no_proposal' };
      const record = await store.load(no);
      const proposal = record ? proposalOf(record) : null;
      if (record && !proposal) return await alreadyAnswered(record, accept);
      if (!record || !proposal) return { ok: false, reason: 'no_proposal' };
      const now = clock.now();
      if (!accept) {
        const ended = await store.endProposal(no, 'person', proposal.to, now);
        if (!ended.ok) return { ok: false, reason: 'stale' };
        const after = (await store.load(no)) ?? record;
        await x.tellStaff({ type: 'transfer_answer', case: x.summaryOf(after), to: proposal.to, accepted: false });
        await x.audit({
          partner: record.partner,
          by: 'person',
          action: 'transfer_declined',
          case: no,
          to: proposal.to,
        });
        return { ok: true, outcome: 'stays', case: x.summaryOf(after) };
      }
      const seen = { partner: record.partner, claimedBy: record.claimedBy };
      const moved = await store.transfer(no, 'person', seen, proposal.to, now, { proposal: proposal.to });
      if (!moved.ok) return { ok: false, reason: 'stale' };
      const after = await store.load(no);
      if (!after) return { ok: false, reason: 'stale' };
      const summary = x.summaryOf(after);
      // Both partners' logs: the one the case (and its data) left, and the one it went to.
      for (const partner of [record.partner, proposal.to]) {
        await x.audit({ partner, by: 'person', action: 'transfer_accepted', case: no, to: proposal.to });
      }
      await x.tellStaff({
        type: 'transfer_answer',
        case: { ...summary, partner: record.partner },
        to: proposal.to,
        accepted: true,
      });
      await x.tellStaff({ type: 'waiting', case: summary, reason: 'transferred' });
      return { ok: true, outcome: 'moved', case: summary };
    },
  };
}

export type Intake = ReturnType<typeof createIntake>;

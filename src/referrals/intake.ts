// The person's side of referrals: a `refer` effect becomes a case (sealed, idempotent), the person's messages reach
// the staff member holding their case, they can ask where their case is, answer a proposed transfer, and erase
// their data.
import type { Queue } from 'bullmq';
import type { Lang } from '../engine/types.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { ReferEffect } from '../ports/services.ts';
import {
  type CaseRecord,
  CaseRecordSchema,
  type CaseSummary,
  personalDataFromFields,
  ReferEffectSchema,
} from './case-model.ts';
import { CASE_NUMBER_LENGTH, newCaseNumber, parseCaseNumber } from './case-number.ts';
import { message } from './messages.ts';
import { routePartner } from './partners.ts';
import { errName, type ReferralContext } from './referral-context.ts';
import { transferTexts } from './transfer-texts.ts';

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

  return {
    async intake(chat: ChatRef, effect: ReferEffect, lang: Lang): Promise<OutMessage[]> {
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
        // The person is told when an unclaimed case goes on to another association (the escalation deadline).
        const hours = Math.round(o.escalateAfterMs / 3_600_000);
        return [message(...x.texts(lang).created(created.no, x.partnerName(partner), hours))];
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

    async relayFromPerson(chat: ChatRef, text: string): Promise<boolean> {
      const claimed = (await personRecords(chat))
        .filter((r) => r.status === 'claimed' && r.claimedBy && r.erasedAt === undefined)
        .sort((a, b) => (b.claimedAt ?? 0) - (a.claimedAt ?? 0));
      const target = claimed[0];
      if (!target?.claimedBy) return false;
      const now = clock.now();
      const sealed = cipher.seal(JSON.stringify({ at: now, from: 'person', text }), x.sealCtx(target.no, 'msg'));
      const appended = await store.appendMessage(
        target.no,
        sealed,
        { by: 'person', action: 'person_message' },
        '',
        now,
      );
      if (appended !== 'ok') return false;
      await x.tellStaff({ type: 'person_message', case: x.summaryOf(target), staffId: target.claimedBy, text });
      return true;
    },

    async statusFor(chat: ChatRef, text: string, lang: Lang): Promise<OutMessage[] | null> {
      const no = parseCaseNumber(text);
      if (!no) return null;
      const texts = x.texts(lang);
      const record = (await store.isPersonCase(pseudo.person(chat), no)) ? await store.load(no) : null;
      if (!record) return [message(texts.unknownCase(no))];
      return [message(texts.status(no, record.status, x.partnerName(record.partner)))];
    },

    async openCasesOf(chat: ChatRef): Promise<CaseSummary[]> {
      return (await personRecords(chat)).filter((r) => r.status !== 'closed').map(x.summaryOf);
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
     */
    async answerTransfer(chat: ChatRef, no: string, accept: boolean): Promise<TransferAnswer> {
      if (!(await store.isPersonCase(pseudo.person(chat), no))) return { ok: false, reason: 'no_proposal' };
      const record = await store.load(no);
      const proposal = record ? proposalOf(record) : null;
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
        await x.tellPerson(after, (lang) => transferTexts(lang).declined(no, proposal.fromName));
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
      await x.tellPerson(after, (lang) => x.texts(lang).transferred(no, proposal.toName));
      return { ok: true, outcome: 'moved', case: summary };
    },
  };
}

export type Intake = ReturnType<typeof createIntake>;

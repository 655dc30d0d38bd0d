// The referral service: a `refer` effect becomes a case (sealed, idempotent), a BullMQ job publishes it to the
// partner's queue, staff claim / release / transfer / reply / close it, the person hears back, deadlines remind and
// escalate, and personal data goes away after the retention period or when the person erases it.
//
// One BullMQ queue (`referrals`) carries every job, with the partner in the case rather than in the queue name: a
// case changes partner (transfer, escalation) after it was queued, and the staff queue a person works from is a
// Redis index per partner, not a BullMQ list (claims are held by people for hours, not by worker locks).
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Lang } from '../engine/types.ts';
import type { Translate } from '../i18n/translator.ts';
import type { PersonalDataCipher } from '../infra/crypto.ts';
import type { RedisKeys } from '../infra/keys.ts';
import type { Logger } from '../infra/logger.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { Clock } from '../ports/clock.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { Outbox } from '../ports/outbox.ts';
import type { ReferEffect, ReferralIntake } from '../ports/services.ts';
import {
  type AuditEntry,
  type CaseMessage,
  CaseMessageSchema,
  type CaseRecord,
  CaseRecordSchema,
  type CaseSummary,
  Outcome,
  type OutcomeT,
  type PersonalData,
  PersonalDataSchema,
  personalDataFromFields,
  ReferEffectSchema,
  toSummary,
} from './case-model.ts';
import { CASE_NUMBER_LENGTH, newCaseNumber, parseCaseNumber } from './case-number.ts';
import { CaseStore, type OpFailure, type StaffActor } from './case-store.ts';
import { message, personTexts as textsFor } from './messages.ts';
import { type Partner, routePartner } from './partners.ts';
import { Pseudonyms } from './pseudonyms.ts';
import { REFERRAL_QUEUE, ReferralKeys } from './referral-keys.ts';
import type { StaffNotifier } from './staff-notifier.ts';

export type { OpFailure, StaffActor };

export type ReferralOptions = {
  /** Partner that takes cases nobody else covers, and cases left unclaimed too long (REFERRAL_FALLBACK_PARTNER). */
  fallbackPartner: string;
  /** Secret for the keyed hashes standing for people and intakes in Redis keys and job ids (>= 16 characters). */
  pseudonymSecret: string;
  /** Unclaimed this long: the partner's staff get a reminder (REFERRAL_REMIND_HOURS, default 12). */
  remindAfterHours?: number;
  /** Unclaimed this long: the case moves to the fallback partner (REFERRAL_ESCALATE_HOURS, default 48). */
  escalateAfterHours?: number;
  /** Personal data is deleted this long after closing (REFERRAL_RETENTION_DAYS, default 30). */
  retentionDays?: number;
  /** What remains of a purged case (status, dates, audit) is kept this long (default 365). */
  recordRetentionDays?: number;
  /** How long a repeated intake id finds its case (default 7 days). */
  idempotencyHours?: number;
  /** A case still unpublished after this long (a lost job) is published by the deadline check (default 60 s). */
  republishAfterMs?: number;
  /** Closed cases shown in a queue view (default 50). */
  closedListLimit?: number;
  /** How long one worker may take to announce a case before another may (default 30 s). */
  announceLeaseMs?: number;
};

/** Thrown by dispatch while another worker announces the case: the job is retried later. */
export class AnnouncementBusyError extends Error {
  constructor(no: string) {
    super(`case ${no} is being announced by another worker`);
    this.name = 'AnnouncementBusyError';
  }
}

export type ReferralServiceDeps = {
  redis: Redis;
  keys: RedisKeys;
  cipher: PersonalDataCipher;
  /** Contacts that accept referrals (see partnersFromContacts). */
  partners: readonly Partner[];
  outbox: Outbox;
  notifier: StaffNotifier;
  clock: Clock;
  options: ReferralOptions;
  logger?: Logger;
  /** The bot's translator, for what the person reads about their case (default: the shipped locales). */
  translate?: Translate;
};

export type OpResult = { ok: true; case: CaseSummary } | { ok: false; reason: OpFailure; claimedBy?: string };

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
  /** Null when erased, purged, or when the viewer may not see it (another partner's admin). */
  personal: PersonalData | null;
  note?: string;
  messages: CaseMessage[];
  audit: AuditEntry[];
};

export type DeadlineReport = { reminded: number; escalated: number; republished: number };

export interface ReferralService extends ReferralIntake {
  relayFromPerson(chat: ChatRef, text: string): Promise<boolean>;
  /** When the text is a case number: what to tell the person about it (only their own cases); otherwise null. */
  statusFor(chat: ChatRef, text: string, lang: Lang): Promise<OutMessage[] | null>;
  /** The person's cases that are not closed. */
  openCasesOf(chat: ChatRef): Promise<CaseSummary[]>;

  readonly partners: ReadonlyMap<string, Partner>;
  listQueue(partner: string): Promise<QueueView>;
  summary(no: string): Promise<CaseSummary | null>;
  details(no: string, actor: StaffActor): Promise<CaseDetails | { error: OpFailure }>;
  claimedCases(staffId: string): Promise<CaseSummary[]>;
  claim(no: string, actor: StaffActor): Promise<OpResult>;
  release(no: string, actor: StaffActor): Promise<OpResult>;
  transfer(no: string, to: string, actor: StaffActor): Promise<OpResult>;
  reply(no: string, actor: StaffActor, text: string): Promise<OpResult>;
  closeCase(no: string, actor: StaffActor, outcome: OutcomeT, note?: string): Promise<OpResult>;

  /** Worker: makes a case visible in its partner's queue and tells the staff (idempotent). */
  dispatch(no: string): Promise<'published' | 'already' | 'not_found'>;
  /** Worker: reminders, escalations, and publishing of cases whose job was lost. */
  checkDeadlines(): Promise<DeadlineReport>;
  /** Worker: deletes personal data of cases closed longer ago than the retention period. */
  purgeExpired(): Promise<number>;

  /** The BullMQ queue carrying dispatch and scheduled jobs. */
  readonly queue: Queue;
  readonly remindAfterMs: number;
  /** Closes the BullMQ queue (the Redis connection belongs to the caller). */
  stop(): Promise<void>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_REPLY_LENGTH = 4000;
const MAX_CREATE_ATTEMPTS = 40;

export function createReferralService(deps: ReferralServiceDeps): ReferralService {
  const { redis, cipher, outbox, notifier, clock, logger } = deps;
  const o = deps.options;
  const remindAfterMs = (o.remindAfterHours ?? 12) * HOUR;
  const escalateAfterMs = (o.escalateAfterHours ?? 48) * HOUR;
  const retentionMs = (o.retentionDays ?? 30) * DAY;
  const recordTtlSeconds = Math.round(((o.recordRetentionDays ?? 365) * DAY) / 1000);
  const idemTtlSeconds = Math.round((o.idempotencyHours ?? 7 * 24) * 3600);
  const republishAfterMs = o.republishAfterMs ?? 60_000;
  const closedLimit = o.closedListLimit ?? 50;
  const announceLeaseMs = o.announceLeaseMs ?? 30_000;

  const partners = new Map(deps.partners.map((p) => [p.id, p]));
  const partnerList = [...partners.values()];
  if (!partners.has(o.fallbackPartner)) {
    throw new Error(`the fallback partner "${o.fallbackPartner}" is not a contact that accepts referrals`);
  }
  const pseudo = new Pseudonyms(o.pseudonymSecret);
  const k = new ReferralKeys(deps.keys);
  const store = new CaseStore(redis, k);
  const queue = new Queue(REFERRAL_QUEUE, {
    connection: redis,
    prefix: deps.keys.bull,
    defaultJobOptions: {
      attempts: 10,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });

  queue.on('error', (err) => logger?.warn({ err: err.name }, 'referral queue error'));

  const partnerName = (id: string) => partners.get(id)?.name ?? id;
  const personTexts = (lang: Lang) => textsFor(lang, deps.translate);
  const summaryOf = (record: CaseRecord) => toSummary(record, clock.now(), remindAfterMs);
  const warn = (fields: Record<string, unknown>, msg: string) => logger?.warn(fields, msg);
  const errName = (err: unknown) => (err instanceof Error ? err.name : 'Error');

  // Sealed values are bound to their case and field: a value copied to another case or field does not open.
  const ctx = (no: string, field: string) => `case:${no}:${field}`;

  function openChat(record: CaseRecord): ChatRef | null {
    if (!record.chat) return null;
    return JSON.parse(cipher.open(record.chat, ctx(record.no, 'chat'))) as ChatRef;
  }

  /** Tells the person something about their case; a failure is logged (case number only), never thrown. */
  async function tellPerson(record: CaseRecord, text: (lang: Lang) => string): Promise<void> {
    try {
      const chat = openChat(record);
      if (!chat) return;
      await outbox.send(chat, [message(text(record.lang))]);
    } catch (err) {
      warn({ case: record.no, err: errName(err) }, 'could not tell the person about their case');
    }
  }

  async function tellStaff(event: Parameters<StaffNotifier['notify']>[0]): Promise<void> {
    try {
      await notifier.notify(event);
    } catch (err) {
      warn({ case: event.case.no, event: event.type, err: errName(err) }, 'could not notify staff');
    }
  }

  async function afterChange(no: string, result: Awaited<ReturnType<CaseStore['claim']>>): Promise<OpResult> {
    if (!result.ok) return result;
    const record = await store.load(no);
    if (!record) return { ok: false, reason: 'not_found' };
    return { ok: true, case: summaryOf(record) };
  }

  async function dispatch(no: string): Promise<'published' | 'already' | 'not_found'> {
    const now = clock.now();
    const published = await store.publish(no, now);
    if (published === 'not_found') return published;
    const record = await store.load(no);
    if (record && record.announcedAt === undefined) {
      // One announcer at a time: a job re-run while its first run is still alive (a lock lost under load) waits
      // for the lease instead of posting the case twice. Only a worker dying between the post and its record can
      // still cause a second post, once the lease has expired: never a lost announcement. Errors are thrown on
      // purpose: the job is retried until staff were told.
      const lease = await store.leaseAnnouncement(no, announceLeaseMs);
      if (!lease) throw new AnnouncementBusyError(no);
      try {
        if (record.status === 'waiting') {
          await notifier.notify({ type: 'waiting', case: summaryOf(record), reason: 'new' });
        }
        await store.markAnnounced(no, now);
      } finally {
        await store.endAnnouncementLease(no, lease);
      }
    }
    return published;
  }

  const service: ReferralService = {
    partners,
    fallbackPartner: o.fallbackPartner,
    queue,
    remindAfterMs,

    async intake(chat: ChatRef, effect: ReferEffect, lang: Lang): Promise<OutMessage[]> {
      const refer = ReferEffectSchema.parse(effect);
      const partner = routePartner(partnerList, refer.need, refer.region, o.fallbackPartner);
      const ids = {
        idem: pseudo.intake(chat, refer.intakeId),
        person: pseudo.person(chat),
        fp: pseudo.content(refer.need, refer.region, refer.fields),
      };
      const personal = personalDataFromFields(refer.fields);
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
          chat: cipher.seal(JSON.stringify(chat), ctx(no, 'chat')),
          personal: cipher.seal(JSON.stringify(personal), ctx(no, 'personal')),
          person: ids.person,
          idem: ids.idem,
          fp: ids.fp,
        });
        const created = await store.create(record, ids, idemTtlSeconds);
        if (created.status === 'collision') continue;
        if (!created.published) {
          try {
            await queue.add('dispatch', { caseNo: created.no }, { jobId: pseudo.dispatchJobId(ids.idem, created.no) });
          } catch (err) {
            // The case is stored: the deadline check publishes cases left pending. Failing here would make the
            // person start again with a new intake id, hence a second case.
            warn({ case: created.no, err: errName(err) }, 'dispatch job not queued; the deadline check will publish');
          }
        }
        return [message(...personTexts(lang).created(created.no, partnerName(partner), escalateAfterMs / HOUR))];
      }
      throw new Error('no free case number found');
    },

    async eraseFor(chat: ChatRef): Promise<void> {
      const person = pseudo.person(chat);
      const nos = await store.personCases(person);
      const records = await store.loadMany(nos);
      for (const record of records) {
        const erased = await store.scrub(record.no, 'erased', clock.now(), recordTtlSeconds);
        if (!erased || record.status === 'closed') continue;
        const after = await store.load(record.no);
        if (after) await tellStaff({ type: 'erased', case: summaryOf(after), staffId: after.claimedBy });
      }
      await store.forgetPerson(person);
    },

    async relayFromPerson(chat: ChatRef, text: string): Promise<boolean> {
      const records = await store.loadMany(await store.personCases(pseudo.person(chat)));
      const claimed = records
        .filter((r) => r.status === 'claimed' && r.claimedBy && r.erasedAt === undefined)
        .sort((a, b) => (b.claimedAt ?? 0) - (a.claimedAt ?? 0));
      const target = claimed[0];
      if (!target?.claimedBy) return false;
      const now = clock.now();
      const sealed = cipher.seal(JSON.stringify({ at: now, from: 'person', text }), ctx(target.no, 'msg'));
      const appended = await store.appendMessage(
        target.no,
        sealed,
        { by: 'person', action: 'person_message' },
        '',
        now,
      );
      if (appended !== 'ok') return false;
      await tellStaff({ type: 'person_message', case: summaryOf(target), staffId: target.claimedBy, text });
      return true;
    },

    async statusFor(chat: ChatRef, text: string, lang: Lang): Promise<OutMessage[] | null> {
      const no = parseCaseNumber(text);
      if (!no) return null;
      const texts = personTexts(lang);
      const record = (await store.isPersonCase(pseudo.person(chat), no)) ? await store.load(no) : null;
      if (!record) return [message(texts.unknownCase(no))];
      return [message(texts.status(no, record.status, partnerName(record.partner)))];
    },

    async openCasesOf(chat: ChatRef): Promise<CaseSummary[]> {
      const records = await store.loadMany(await store.personCases(pseudo.person(chat)));
      return records.filter((r) => r.status !== 'closed').map(summaryOf);
    },

    async listQueue(partner: string): Promise<QueueView> {
      const [waitingNos, claimedNos, closedNos] = await Promise.all([
        store.queue(partner, 'waiting'),
        store.queue(partner, 'claimed'),
        store.queue(partner, 'closed', true, closedLimit),
      ]);
      const load = async (nos: string[], status: CaseRecord['status']) =>
        (await store.loadMany(nos)).filter((r) => r.partner === partner && r.status === status).map(summaryOf);
      const [waiting, claimed, closed] = await Promise.all([
        load(waitingNos, 'waiting'),
        load(claimedNos, 'claimed'),
        load(closedNos, 'closed'),
      ]);
      return {
        overdue: waiting.filter((c) => c.overdue),
        waiting: waiting.filter((c) => !c.overdue),
        claimed,
        closed,
      };
    },

    async summary(no: string): Promise<CaseSummary | null> {
      const record = await store.load(no);
      return record ? summaryOf(record) : null;
    },

    async details(no: string, actor: StaffActor): Promise<CaseDetails | { error: OpFailure }> {
      const record = await store.load(no);
      if (!record) return { error: 'not_found' };
      const ownStaff =
        actor.id === record.claimedBy || (actor.partner !== undefined && actor.partner === record.partner);
      if (!ownStaff && !actor.admin) return { error: 'forbidden' };
      const personal =
        ownStaff && record.personal
          ? PersonalDataSchema.parse(JSON.parse(cipher.open(record.personal, ctx(no, 'personal'))))
          : null;
      const note = ownStaff && record.note ? cipher.open(record.note, ctx(no, 'note')) : undefined;
      const messages = ownStaff
        ? (await store.sealedMessages(no)).map((m) =>
            CaseMessageSchema.parse(JSON.parse(cipher.open(m, ctx(no, 'msg')))),
          )
        : [];
      return {
        case: summaryOf(record),
        personal,
        ...(note !== undefined ? { note } : {}),
        messages,
        audit: await store.audit(no),
      };
    },

    async claimedCases(staffId: string): Promise<CaseSummary[]> {
      const lists = await Promise.all(partnerList.map((p) => store.queue(p.id, 'claimed')));
      const records = await store.loadMany(lists.flat());
      return records.filter((r) => r.status === 'claimed' && r.claimedBy === staffId).map(summaryOf);
    },

    async claim(no: string, actor: StaffActor): Promise<OpResult> {
      const result = await afterChange(no, await store.claim(no, actor, clock.now()));
      if (result.ok) {
        const record = await store.load(no);
        if (record) await tellPerson(record, (lang) => personTexts(lang).claimed(no, partnerName(record.partner)));
      }
      return result;
    },

    async release(no: string, actor: StaffActor): Promise<OpResult> {
      const result = await afterChange(no, await store.release(no, actor, clock.now()));
      if (result.ok) await tellStaff({ type: 'waiting', case: result.case, reason: 'released' });
      return result;
    },

    async transfer(no: string, to: string, actor: StaffActor): Promise<OpResult> {
      if (!partners.has(to)) return { ok: false, reason: 'unknown_partner' };
      const result = await afterChange(no, await store.transfer(no, to, actor, clock.now()));
      if (result.ok) {
        await tellStaff({ type: 'waiting', case: result.case, reason: 'transferred' });
        const record = await store.load(no);
        if (record) await tellPerson(record, (lang) => personTexts(lang).transferred(no, partnerName(to)));
      }
      return result;
    },

    async reply(no: string, actor: StaffActor, text: string): Promise<OpResult> {
      const body = text.trim();
      if (!body || body.length > MAX_REPLY_LENGTH) return { ok: false, reason: 'invalid' };
      const record = await store.load(no);
      if (!record) return { ok: false, reason: 'not_found' };
      if (record.erasedAt !== undefined || record.purgedAt !== undefined) return { ok: false, reason: 'erased' };
      if (record.status !== 'claimed')
        return { ok: false, reason: record.status === 'closed' ? 'closed' : 'not_claimed' };
      // Only the claimer, or an administrator of the case's own partner, speaks to the person: an admin of another
      // partner cannot read the conversation (details() hides it), so must not write into it either.
      const mayReply =
        record.claimedBy === actor.id ||
        (actor.admin === true && actor.partner !== undefined && actor.partner === record.partner);
      if (!mayReply) return { ok: false, reason: 'forbidden' };
      const chat = openChat(record);
      if (!chat) return { ok: false, reason: 'erased' };
      const title = personTexts(record.lang).staffReplyTitle(no, partnerName(record.partner));
      try {
        await outbox.send(chat, [{ title, paragraphs: [body] }]);
      } catch (err) {
        warn({ case: no, err: errName(err) }, 'staff reply not delivered');
        return { ok: false, reason: 'send_failed' };
      }
      const now = clock.now();
      const sealed = cipher.seal(JSON.stringify({ at: now, from: 'staff', by: actor.id, text: body }), ctx(no, 'msg'));
      await store.appendMessage(no, sealed, { by: actor.id, action: 'replied' }, '', now);
      return { ok: true, case: summaryOf(record) };
    },

    async closeCase(no: string, actor: StaffActor, outcome: OutcomeT, note?: string): Promise<OpResult> {
      const parsed = Outcome.safeParse(outcome);
      if (!parsed.success) return { ok: false, reason: 'invalid' };
      const sealedNote = note?.trim() ? cipher.seal(note.trim(), ctx(no, 'note')) : '';
      const result = await afterChange(no, await store.close(no, actor, parsed.data, sealedNote, clock.now()));
      if (result.ok) {
        const record = await store.load(no);
        if (record) await tellPerson(record, (lang) => personTexts(lang).closed(no));
      }
      return result;
    },

    dispatch,

    async checkDeadlines(): Promise<DeadlineReport> {
      const now = clock.now();
      const report: DeadlineReport = { reminded: 0, escalated: 0, republished: 0 };
      for (const no of await store.dueIn(k.pending, now - republishAfterMs)) {
        if ((await dispatch(no)) === 'published') report.republished++;
      }
      const due = await store.loadMany(await store.dueIn(k.deadlines, now - Math.min(remindAfterMs, escalateAfterMs)));
      for (const record of due) {
        if (record.status !== 'waiting') {
          await store.dropFromIndex(k.deadlines, record.no);
          continue;
        }
        const waited = now - record.waitingSince;
        if (waited >= escalateAfterMs && record.partner !== o.fallbackPartner) {
          const system: StaffActor = { id: 'system', admin: true };
          const moved = await store.transfer(record.no, o.fallbackPartner, system, now, {
            expectWaitingSince: record.waitingSince,
          });
          if (!moved.ok) continue;
          report.escalated++;
          const after = await store.load(record.no);
          if (!after) continue;
          await tellStaff({ type: 'escalated', case: summaryOf(after), from: record.partner });
          await tellStaff({ type: 'waiting', case: summaryOf(after), reason: 'escalated' });
        } else if (waited >= remindAfterMs && record.remindedAt === undefined) {
          const last = record.partner === o.fallbackPartner;
          if (!(await store.remind(record.no, record.waitingSince, now, last))) continue;
          report.reminded++;
          await tellStaff({ type: 'reminder', case: summaryOf(record), waitingMs: waited });
        }
      }
      return report;
    },

    async purgeExpired(): Promise<number> {
      let purged = 0;
      for (;;) {
        const now = clock.now();
        const due = await store.dueIn(k.retention, now - retentionMs, 500);
        if (due.length === 0) return purged;
        for (const no of due) if (await store.scrub(no, 'purged', now, recordTtlSeconds)) purged++;
      }
    },

    async stop(): Promise<void> {
      await queue.close();
    },
  };
  return service;
}

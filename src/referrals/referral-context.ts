// What the three halves of the referral service (intake, staff operations, jobs) share: the one case repository,
// sealing, the clock, partners, and how the person and staff are told things.
import type { Redis } from 'ioredis';
import type { Lang } from '../engine/types.ts';
import type { PersonalDataCipher } from '../infra/crypto.ts';
import type { Logger } from '../infra/logger.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { Clock } from '../ports/clock.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { Outbox } from '../ports/outbox.ts';
import type { PersonNotice } from '../ports/person-notice.ts';
import type { PersonPrompter } from '../ports/services.ts';
import type { CaseAttachments } from './attachments.ts';
import { type CaseRecord, type CaseSummary, toSummary } from './case-model.ts';
import type { CaseStore } from './case-store.ts';
import type { Partner } from './partners.ts';
import type { Pseudonyms } from './pseudonyms.ts';
import type { ReferralKeys } from './referral-keys.ts';
import type { StaffEvent, StaffNotifier } from './staff-notifier.ts';

export type ReferralContext = {
  redis: Redis;
  store: CaseStore;
  k: ReferralKeys;
  cipher: PersonalDataCipher;
  pseudo: Pseudonyms;
  /** Files people sent with their case; null when not kept (tests without a data directory). */
  attachments: CaseAttachments | null;
  clock: Clock;
  partners: ReadonlyMap<string, Partner>;
  partnerList: readonly Partner[];
  fallbackPartner: string;
  remindAfterMs: number;
  logger?: Logger | undefined;
  partnerName(id: string): string;
  summaryOf(record: CaseRecord): CaseSummary;
  /** Sealed values are bound to their case and field: a value copied to another case or field does not open. */
  sealCtx(no: string, field: string): string;
  openChat(record: CaseRecord): ChatRef | null;
  /** Tells the person something about their case; a failure is logged (case number only), never thrown. */
  tellPerson(record: CaseRecord, notice: PersonNotice): Promise<boolean>;
  /**
   * Asks the person whether the proposed transfer of their case may happen (the proposal is stored already): their
   * conversation puts the question (PersonPrompter), else it is sent as a plain notice. False when nothing was sent.
   */
  askTransfer(record: CaseRecord): Promise<boolean>;
  /** A notice in the person's language (the bot's presenter words it). */
  word(notice: PersonNotice, lang: Lang): OutMessage;
  /** Tells staff; a failure is logged, never thrown. */
  tellStaff(event: StaffEvent): Promise<void>;
  /** Tells staff; a failure is thrown (a job that must be retried until staff were told). */
  tellStaffOrThrow(event: StaffEvent): Promise<void>;
  warn(fields: Record<string, unknown>, msg: string): void;
  /** Writes to the partner's audit log; a failure is logged, never thrown. */
  audit(event: PartnerAuditEvent): Promise<void>;
};

/** Something a partner's audit log records (no personal data: ids, case numbers, actions). */
export type PartnerAuditEvent = { partner: string; by: string; action: string; case?: string; to?: string };

export interface PartnerAudit {
  record(event: PartnerAuditEvent): Promise<void>;
}

export const errName = (err: unknown) => (err instanceof Error ? err.name : 'Error');

export function referralContext(input: {
  redis: Redis;
  store: CaseStore;
  k: ReferralKeys;
  cipher: PersonalDataCipher;
  pseudo: Pseudonyms;
  attachments?: CaseAttachments | null;
  clock: Clock;
  partners: readonly Partner[];
  fallbackPartner: string;
  remindAfterMs: number;
  /** Claimed this long without a word to the person: shown as overdue (default 4 h). */
  firstReplyMs?: number;
  outbox: Outbox;
  notifier: StaffNotifier;
  logger?: Logger | undefined;
  audit?: PartnerAudit | undefined;
  /** Words what the person is told about their case (the bot's presenter: src/runtime/present-results.ts). */
  notices: (notice: PersonNotice, lang: Lang) => OutMessage;
  prompter?: PersonPrompter | undefined;
}): ReferralContext {
  const partners = new Map(input.partners.map((p) => [p.id, p]));
  const { cipher, clock, outbox, notifier, logger } = input;
  const warn = (fields: Record<string, unknown>, msg: string) => logger?.warn(fields, msg);
  const sealCtx = (no: string, field: string) => `case:${no}:${field}`;
  const openChat = (record: CaseRecord): ChatRef | null =>
    record.chat ? (JSON.parse(cipher.open(record.chat, sealCtx(record.no, 'chat'))) as ChatRef) : null;
  const ctx: ReferralContext = {
    redis: input.redis,
    store: input.store,
    k: input.k,
    cipher,
    pseudo: input.pseudo,
    attachments: input.attachments ?? null,
    clock,
    partners,
    partnerList: [...partners.values()],
    fallbackPartner: input.fallbackPartner,
    remindAfterMs: input.remindAfterMs,
    logger,
    partnerName: (id) => partners.get(id)?.name ?? id,
    summaryOf: (record) => toSummary(record, clock.now(), input.remindAfterMs, input.firstReplyMs ?? 4 * 3_600_000),
    sealCtx,
    openChat,
    warn,
    word: input.notices,
    async tellPerson(record, notice) {
      try {
        const chat = openChat(record);
        if (!chat) return false;
        await outbox.send(chat, [input.notices(notice, record.lang)]);
        return true;
      } catch (err) {
        warn({ case: record.no, err: errName(err) }, 'could not tell the person about their case');
        return false;
      }
    },
    async askTransfer(record) {
      if (!input.prompter) {
        return ctx.tellPerson(record, {
          type: 'transfer_proposal',
          no: record.no,
          from: ctx.partnerName(record.partner),
          to: ctx.partnerName(record.proposedTo ?? ''),
        });
      }
      try {
        const chat = openChat(record);
        return chat ? await input.prompter.prompt(chat, 'transfer_proposed') : false;
      } catch (err) {
        warn({ case: record.no, err: errName(err) }, 'could not ask the person about the transfer');
        return false;
      }
    },
    tellStaffOrThrow: (event) => notifier.notify(event),
    async audit(event) {
      try {
        await input.audit?.record(event);
      } catch (err) {
        warn({ case: event.case, err: errName(err) }, 'audit log entry not written');
      }
    },
    async tellStaff(event) {
      try {
        await notifier.notify(event);
      } catch (err) {
        warn({ case: event.case.no, event: event.type, err: errName(err) }, 'could not notify staff');
      }
    },
  };
  return ctx;
}

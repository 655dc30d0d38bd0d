// What the three halves of the referral service (intake, staff operations, jobs) share: the one case repository,
// sealing, the clock, partners, and how the person and staff are told things.
import type { Redis } from 'ioredis';
import type { Lang } from '../engine/types.ts';
import type { Translate } from '../i18n/translator.ts';
import type { PersonalDataCipher } from '../infra/crypto.ts';
import type { Logger } from '../infra/logger.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { Clock } from '../ports/clock.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { Outbox } from '../ports/outbox.ts';
import type { CaseAttachments } from './attachments.ts';
import { type CaseRecord, type CaseSummary, toSummary } from './case-model.ts';
import type { CaseStore } from './case-store.ts';
import { message, type PersonTexts, personTexts } from './messages.ts';
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
  tellPerson(record: CaseRecord, text: (lang: Lang) => string | OutMessage): Promise<boolean>;
  /** Tells staff; a failure is logged, never thrown. */
  tellStaff(event: StaffEvent): Promise<void>;
  /** Tells staff; a failure is thrown (a job that must be retried until staff were told). */
  tellStaffOrThrow(event: StaffEvent): Promise<void>;
  warn(fields: Record<string, unknown>, msg: string): void;
  /** What the person reads about their case, in their language (the bot's translator). */
  texts(lang: Lang): PersonTexts;
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
  translate?: Translate | undefined;
}): ReferralContext {
  const partners = new Map(input.partners.map((p) => [p.id, p]));
  const { cipher, clock, outbox, notifier, logger } = input;
  const warn = (fields: Record<string, unknown>, msg: string) => logger?.warn(fields, msg);
  const sealCtx = (no: string, field: string) => `case:${no}:${field}`;
  const openChat = (record: CaseRecord): ChatRef | null =>
    record.chat ? (JSON.parse(cipher.open(record.chat, sealCtx(record.no, 'chat'))) as ChatRef) : null;
  return {
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
    texts: (lang) => personTexts(lang, input.translate),
    async tellPerson(record, text) {
      try {
        const chat = openChat(record);
        if (!chat) return false;
        const said = text(record.lang);
        await outbox.send(chat, [typeof said === 'string' ? message(said) : said]);
        return true;
      } catch (err) {
        warn({ case: record.no, err: errName(err) }, 'could not tell the person about their case');
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
}

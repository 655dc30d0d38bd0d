// The referral case as stored in Redis (a hash per case) and as the service hands it out.
// Personal data never sits in plain fields: `chat`, `personal` and `note` hold values sealed by PersonalDataCipher,
// bound to the case number, and are removed on erasure and after the retention period.
import { z } from 'zod';
import { CHANNEL_NAMES, LANGUAGES } from '../engine/types.ts';
import { type CaseSummary, OUTCOMES, type OutcomeT } from '../ports/staff-cases.ts';
import { isCaseNumber } from './case-number.ts';

export const CaseStatus = z.enum(['waiting', 'claimed', 'closed']);
export type CaseStatusT = z.infer<typeof CaseStatus>;

/** How a case ended. A free note may come with it (sealed: staff may write personal details in it). */
export const Outcome = z.enum(OUTCOMES);
export type { OutcomeT };
export { OUTCOMES };

const caseNo = z.string().refine(isCaseNumber, 'not a case number');
const id = z.string().min(1).max(64);
const ms = z.coerce.number().int().nonnegative();

/** The `refer` effect as the engine hands it over; checked before anything is stored. */
export const ReferEffectSchema = z.object({
  type: z.literal('refer'),
  intakeId: z.string().min(1).max(64),
  need: z.string().max(64),
  region: z.string().max(64),
  fields: z.record(z.string().max(64), z.string().max(8000)),
  urgent: z.boolean().optional(),
});

/** What the person told us, sealed as one value. */
export const PersonalDataSchema = z.object({
  nickname: z.string().optional(),
  phone: z.string().optional(),
  description: z.string().optional(),
  /** References to photos, voice notes and documents the person attached (platform file ids). */
  media: z.array(z.string()).default([]),
  /** Any other field the flow collected. */
  other: z.record(z.string(), z.string()).default({}),
});
export type PersonalData = z.infer<typeof PersonalDataSchema>;

/** The hash stored at `ref:case:<no>`; numbers come back from Redis as strings, hence the coercions. */
export const CaseRecordSchema = z.object({
  no: caseNo,
  partner: id,
  need: z.string(),
  region: z.string(),
  lang: z.enum(LANGUAGES),
  channel: z.enum(CHANNEL_NAMES),
  status: CaseStatus,
  createdAt: ms,
  /** When the case entered its current waiting period (new, released, transferred): deadlines count from it. */
  waitingSince: ms,
  publishedAt: ms.optional(),
  announcedAt: ms.optional(),
  claimedBy: id.optional(),
  claimedAt: ms.optional(),
  /** The first claim ever (time to claim counts to it, whatever releases followed). */
  firstClaimedAt: ms.optional(),
  /** The last time staff wrote to the person. */
  repliedAt: ms.optional(),
  /** When the holder was reminded that the person is still waiting for a first word. */
  replyRemindedAt: ms.optional(),
  closedAt: ms.optional(),
  closedBy: id.optional(),
  outcome: Outcome.optional(),
  remindedAt: ms.optional(),
  escalatedAt: ms.optional(),
  erasedAt: ms.optional(),
  purgedAt: ms.optional(),
  /** A transfer staff proposed to the person (target partner): the case stays until the person says yes. */
  proposedTo: id.optional(),
  proposedBy: id.optional(),
  proposedAt: ms.optional(),
  /** The engine flagged the case as urgent (danger, violence, detention...): shown first, announced at once. */
  urgent: z.enum(['1']).optional(),
  /** Sealed ChatRef (JSON): needed to relay messages to the person. */
  chat: z.string().optional(),
  /** Sealed PersonalData (JSON). */
  personal: z.string().optional(),
  /** Sealed closing note. */
  note: z.string().optional(),
  /** Keyed hash of the person's chat (finds their cases without storing who they are). */
  person: z.string().optional(),
  /** Keyed hash of chat + intake id (the idempotency key). */
  idem: z.string().optional(),
  /** Keyed hash of the intake's content: tells a retry from a reused intake id after a session reset. */
  fp: z.string().optional(),
});
export type CaseRecord = z.infer<typeof CaseRecordSchema>;

export const AuditAction = z.enum([
  'created',
  'published',
  'claimed',
  'released',
  'transfer_proposed',
  'transfer_declined',
  'transferred',
  'assigned',
  'escalated',
  'reminded',
  'reply_reminded',
  'replied',
  'person_message',
  'closed',
  'erased',
  'purged',
]);
export type AuditActionT = z.infer<typeof AuditAction>;

/** One line of the audit trail: who did what, when. No personal data, no message text. */
export const AuditEntrySchema = z.object({
  at: z.number(),
  /** A staff id (`tg:123`, `web:awa`), `person` or `system`. */
  by: z.string(),
  action: AuditAction,
  partner: z.string().optional(),
  to: z.string().optional(),
  outcome: Outcome.optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** A staff member's internal note on a case, stored sealed; never sent to the person. */
export const CaseNoteSchema = z.object({ at: z.number(), by: z.string(), text: z.string() });
export type CaseNote = z.infer<typeof CaseNoteSchema>;

/** One message of the relay, stored sealed. */
export const CaseMessageSchema = z.object({
  at: z.number(),
  from: z.enum(['person', 'staff']),
  /** Staff id for staff messages. */
  by: z.string().optional(),
  text: z.string(),
});
export type CaseMessage = z.infer<typeof CaseMessageSchema>;

export type { CaseSummary };

export function toSummary(
  record: CaseRecord,
  now: number,
  remindAfterMs: number,
  firstReplyMs = Infinity,
): CaseSummary {
  const replied = record.repliedAt !== undefined && record.repliedAt >= (record.claimedAt ?? 0);
  return {
    no: record.no,
    partner: record.partner,
    need: record.need,
    region: record.region,
    lang: record.lang,
    channel: record.channel,
    status: record.status,
    createdAt: record.createdAt,
    waitingSince: record.waitingSince,
    ...(record.claimedBy ? { claimedBy: record.claimedBy, claimedAt: record.claimedAt } : {}),
    ...(record.firstClaimedAt ? { firstClaimedAt: record.firstClaimedAt } : {}),
    replyOverdue:
      record.status === 'claimed' && !replied && now - (record.claimedAt ?? now) >= firstReplyMs && !record.erasedAt,
    ...(record.closedAt ? { closedAt: record.closedAt, outcome: record.outcome } : {}),
    ...(record.proposedTo ? { proposedTo: record.proposedTo } : {}),
    urgent: record.urgent === '1',
    overdue: record.status === 'waiting' && now - record.waitingSince >= remindAfterMs,
    erased: record.erasedAt !== undefined,
    purged: record.purgedAt !== undefined,
  };
}

/** Field names the flows use for personal data; anything else is kept in `other`. */
const NICKNAME_FIELDS = ['nickname', 'name', 'pseudo'];
const PHONE_FIELDS = ['phone', 'phone_number', 'telephone'];
const DESCRIPTION_FIELDS = ['description', 'situation', 'details'];

/** Maps the fields of a `refer` effect to personal data. Media references come from `media` and `*_media`. */
export function personalDataFromFields(fields: Record<string, string>): PersonalData {
  const data: PersonalData = { media: [], other: {} };
  for (const [name, value] of Object.entries(fields)) {
    const text = value.trim();
    if (!text) continue;
    if (name === 'media' || name.endsWith('_media')) {
      data.media.push(
        ...text
          .split(/[\s,]+/)
          .map((r) => r.trim())
          .filter(Boolean),
      );
    } else if (NICKNAME_FIELDS.includes(name) && data.nickname === undefined) data.nickname = text;
    else if (PHONE_FIELDS.includes(name) && data.phone === undefined) data.phone = text;
    else if (DESCRIPTION_FIELDS.includes(name) && data.description === undefined) data.description = text;
    else data.other[name] = text;
  }
  return data;
}

/** Parses a case hash read from Redis; null when absent or not a case. */
export function parseCaseRecord(hash: Record<string, string>): CaseRecord | null {
  if (!hash.no) return null;
  const parsed = CaseRecordSchema.safeParse(hash);
  return parsed.success ? parsed.data : null;
}

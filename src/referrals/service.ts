// The referral service: a `refer` effect becomes a case (sealed, idempotent), a BullMQ job publishes it to the
// partner's queue, staff claim / release / transfer / reply / close it, the person hears back, deadlines remind and
// escalate, and personal data goes away after the retention period or when the person erases it.
//
// Three halves over one case repository (CaseStore): intake.ts (the person's side), staff-operations.ts (staff,
// every operation asking policy.ts), jobs.ts (the worker's). This file builds them and holds the options.
//
// One BullMQ queue (`referrals`) carries every job, with the partner in the case rather than in the queue name: a
// case changes partner (transfer, escalation) after it was queued, and the staff queue a person works from is a
// Redis index per partner, not a BullMQ list (claims are held by people for hours, not by worker locks).
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Lang } from '../engine/types.ts';
import type { PersonalDataCipher } from '../infra/crypto.ts';
import type { RedisKeys } from '../infra/keys.ts';
import type { Logger } from '../infra/logger.ts';
import { isRedisConnectionError } from '../infra/redis-outage.ts';
import type { Clock } from '../ports/clock.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { Outbox } from '../ports/outbox.ts';
import type { PersonNotice } from '../ports/person-notice.ts';
import type { PersonPrompter, ReferralIntake } from '../ports/services.ts';
import { CaseAttachments } from './attachments.ts';
import { CaseStore, type OpFailure } from './case-store.ts';
import { createIntake, type Intake } from './intake.ts';
import { createJobs, type Jobs } from './jobs.ts';
import type { Partner } from './partners.ts';
import type { StaffActor } from './policy.ts';
import { Pseudonyms } from './pseudonyms.ts';
import { referralContext } from './referral-context.ts';
import { REFERRAL_QUEUE, ReferralKeys } from './referral-keys.ts';
import type { StaffNotifier } from './staff-notifier.ts';
import { createStaffOperations, type PartnerAudit, type StaffOperations } from './staff-operations.ts';

export type { TransferAnswer, TransferProposal } from './intake.ts';
export { AnnouncementBusyError, type DeadlineReport } from './jobs.ts';
export type { CaseDetails, OpResult, PartnerAudit, PartnerAuditEvent, QueueView } from './staff-operations.ts';
export type { OpFailure, StaffActor };

export type ReferralOptions = {
  /** Partner that takes cases nobody else covers, and cases left unclaimed too long (REFERRAL_FALLBACK_PARTNER). */
  fallbackPartner: string;
  /** Secret for the keyed hashes standing for people and intakes in Redis keys and job ids (>= 16 characters). */
  pseudonymSecret: string;
  /** Unclaimed this long: the partner's staff get a reminder (REFERRAL_REMIND_HOURS, default 12). */
  remindAfterHours?: number;
  /**
   * Unclaimed this long: the person is asked whether the case may go to the fallback partner; it moves only if they
   * say yes (REFERRAL_ESCALATE_HOURS, default 48).
   */
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
  /** A claimed case without a word to the person for this long is shown as overdue (default 4). */
  firstReplyHours?: number;
};

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
  /** The partners' audit log (views of personal data, claims, transfers, closes). */
  audit?: PartnerAudit;
  /** Words what the person is told about their case: the bot's presenter (src/runtime/present-results.ts). The
   * service holds no text: it hands notices (data) to this. */
  notices: (notice: PersonNotice, lang: Lang) => OutMessage;
  /** Puts a proposed transfer to the person through their conversation (without it: a plain notice). */
  prompter?: PersonPrompter;
  /** Where files people send with their case are kept, sealed (`<data dir>/attachments`); absent: not kept. */
  attachmentsDir?: string;
};

export type ReferralService = ReferralIntake &
  Intake &
  StaffOperations &
  Jobs & {
    readonly partners: ReadonlyMap<string, Partner>;
    /** The BullMQ queue carrying dispatch and scheduled jobs. */
    readonly queue: Queue;
    readonly remindAfterMs: number;
    /** Files people sent with their case (absent when `attachmentsDir` is not given). */
    readonly attachments: CaseAttachments | null;
    /** Closes the BullMQ queue and its own connection (the shared Redis connection belongs to the caller). */
    stop(): Promise<void>;
  };

const HOUR = 3_600_000;
/** Short, so a case whose announcer died reaches staff within 10 s (with the worker's lock timing). */
export const ANNOUNCE_LEASE_MS = 5_000;
const DAY = 24 * HOUR;

export function createReferralService(deps: ReferralServiceDeps): ReferralService {
  const o = deps.options;
  const remindAfterMs = (o.remindAfterHours ?? 12) * HOUR;
  const recordTtlSeconds = Math.round(((o.recordRetentionDays ?? 365) * DAY) / 1000);
  if (!deps.partners.some((p) => p.id === o.fallbackPartner)) {
    throw new Error(`the fallback partner "${o.fallbackPartner}" is not a contact that accepts referrals`);
  }
  const k = new ReferralKeys(deps.keys);
  // The queue on a connection of its own (same options, command timeout included): BullMQ defines its ~60 scripts
  // on the connection it is given, and ioredis copies every defined script onto each pipeline it builds (one per
  // auto-pipelined batch), which made every batch of the conversation's commands 10x dearer to build (issue 17.7).
  const queueConnection = deps.redis.duplicate({ commandTimeout: deps.redis.options.commandTimeout });
  // Redis being away is logged once by the bot's outage log, on the shared connection.
  queueConnection.on('error', () => undefined);
  const queue = new Queue(REFERRAL_QUEUE, {
    connection: queueConnection,
    prefix: deps.keys.bull,
    defaultJobOptions: {
      attempts: 10,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    },
  });
  queue.on('error', (err) => {
    if (!isRedisConnectionError(err)) deps.logger?.warn({ err: err.name }, 'referral queue error');
  });

  const pseudo = new Pseudonyms(o.pseudonymSecret);
  const attachments = deps.attachmentsDir
    ? new CaseAttachments({
        redis: deps.redis,
        keys: deps.keys,
        cipher: deps.cipher,
        dir: deps.attachmentsDir,
        personOf: (chat) => pseudo.person(chat),
      })
    : null;
  // Held files nobody put in a case expire in Redis; their sealed files are removed here.
  const sweeper = attachments ? setInterval(() => void attachments.sweep().catch(() => 0), HOUR).unref() : null;
  const x = referralContext({
    redis: deps.redis,
    store: new CaseStore(deps.redis, k),
    k,
    cipher: deps.cipher,
    pseudo,
    attachments,
    clock: deps.clock,
    partners: deps.partners,
    fallbackPartner: o.fallbackPartner,
    remindAfterMs,
    firstReplyMs: (o.firstReplyHours ?? 4) * HOUR,
    outbox: deps.outbox,
    notifier: deps.notifier,
    logger: deps.logger,
    audit: deps.audit,
    notices: deps.notices,
    prompter: deps.prompter,
  });

  return {
    fallbackPartner: o.fallbackPartner,
    ...createIntake(x, queue, {
      idemTtlSeconds: Math.round((o.idempotencyHours ?? 7 * 24) * 3600),
      recordTtlSeconds,
      escalateAfterMs: (o.escalateAfterHours ?? 48) * HOUR,
    }),
    ...createStaffOperations(x, deps.outbox, { closedListLimit: o.closedListLimit ?? 50 }),
    ...createJobs(x, {
      escalateAfterMs: (o.escalateAfterHours ?? 48) * HOUR,
      retentionMs: (o.retentionDays ?? 30) * DAY,
      recordTtlSeconds,
      republishAfterMs: o.republishAfterMs ?? 60_000,
      announceLeaseMs: o.announceLeaseMs ?? ANNOUNCE_LEASE_MS,
    }),
    partners: x.partners,
    queue,
    remindAfterMs,
    attachments,
    async stop() {
      if (sweeper) clearInterval(sweeper);
      await queue.close();
      await queueConnection.quit().catch(() => queueConnection.disconnect());
    },
  };
}

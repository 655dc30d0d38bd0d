// The worker's side of referrals: publishing a case to its partner's queue (once), deadline reminders and
// escalations (the person is asked before their case goes elsewhere), publishing cases whose job was lost, and deleting personal data after the retention period.
import type { CaseRecord } from './case-model.ts';
import type { StaffActor } from './policy.ts';
import type { ReferralContext } from './referral-context.ts';

/** Who proposes a transfer when the deadline passes. */
const SYSTEM: StaffActor = { id: 'system' };

/** Thrown by dispatch while another worker announces the case: the job is retried later. */
export class AnnouncementBusyError extends Error {
  constructor(no: string) {
    super(`case ${no} is being announced by another worker`);
    this.name = 'AnnouncementBusyError';
  }
}

export type DeadlineReport = { reminded: number; escalated: number; republished: number; replyReminded: number };

export type JobOptions = {
  escalateAfterMs: number;
  retentionMs: number;
  recordTtlSeconds: number;
  republishAfterMs: number;
  announceLeaseMs: number;
};

export function createJobs(x: ReferralContext, o: JobOptions) {
  const { store, clock, k } = x;

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
      const lease = await store.leaseAnnouncement(no, o.announceLeaseMs);
      if (!lease) throw new AnnouncementBusyError(no);
      try {
        if (record.status === 'waiting') {
          await x.tellStaffOrThrow({ type: 'waiting', case: x.summaryOf(record), reason: 'new' });
        }
        await store.markAnnounced(no, now);
      } finally {
        await store.endAnnouncementLease(no, lease);
      }
    }
    return published;
  }

  /**
   * Nobody claimed the case in time: the person is asked whether it may go to the fallback partner, the same way
   * as a transfer staff propose. It moves only if they say yes; the partner's staff are told it still waits.
   * False when another worker got there first (or the case changed meanwhile).
   */
  async function askToEscalate(record: CaseRecord, now: number): Promise<boolean> {
    const to = x.fallbackPartner;
    const seen = { partner: record.partner, claimedBy: record.claimedBy };
    const proposed = await store.propose(record.no, SYSTEM, seen, to, now, record.waitingSince);
    if (!proposed.ok) return false;
    const after = (await store.load(record.no)) ?? record;
    const asked = await x.askTransfer(after);
    // A question the person never got cannot be answered: the case stays, its staff are alerted.
    if (!asked) await store.endProposal(record.no, SYSTEM.id, to, now);
    await x.audit({ partner: record.partner, by: SYSTEM.id, action: 'case_proposed', case: record.no, to });
    const summary = x.summaryOf((await store.load(record.no)) ?? after);
    await x.tellStaff({ type: 'escalated', case: summary, to, asked });
    return true;
  }

  return {
    dispatch,

    async checkDeadlines(): Promise<DeadlineReport> {
      const now = clock.now();
      const report: DeadlineReport = { reminded: 0, escalated: 0, republished: 0, replyReminded: 0 };
      for (const no of await store.dueIn(k.pending, now - o.republishAfterMs)) {
        if ((await dispatch(no)) === 'published') report.republished++;
      }
      const due = await store.loadMany(
        await store.dueIn(k.deadlines, now - Math.min(x.remindAfterMs, o.escalateAfterMs)),
      );
      for (const record of due) {
        if (record.status !== 'waiting') {
          await store.dropFromIndex(k.deadlines, record.no);
          continue;
        }
        const waited = now - record.waitingSince;
        if (waited >= o.escalateAfterMs && record.partner !== x.fallbackPartner) {
          // Asked once per waiting period; after that the case waits with its partner (a claim or a release
          // starts a new period and puts it back under the deadlines).
          if (record.escalatedAt !== undefined && record.escalatedAt >= record.waitingSince) {
            await store.dropFromIndex(k.deadlines, record.no);
            continue;
          }
          if (await askToEscalate(record, now)) report.escalated++;
        } else if (waited >= x.remindAfterMs && record.remindedAt === undefined) {
          const last = record.partner === x.fallbackPartner;
          if (!(await store.remind(record.no, record.waitingSince, now, last))) continue;
          report.reminded++;
          await x.tellStaff({ type: 'reminder', case: x.summaryOf(record), waitingMs: waited });
        }
      }
      // Claimed cases whose person still waits for a first word: their holder is reminded once per claim.
      for (const partner of x.partnerList) {
        for (const record of await store.loadMany(await store.queue(partner.id, 'claimed'))) {
          const summary = x.summaryOf(record);
          if (!summary.replyOverdue || !record.claimedBy || record.claimedAt === undefined) continue;
          if (!(await store.markReplyReminded(record.no, record.claimedAt, now))) continue;
          report.replyReminded++;
          await x.tellStaff({ type: 'reply_overdue', case: summary, staffId: record.claimedBy });
        }
      }
      return report;
    },

    async purgeExpired(): Promise<number> {
      let purged = 0;
      for (;;) {
        const now = clock.now();
        const due = await store.dueIn(k.retention, now - o.retentionMs, 500);
        if (due.length === 0) return purged;
        for (const no of due) {
          if (!(await store.scrub(no, 'purged', now, o.recordTtlSeconds))) continue;
          await x.attachments?.forgetCase(no);
          purged++;
        }
      }
    },
  };
}

export type Jobs = ReturnType<typeof createJobs>;

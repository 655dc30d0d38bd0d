// Redis access for referral cases: reads, and the Lua scripts that change a case atomically.
// It knows nothing of sealing or messages; values given to it are already sealed.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { runLua } from '../infra/lua.ts';
import type { OpFailure } from '../ports/staff-cases.ts';
import type { AuditActionT, AuditEntry, CaseRecord, CaseStatusT, OutcomeT } from './case-model.ts';
import { AuditEntrySchema, parseCaseRecord } from './case-model.ts';
import {
  APPEND_MESSAGE,
  APPEND_NOTE,
  ASSIGN,
  type CaseScript,
  CLAIM,
  CLOSE,
  type CommonArgv,
  CREATE,
  END_LEASE,
  END_PROPOSAL,
  MARK_REPLIED,
  MARK_REPLY_REMINDED,
  PROPOSE,
  PUBLISH,
  RELEASE,
  REMIND,
  SCRUB,
  TRANSFER,
} from './case-scripts.ts';
import type { StaffActor } from './policy.ts';
import type { ReferralKeys } from './referral-keys.ts';

export type CreateResult = { status: 'created' | 'existing'; no: string; published: boolean } | { status: 'collision' };

export type { OpFailure };

/** On success: the partner and the claimer the case had before the change. */
export type ScriptOutcome =
  | { ok: true; previous?: string; claimer?: string }
  | { ok: false; reason: OpFailure; claimedBy?: string };

export type { StaffActor };

type AuditInput = { by: string; action: AuditActionT; partner?: string; to?: string; outcome?: OutcomeT };

/** The case as the policy saw it: a script refuses ('stale') if it changed partner or holder since. */
export type Seen = { partner: string; claimedBy?: string | undefined };

export class CaseStore {
  constructor(
    private readonly redis: Redis,
    readonly k: ReferralKeys,
  ) {}

  /** Runs a script changing one case, with its audit entry and its own arguments by name. */
  private run<A extends string>(
    script: CaseScript<A>,
    no: string,
    now: number,
    audit: AuditInput,
    args: Record<A, string | number>,
  ) {
    const entry: AuditEntry = { at: now, ...audit };
    const common: Record<CommonArgv, string | number> = { root: this.k.base, no, now, audit: JSON.stringify(entry) };
    return runLua(this.redis, script, { case: this.k.case(no) }, { ...common, ...args });
  }

  private static outcome(reply: unknown): ScriptOutcome {
    const [code, a, b] = reply as [string, string?, string?];
    if (code === 'ok') return { ok: true, ...(a ? { previous: a } : {}), ...(b ? { claimer: b } : {}) };
    return { ok: false, reason: code as OpFailure, ...(code === 'taken' && a ? { claimedBy: a } : {}) };
  }

  async create(
    record: CaseRecord,
    ids: { idem: string; person: string; fp: string },
    idemTtlSeconds: number,
  ): Promise<CreateResult> {
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(record)) {
      if (value !== undefined) fields[name] = String(value);
    }
    const entry: AuditEntry = { at: record.createdAt, by: 'person', action: 'created', partner: record.partner };
    const reply = (await runLua(
      this.redis,
      CREATE,
      {
        case: this.k.case(record.no),
        idempotency: this.k.idempotency(ids.idem),
        person: this.k.person(ids.person),
        pending: this.k.pending,
      },
      {
        root: this.k.base,
        no: record.no,
        now: record.createdAt,
        audit: JSON.stringify(entry),
        fingerprint: ids.fp,
        idemTtlSeconds,
        fields: JSON.stringify(fields),
      },
    )) as [string, string?, number?];
    if (reply[0] === 'collision') return { status: 'collision' };
    return { status: reply[0] as 'created' | 'existing', no: reply[1]!, published: reply[2] === 1 };
  }

  async publish(no: string, now: number): Promise<'published' | 'already' | 'not_found'> {
    return (await this.run(PUBLISH, no, now, { by: 'system', action: 'published' }, {})) as
      | 'published'
      | 'already'
      | 'not_found';
  }

  async markAnnounced(no: string, now: number): Promise<void> {
    await this.redis.hsetnx(this.k.case(no), 'announcedAt', String(now));
  }

  /** A lease token when this caller may announce the case now, or null when another holds it. */
  async leaseAnnouncement(no: string, ms: number): Promise<string | null> {
    const token = randomBytes(8).toString('hex');
    return (await this.redis.set(this.k.announcing(no), token, 'PX', ms, 'NX')) === 'OK' ? token : null;
  }

  /** Ends our lease only: if it expired and another worker took it, theirs stays. */
  async endAnnouncementLease(no: string, token: string): Promise<void> {
    await runLua(this.redis, END_LEASE, { lease: this.k.announcing(no) }, { token });
  }

  async claim(no: string, actor: StaffActor, seen: Seen, now: number): Promise<ScriptOutcome> {
    const reply = await this.run(
      CLAIM,
      no,
      now,
      { by: actor.id, action: 'claimed' },
      { actor: actor.id, partner: seen.partner },
    );
    return CaseStore.outcome(reply);
  }

  /** Gives the case to `holder` (a colleague of the same partner). */
  async assign(no: string, actor: StaffActor, seen: Seen, holder: string, now: number): Promise<ScriptOutcome> {
    const audit = { by: actor.id, action: 'assigned', to: holder } as const;
    const reply = await this.run(ASSIGN, no, now, audit, {
      partner: seen.partner,
      holder: seen.claimedBy ?? '',
      newHolder: holder,
    });
    return CaseStore.outcome(reply);
  }

  async release(no: string, actor: StaffActor, seen: Seen, now: number): Promise<ScriptOutcome> {
    const audit = { by: actor.id, action: 'released' } as const;
    return CaseStore.outcome(
      await this.run(RELEASE, no, now, audit, { partner: seen.partner, holder: seen.claimedBy ?? '' }),
    );
  }

  /**
   * Moves the case to another partner. `by` is `person` when the person said yes to `proposal`; a deadline
   * escalation (`system`) gives `expectWaitingSince` instead: done only if the case still waits since then.
   */
  async transfer(
    no: string,
    by: string,
    seen: Seen,
    to: string,
    now: number,
    guard: { proposal: string } | { expectWaitingSince: number },
  ): Promise<ScriptOutcome> {
    const escalation = 'expectWaitingSince' in guard;
    const reply = await this.run(
      TRANSFER,
      no,
      now,
      { by, action: escalation ? 'escalated' : 'transferred', to },
      {
        partner: seen.partner,
        holder: seen.claimedBy ?? '',
        to,
        waitingSince: escalation ? String(guard.expectWaitingSince) : '',
        escalation: escalation ? '1' : '0',
        proposal: escalation ? '' : guard.proposal,
      },
    );
    return CaseStore.outcome(reply);
  }

  /** Records a transfer proposed to the person; the case stays where it is until they answer. */
  async propose(
    no: string,
    actor: StaffActor,
    seen: Seen,
    to: string,
    now: number,
    /** The deadline's proposal: only while the case is still in this waiting period, once in it. */
    expectWaitingSince?: number,
  ): Promise<ScriptOutcome> {
    const audit = { by: actor.id, action: 'transfer_proposed', to } as const;
    const since = expectWaitingSince === undefined ? '' : String(expectWaitingSince);
    return CaseStore.outcome(
      await this.run(PROPOSE, no, now, audit, {
        partner: seen.partner,
        holder: seen.claimedBy ?? '',
        to,
        proposer: actor.id,
        waitingSince: since,
      }),
    );
  }

  /** Ends a proposal: the person said no. */
  async endProposal(no: string, by: string, proposal: string, now: number): Promise<ScriptOutcome> {
    const audit = { by, action: 'transfer_declined', to: proposal } as const;
    return CaseStore.outcome(await this.run(END_PROPOSAL, no, now, audit, { proposal }));
  }

  async close(
    no: string,
    actor: StaffActor,
    seen: Seen,
    outcome: OutcomeT,
    sealedNote: string,
    now: number,
  ): Promise<ScriptOutcome> {
    const audit = { by: actor.id, action: 'closed', outcome } as const;
    const reply = await this.run(CLOSE, no, now, audit, {
      partner: seen.partner,
      holder: seen.claimedBy ?? '',
      outcome,
      note: sealedNote,
      actor: actor.id,
    });
    return CaseStore.outcome(reply);
  }

  /** `last`: no deadline follows this reminder, so the case leaves the deadline index. */
  async remind(no: string, expectWaitingSince: number, now: number, last: boolean): Promise<boolean> {
    const audit = { by: 'system', action: 'reminded' } as const;
    const reply = await this.run(REMIND, no, now, audit, {
      waitingSince: String(expectWaitingSince),
      last: last ? '1' : '0',
    });
    return reply === 1;
  }

  /** `key`: the message's stable key (a replay after a crash): appended once, then 'duplicate' or 'told'. */
  async appendMessage(
    no: string,
    sealed: string,
    audit: { by: string; action: 'replied' | 'person_message' },
    requiredClaimer: string,
    now: number,
    key = '',
  ): Promise<'ok' | 'duplicate' | 'told' | OpFailure> {
    return (await this.run(APPEND_MESSAGE, no, now, audit, { sealed, claimer: requiredClaimer, key })) as
      | 'ok'
      | 'duplicate'
      | 'told'
      | OpFailure;
  }

  /** Removes the case's personal data; false when there was nothing left to remove. */
  async scrub(no: string, mode: 'erased' | 'purged', now: number, recordTtlSeconds: number): Promise<boolean> {
    const by = mode === 'erased' ? 'person' : 'system';
    return (await this.run(SCRUB, no, now, { by, action: mode }, { mode, recordTtlSeconds })) === 1;
  }

  async load(no: string): Promise<CaseRecord | null> {
    return parseCaseRecord(await this.redis.hgetall(this.k.case(no)));
  }

  async loadMany(nos: readonly string[]): Promise<CaseRecord[]> {
    if (nos.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const no of nos) pipeline.hgetall(this.k.case(no));
    const replies = (await pipeline.exec()) ?? [];
    const records: CaseRecord[] = [];
    for (const [err, hash] of replies) {
      if (err) throw err;
      const record = parseCaseRecord(hash as Record<string, string>);
      if (record) records.push(record);
    }
    return records;
  }

  async audit(no: string): Promise<AuditEntry[]> {
    const lines = await this.redis.lrange(this.k.audit(no), 0, -1);
    return lines.flatMap((line) => {
      const parsed = AuditEntrySchema.safeParse(JSON.parse(line));
      return parsed.success ? [parsed.data] : [];
    });
  }

  /** Once per claim: true for the one caller that may remind the holder of a first reply. */
  async markReplyReminded(no: string, claimedAt: number, now: number): Promise<boolean> {
    const entry = JSON.stringify({ at: now, by: 'system', action: 'reply_reminded' });
    const reply = await runLua(
      this.redis,
      MARK_REPLY_REMINDED,
      { case: this.k.case(no), audit: this.k.audit(no) },
      { claimedAt: String(claimedAt), now: String(now), entry },
    );
    return reply === 1;
  }

  async markReplied(no: string, now: number): Promise<void> {
    await runLua(this.redis, MARK_REPLIED, { case: this.k.case(no) }, { now: String(now) });
  }

  /** Appends a sealed internal note, unless the case's data was erased or purged. */
  async appendNote(no: string, sealed: string): Promise<boolean> {
    const reply = await runLua(this.redis, APPEND_NOTE, { case: this.k.case(no), notes: this.k.notes(no) }, { sealed });
    return reply === 1;
  }

  async sealedNotes(no: string): Promise<string[]> {
    return this.redis.lrange(this.k.notes(no), 0, -1);
  }

  async sealedMessages(no: string): Promise<string[]> {
    return this.redis.lrange(this.k.messages(no), 0, -1);
  }

  /** Case numbers in a partner's queue: oldest first, or newest first with a limit (closed cases). */
  /** A partner's cases in one status, oldest first. */
  async queue(partner: string, status: CaseStatusT): Promise<string[]> {
    return this.redis.zrange(this.k.queue(partner, status), 0, '-1');
  }

  /** The `limit` most recent cases of a partner in one status, newest first (e.g. the closed list). */
  async newestInQueue(partner: string, status: CaseStatusT, limit: number): Promise<string[]> {
    return this.redis.zrevrange(this.k.queue(partner, status), 0, String(limit - 1));
  }

  async personCases(person: string): Promise<string[]> {
    return this.redis.smembers(this.k.person(person));
  }

  async isPersonCase(person: string, no: string): Promise<boolean> {
    return (await this.redis.sismember(this.k.person(person), no)) === 1;
  }

  async forgetPerson(person: string): Promise<void> {
    await this.redis.del(this.k.person(person));
  }

  /** Members of a time-scored index (pending, deadlines, retention) scored at or before `until`. */
  async dueIn(key: string, until: number, limit = 5000): Promise<string[]> {
    return this.redis.zrangebyscore(key, '-inf', String(until), 'LIMIT', '0', String(limit));
  }

  async dropFromIndex(key: string, no: string): Promise<void> {
    await this.redis.zrem(key, no);
  }
}

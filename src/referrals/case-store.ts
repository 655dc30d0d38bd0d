// Redis access for referral cases: reads, and the Lua scripts that change a case atomically.
// It knows nothing of sealing or messages; values given to it are already sealed.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { OpFailure } from '../ports/staff-cases.ts';
import type { AuditActionT, AuditEntry, CaseRecord, CaseStatusT, OutcomeT } from './case-model.ts';
import { AuditEntrySchema, parseCaseRecord } from './case-model.ts';
import { runScript, type ScriptName } from './case-scripts.ts';
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

  private run(name: ScriptName, no: string, now: number, audit: AuditInput, ...args: (string | number)[]) {
    const entry: AuditEntry = { at: now, ...audit };
    return runScript(this.redis, name, [this.k.case(no)], [this.k.base, no, now, JSON.stringify(entry), ...args]);
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
    const fields: string[] = [];
    for (const [name, value] of Object.entries(record)) {
      if (value !== undefined) fields.push(name, String(value));
    }
    const entry: AuditEntry = { at: record.createdAt, by: 'person', action: 'created', partner: record.partner };
    const reply = (await runScript(
      this.redis,
      'create',
      [this.k.case(record.no), this.k.idempotency(ids.idem), this.k.person(ids.person), this.k.pending],
      [this.k.base, record.no, record.createdAt, JSON.stringify(entry), ids.fp, idemTtlSeconds, ...fields],
    )) as [string, string?, number?];
    if (reply[0] === 'collision') return { status: 'collision' };
    return { status: reply[0] as 'created' | 'existing', no: reply[1]!, published: reply[2] === 1 };
  }

  async publish(no: string, now: number): Promise<'published' | 'already' | 'not_found'> {
    return (await this.run('publish', no, now, { by: 'system', action: 'published' })) as
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
    await this.redis.eval(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
      1,
      this.k.announcing(no),
      token,
    );
  }

  async claim(no: string, actor: StaffActor, seen: Seen, now: number): Promise<ScriptOutcome> {
    const reply = await this.run('claim', no, now, { by: actor.id, action: 'claimed' }, actor.id, seen.partner);
    return CaseStore.outcome(reply);
  }

  /** Gives the case to `holder` (a colleague of the same partner). */
  async assign(no: string, actor: StaffActor, seen: Seen, holder: string, now: number): Promise<ScriptOutcome> {
    const audit = { by: actor.id, action: 'assigned', to: holder } as const;
    const reply = await this.run('assign', no, now, audit, seen.partner, seen.claimedBy ?? '', holder);
    return CaseStore.outcome(reply);
  }

  async release(no: string, actor: StaffActor, seen: Seen, now: number): Promise<ScriptOutcome> {
    const audit = { by: actor.id, action: 'released' } as const;
    return CaseStore.outcome(await this.run('release', no, now, audit, seen.partner, seen.claimedBy ?? ''));
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
      'transfer',
      no,
      now,
      { by, action: escalation ? 'escalated' : 'transferred', to },
      seen.partner,
      seen.claimedBy ?? '',
      to,
      escalation ? String(guard.expectWaitingSince) : '',
      escalation ? '1' : '0',
      escalation ? '' : guard.proposal,
    );
    return CaseStore.outcome(reply);
  }

  /** Records a transfer proposed to the person; the case stays where it is until they answer. */
  async propose(no: string, actor: StaffActor, seen: Seen, to: string, now: number): Promise<ScriptOutcome> {
    const audit = { by: actor.id, action: 'transfer_proposed', to } as const;
    return CaseStore.outcome(
      await this.run('propose', no, now, audit, seen.partner, seen.claimedBy ?? '', to, actor.id),
    );
  }

  /** Ends a proposal: the person said no. */
  async endProposal(no: string, by: string, proposal: string, now: number): Promise<ScriptOutcome> {
    const audit = { by, action: 'transfer_declined', to: proposal } as const;
    return CaseStore.outcome(await this.run('endProposal', no, now, audit, proposal));
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
    const reply = await this.run(
      'close',
      no,
      now,
      audit,
      seen.partner,
      seen.claimedBy ?? '',
      outcome,
      sealedNote,
      actor.id,
    );
    return CaseStore.outcome(reply);
  }

  /** `last`: no deadline follows this reminder, so the case leaves the deadline index. */
  async remind(no: string, expectWaitingSince: number, now: number, last: boolean): Promise<boolean> {
    const audit = { by: 'system', action: 'reminded' } as const;
    const reply = await this.run('remind', no, now, audit, String(expectWaitingSince), last ? '1' : '0');
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
    return (await this.run('appendMessage', no, now, audit, sealed, requiredClaimer, key)) as
      | 'ok'
      | 'duplicate'
      | 'told'
      | OpFailure;
  }

  /** Removes the case's personal data; false when there was nothing left to remove. */
  async scrub(no: string, mode: 'erased' | 'purged', now: number, recordTtlSeconds: number): Promise<boolean> {
    const by = mode === 'erased' ? 'person' : 'system';
    return (await this.run('scrub', no, now, { by, action: mode }, mode, recordTtlSeconds)) === 1;
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
    const reply = await this.redis.eval(
      "local c = redis.call('HMGET', KEYS[1], 'status', 'claimedAt', 'replyRemindedAt') if c[1] ~= 'claimed' or c[2] ~= ARGV[1] or (c[3] and tonumber(c[3]) >= tonumber(ARGV[1])) then return 0 end redis.call('HSET', KEYS[1], 'replyRemindedAt', ARGV[2]) redis.call('RPUSH', KEYS[2], ARGV[3]) return 1",
      2,
      this.k.case(no),
      this.k.audit(no),
      String(claimedAt),
      String(now),
      entry,
    );
    return reply === 1;
  }

  async markReplied(no: string, now: number): Promise<void> {
    await this.redis.eval(
      "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'repliedAt', ARGV[1]) end return 1",
      1,
      this.k.case(no),
      String(now),
    );
  }

  /** Appends a sealed internal note, unless the case's data was erased or purged. */
  async appendNote(no: string, sealed: string): Promise<boolean> {
    const reply = await this.redis.eval(
      "local c = redis.call('HMGET', KEYS[1], 'no', 'erasedAt', 'purgedAt') if not c[1] or c[2] or c[3] then return 0 end redis.call('RPUSH', KEYS[2], ARGV[1]) return 1",
      2,
      this.k.case(no),
      this.k.notes(no),
      sealed,
    );
    return reply === 1;
  }

  async sealedNotes(no: string): Promise<string[]> {
    return this.redis.lrange(this.k.notes(no), 0, -1);
  }

  async sealedMessages(no: string): Promise<string[]> {
    return this.redis.lrange(this.k.messages(no), 0, -1);
  }

  /** Case numbers in a partner's queue: oldest first, or newest first with a limit (closed cases). */
  async queue(partner: string, status: CaseStatusT, newestFirst = false, limit = -1): Promise<string[]> {
    const key = this.k.queue(partner, status);
    const stop = limit < 0 ? -1 : limit - 1;
    return newestFirst ? this.redis.zrevrange(key, 0, String(stop)) : this.redis.zrange(key, 0, String(stop));
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

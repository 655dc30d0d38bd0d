import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startReferralWorker } from '../../src/referrals/worker.ts';
import {
  caseNumberIn,
  eventually,
  newChat,
  openCase,
  type ReferralFixture,
  referEffect,
  referralFixture,
} from './support/referrals.ts';

const HOUR = 3_600_000;

describe('deadlines of unclaimed cases (remind after 4 h, escalate after 24 h, fallback aracem)', () => {
  let f: ReferralFixture;
  beforeEach(async () => {
    f = await referralFixture({ remindAfterHours: 4, escalateAfterHours: 24 });
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('reminds the partner staff once when a case waits past the reminder deadline', async () => {
    const no = await openCase(f, newChat());
    f.clock.advance(4 * HOUR - 1);
    expect(await f.service.checkDeadlines()).toEqual({ reminded: 0, escalated: 0, republished: 0, replyReminded: 0 });
    f.clock.advance(1);
    expect(await f.service.checkDeadlines()).toMatchObject({ reminded: 1 });
    f.clock.advance(HOUR);
    expect(await f.service.checkDeadlines()).toMatchObject({ reminded: 0 });
    expect(f.notifier.ofType('reminder')).toEqual([
      expect.objectContaining({
        case: expect.objectContaining({ no, partner: 'ame', overdue: true }),
        waitingMs: 4 * HOUR,
      }),
    ]);
  });

  it('asks the person, once, before an unclaimed case goes to the fallback partner, even with two checkers', async () => {
    const chat = newChat();
    const no = await openCase(f, chat);
    f.clock.advance(24 * HOUR);
    const reports = await Promise.all([f.service.checkDeadlines(), f.service.checkDeadlines()]);
    expect(reports.reduce((n, r) => n + r.escalated, 0)).toBe(1);
    // Nothing moved without the person: the case still waits at AME, with the question put to them once.
    expect((await f.service.summary(no))?.partner).toBe('ame');
    expect((await f.service.summary(no))?.proposedTo).toBe('aracem');
    expect((await f.service.listQueue('aracem')).waiting).toEqual([]);
    const asked = f.outbox.textsTo(chat).filter((t) => t.includes('Tu es d’accord ?'));
    expect(asked).toEqual([
      `AME propose de transmettre ton dossier ${no} à ARACEM. Tu es d’accord ? (Il ne change de main que si tu dis oui.)`,
    ]);
    expect(f.notifier.ofType('escalated')).toEqual([
      expect.objectContaining({ to: 'aracem', asked: true, case: expect.objectContaining({ no, partner: 'ame' }) }),
    ]);
    // The deadline does not ask again, whatever the answer.
    f.clock.advance(30 * HOUR);
    expect(await f.service.checkDeadlines()).toMatchObject({ escalated: 0 });
    expect(await f.service.answerTransfer(chat, no, false)).toMatchObject({ ok: true, outcome: 'stays' });
    f.clock.advance(30 * HOUR);
    expect(await f.service.checkDeadlines()).toMatchObject({ escalated: 0 });
    expect((await f.service.summary(no))?.partner).toBe('ame');
    expect(f.outbox.textsTo(chat).filter((t) => t.includes('Tu es d’accord ?'))).toHaveLength(1);
    expect(
      ((await f.service.details(no, { id: 'web:a', partner: 'ame' })) as { audit: { action: string; by: string }[] })
        .audit,
    ).toContainEqual(expect.objectContaining({ action: 'transfer_proposed', by: 'system' }));
  });

  it('moves an unclaimed case to the fallback partner when the person says yes', async () => {
    const chat = newChat();
    const no = await openCase(f, chat);
    f.clock.advance(24 * HOUR);
    expect(await f.service.checkDeadlines()).toMatchObject({ escalated: 1 });
    expect(await f.service.answerTransfer(chat, no, true)).toMatchObject({ ok: true, outcome: 'moved' });
    expect((await f.service.listQueue('aracem')).waiting.map((c) => c.no)).toEqual([no]);
    // At the fallback, the deadlines start again: a reminder, never another escalation.
    f.clock.advance(30 * HOUR);
    expect(await f.service.checkDeadlines()).toMatchObject({ reminded: 1, escalated: 0 });
  });

  it('keeps the case with its partner and alerts its staff when the person cannot be asked', async () => {
    const chat = newChat();
    const no = await openCase(f, chat);
    f.outbox.failFor.add(chat.id);
    f.clock.advance(24 * HOUR);
    expect(await f.service.checkDeadlines()).toMatchObject({ escalated: 1 });
    const summary = await f.service.summary(no);
    expect(summary).toMatchObject({ partner: 'ame', status: 'waiting' });
    expect(summary?.proposedTo).toBeUndefined();
    expect(f.notifier.ofType('escalated')).toEqual([
      expect.objectContaining({ to: 'aracem', asked: false, case: expect.objectContaining({ no, partner: 'ame' }) }),
    ]);
  });

  it('leaves claimed cases alone, and counts again from a release', async () => {
    const no = await openCase(f, newChat());
    await f.service.claim(no, { id: 'tg:1', partner: 'ame' });
    f.clock.advance(48 * HOUR);
    // No reminder nor escalation of the waiting kind; the holder is reminded to write to the person.
    expect(await f.service.checkDeadlines()).toEqual({ reminded: 0, escalated: 0, republished: 0, replyReminded: 1 });
    await f.service.release(no, { id: 'tg:1' });
    f.clock.advance(4 * HOUR);
    expect(await f.service.checkDeadlines()).toMatchObject({ reminded: 1, escalated: 0 });
  });

  it('runs the deadline check and the retention purge as repeatable BullMQ jobs', async () => {
    const worker = await startReferralWorker({
      service: f.service,
      redis: f.redis,
      keys: f.keys,
      options: { deadlinesEveryMs: 100, retentionEveryMs: 100 },
    });
    try {
      const waiting = await openCase(f, newChat());
      const closed = await openCase(f, newChat(), referEffect({ intakeId: 'i2' }));
      await f.service.claim(closed, { id: 'tg:1', partner: 'ame' });
      await f.service.closeCase(closed, { id: 'tg:1' }, 'helped');
      f.clock.advance(31 * 24 * HOUR);
      await eventually(async () => (f.notifier.ofType('escalated').length > 0 ? true : undefined));
      expect(f.notifier.ofType('escalated')[0]?.case.no).toBe(waiting);
      await eventually(async () => ((await f.service.summary(closed))?.purged ? true : undefined));
      const schedulers = await f.service.queue.getJobSchedulers();
      expect(schedulers.map((j) => j.key).sort()).toEqual(['referral-deadlines', 'referral-retention']);
    } finally {
      await worker.close();
    }
  });

  it('acknowledges a case even when its job cannot be queued, and publishes it later', async () => {
    // A queue whose metadata key holds the wrong type: every add fails inside BullMQ's script.
    await f.redis.set(`${f.keys.bull}:referrals:meta`, 'broken');
    await expect(f.service.queue.add('probe', {})).rejects.toThrow();
    const chat = newChat();
    const no = caseNumberIn(await f.service.intake(chat, referEffect(), 'fr'));
    expect(await f.service.openCasesOf(chat)).toMatchObject([{ no, status: 'waiting' }]);
    await f.redis.del(`${f.keys.bull}:referrals:meta`);
    f.clock.advance(61_000);
    expect(await f.service.checkDeadlines()).toMatchObject({ republished: 1 });
    expect((await f.service.listQueue('ame')).waiting.map((c) => c.no)).toEqual([no]);
  });

  it('publishes a case whose dispatch job was lost', async () => {
    const chat = newChat();
    const no = caseNumberIn(await f.service.intake(chat, referEffect(), 'fr'));
    await f.service.queue.obliterate({ force: true });
    expect((await f.service.listQueue('ame')).waiting).toEqual([]);
    f.clock.advance(61_000);
    expect(await f.service.checkDeadlines()).toMatchObject({ republished: 1 });
    expect((await f.service.listQueue('ame')).waiting.map((c) => c.no)).toEqual([no]);
    expect(f.notifier.ofType('waiting')).toHaveLength(1);
    expect(await f.service.checkDeadlines()).toMatchObject({ republished: 0 });
  });
});

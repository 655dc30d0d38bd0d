import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CaseDetails, createReferralService } from '../../src/referrals/service.ts';
import { shippedNotices } from '../support/app.ts';
import {
  newChat,
  openCase,
  PARTNERS,
  type ReferralFixture,
  referEffect,
  referralFixture,
} from './support/referrals.ts';

const awa = { id: 'tg:101', partner: 'ame' };
const bakary = { id: 'tg:102', partner: 'ame' };
const other = { id: 'tg:201', partner: 'aracem' };

describe('staff operations', () => {
  let f: ReferralFixture;
  beforeEach(async () => {
    f = await referralFixture();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('lets exactly one of many simultaneous claimers have the case', async () => {
    const no = await openCase(f, newChat());
    const staff = Array.from({ length: 25 }, (_, i) => ({ id: `tg:${500 + i}`, partner: 'ame' }));
    const results = await Promise.all(staff.map((s) => f.service.claim(no, s)));
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!.ok ? winners[0]!.case.claimedBy : undefined;
    for (const r of results.filter((x) => !x.ok)) expect(r).toEqual({ ok: false, reason: 'taken', claimedBy: winner });
    const queue = await f.service.listQueue('ame');
    expect(queue.waiting).toEqual([]);
    expect(queue.claimed.map((c) => [c.no, c.claimedBy])).toEqual([[no, winner]]);
  });

  it('lets exactly one claimer win across separate Redis connections, as from separate processes', async () => {
    const connections = Array.from({ length: 6 }, () => f.redis.duplicate());
    const notices = await shippedNotices();
    const services = connections.map((redis) =>
      createReferralService({
        notices,
        redis,
        keys: f.keys,
        cipher: f.cipher,
        partners: PARTNERS,
        outbox: f.outbox,
        notifier: f.notifier,
        clock: f.clock,
        options: { fallbackPartner: 'aracem', pseudonymSecret: f.secret },
      }),
    );
    try {
      for (let round = 0; round < 10; round++) {
        const no = await openCase(f, newChat());
        const results = await Promise.all(
          services.flatMap((service, i) => [
            service.claim(no, { id: `tg:${i}a`, partner: 'ame' }),
            service.claim(no, { id: `tg:${i}b`, partner: 'ame' }),
          ]),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(results.filter((r) => !r.ok && r.reason === 'taken')).toHaveLength(services.length * 2 - 1);
      }
    } finally {
      await Promise.all(services.map((s) => s.stop()));
      for (const c of connections) c.disconnect();
    }
  });

  it('refuses a claim from another partner staff, and tells the person who has their case', async () => {
    const chat = newChat();
    const no = await openCase(f, chat);
    // Another partner's case is answered like a missing one.
    expect(await f.service.claim(no, other)).toEqual({ ok: false, reason: 'not_found' });
    expect(await f.service.claim(no, { ...other, admin: true })).toEqual({ ok: false, reason: 'not_found' });
    expect(await f.service.claim(no, awa)).toMatchObject({ ok: true });
    expect(f.outbox.textsTo(chat)).toEqual([
      `Quelqu’un de AME a ton dossier ${no}. Tu peux lui écrire ici : on lui transmet.`,
    ]);
    expect(await f.service.claim('K-0000', awa)).toEqual({ ok: false, reason: 'not_found' });
  });

  it('puts a released case back in the queue and tells the partner staff again', async () => {
    const no = await openCase(f, newChat());
    await f.service.claim(no, awa);
    expect(await f.service.release(no, bakary)).toEqual({ ok: false, reason: 'forbidden' });
    f.clock.advance(60_000);
    const released = await f.service.release(no, awa);
    expect(released).toMatchObject({ ok: true, case: { status: 'waiting', waitingSince: f.clock.now() } });
    expect(released.ok && released.case.claimedBy).toBeFalsy();
    expect((await f.service.listQueue('ame')).waiting.map((c) => c.no)).toEqual([no]);
    expect(f.notifier.ofType('waiting').at(-1)).toMatchObject({ reason: 'released', case: { no } });
    expect(await f.service.claim(no, bakary)).toMatchObject({ ok: true });
  });

  it('proposes a transfer to the person and moves the case only when they say yes', async () => {
    const chat = newChat();
    const no = await openCase(f, chat);
    await f.service.claim(no, awa);
    expect(await f.service.transfer(no, 'nowhere', awa)).toEqual({ ok: false, reason: 'unknown_partner' });
    expect(await f.service.transfer(no, 'aracem', bakary)).toEqual({ ok: false, reason: 'forbidden' });
    expect(await f.service.transfer(no, 'aracem', other)).toEqual({ ok: false, reason: 'not_found' });
    const proposed = await f.service.transfer(no, 'aracem', awa);
    // The case stays with AME, held by Awa, with the proposal.
    expect(proposed).toMatchObject({ ok: true, case: { partner: 'ame', claimedBy: 'tg:101', proposedTo: 'aracem' } });
    // Without a conversation to put it (no PersonPrompter here), the question goes as plain text.
    expect(f.outbox.textsTo(chat).at(-1)).toBe(
      `AME propose de transmettre ton dossier ${no} à ARACEM. Tu es d’accord ? (Il ne change de main que si tu dis oui.)`,
    );
    expect((await f.service.listQueue('aracem')).waiting).toEqual([]);
    expect(await f.service.details(no, other)).toEqual({ error: 'not_found' });
    expect(await f.service.transferProposalFor(chat)).toMatchObject({
      no,
      from: 'ame',
      to: 'aracem',
      toName: 'ARACEM',
    });
    // Only the person answers, and only for their own case.
    expect(await f.service.answerTransfer(newChat(), no, true)).toEqual({ ok: false, reason: 'no_proposal' });

    expect(await f.service.answerTransfer(chat, no, true)).toMatchObject({ ok: true, outcome: 'moved' });
    expect((await f.service.listQueue('ame')).claimed).toEqual([]);
    expect((await f.service.listQueue('aracem')).waiting.map((c) => c.no)).toEqual([no]);
    expect(f.notifier.ofType('waiting').at(-1)).toMatchObject({ reason: 'transferred', case: { partner: 'aracem' } });
    expect(f.notifier.ofType('transfer_answer').at(-1)).toMatchObject({ accepted: true, case: { partner: 'ame' } });
    // What the person reads of their answer comes with their own turn (test/referrals/transfer-consent.test.ts).
    expect(f.outbox.textsTo(chat).at(-1)).toContain('Tu es d’accord ?');
    expect(await f.service.transferProposalFor(chat)).toBeNull();
    // The same answer again (a turn replayed after a crash): the same result, staff are not told twice.
    const told = f.notifier.ofType('transfer_answer').length;
    expect(await f.service.answerTransfer(chat, no, true)).toMatchObject({ ok: true, outcome: 'moved' });
    expect(await f.service.answerTransfer(chat, no, false)).toEqual({ ok: false, reason: 'no_proposal' });
    expect(f.notifier.ofType('transfer_answer')).toHaveLength(told);
    expect((await f.service.summary(no))?.partner).toBe('aracem');
    expect(await f.service.claim(no, awa)).toEqual({ ok: false, reason: 'not_found' });
    expect(await f.service.claim(no, other)).toMatchObject({ ok: true });
  });

  it('keeps the case where it is when the person says no', async () => {
    const chat = newChat();
    const no = await openCase(f, chat);
    expect(await f.service.transfer(no, 'aracem', bakary)).toMatchObject({ ok: true, case: { proposedTo: 'aracem' } });
    expect(await f.service.answerTransfer(chat, no, false)).toMatchObject({ ok: true, outcome: 'stays' });
    const summary = await f.service.summary(no);
    expect(summary).toMatchObject({ partner: 'ame', status: 'waiting' });
    expect(summary?.proposedTo).toBeUndefined();
    expect(f.notifier.ofType('transfer_answer').at(-1)).toMatchObject({ accepted: false, to: 'aracem' });
    expect((await f.service.listQueue('ame')).waiting.map((c) => c.no)).toEqual([no]);
    expect(await f.service.answerTransfer(chat, no, true)).toEqual({ ok: false, reason: 'no_proposal' });
  });

  it('closes a case with an outcome, tells the person, and keeps a note only staff can read', async () => {
    const chat = newChat();
    const no = await openCase(f, chat);
    await f.service.claim(no, awa);
    expect(await f.service.closeCase(no, bakary, 'helped')).toEqual({ ok: false, reason: 'forbidden' });
    const closed = await f.service.closeCase(no, awa, 'helped', 'Met at the office on Monday.');
    expect(closed).toMatchObject({ ok: true, case: { status: 'closed', outcome: 'helped' } });
    expect(await f.service.closeCase(no, awa, 'helped')).toEqual({ ok: false, reason: 'closed' });
    expect(await f.service.claim(no, bakary)).toEqual({ ok: false, reason: 'closed' });
    expect(f.outbox.textsTo(chat).at(-1)).toBe(
      `Ton dossier ${no} est fermé. Si tu as encore besoin d’aide, écris « menu ».`,
    );
    const queue = await f.service.listQueue('ame');
    expect(queue.closed.map((c) => c.no)).toEqual([no]);
    expect(queue.claimed).toEqual([]);
    const details = (await f.service.details(no, bakary)) as CaseDetails;
    expect(details.note).toBe('Met at the office on Monday.');
  });

  it('lists a partner queue with overdue cases first, then waiting, claimed and closed', async () => {
    const overdue = await openCase(f, newChat());
    f.clock.advance(5 * 3_600_000);
    const fresh = await openCase(f, newChat());
    const claimed = await openCase(f, newChat());
    const closed = await openCase(f, newChat());
    await f.service.claim(claimed, awa);
    await f.service.claim(closed, bakary);
    await f.service.closeCase(closed, bakary, 'unreachable');
    await openCase(f, newChat(), referEffect({ need: 'other' }));
    const queue = await f.service.listQueue('ame');
    expect(queue.overdue.map((c) => c.no)).toEqual([overdue]);
    expect(queue.overdue[0]?.overdue).toBe(true);
    expect(queue.waiting.map((c) => c.no)).toEqual([fresh]);
    expect(queue.claimed.map((c) => c.no)).toEqual([claimed]);
    expect(queue.closed.map((c) => [c.no, c.outcome])).toEqual([[closed, 'unreachable']]);
    expect(await f.service.claimedCases(awa.id)).toMatchObject([{ no: claimed }]);
  });

  it('shows personal data to the partner staff, never to another partner, and to admins only the summary', async () => {
    const no = await openCase(
      f,
      newChat(),
      referEffect({
        fields: { nickname: 'Awa', phone: '70 11 22 33', description: 'Lost papers', description_media: 'p1,p2' },
      }),
    );
    // Another partner's staff or admin, or an admin of no partner: the case does not exist for them.
    expect(await f.service.details(no, other)).toEqual({ error: 'not_found' });
    expect(await f.service.details(no, { ...other, admin: true })).toEqual({ error: 'not_found' });
    expect(await f.service.details(no, { id: 'web:root', admin: true })).toEqual({ error: 'not_found' });
    expect(await f.service.find(no, other)).toBeNull();
    expect(await f.service.find(no, bakary)).toMatchObject({ no });
    const staff = (await f.service.details(no, awa)) as CaseDetails;
    expect(staff.personal).toEqual({
      nickname: 'Awa',
      phone: '70 11 22 33',
      description: 'Lost papers',
      media: ['p1', 'p2'],
      other: {},
    });
  });

  it('keeps an audit trail of who did what and when, without personal data', async () => {
    const chat = newChat();
    const no = await openCase(f, chat, referEffect({ fields: { nickname: 'Secret-Name' } }));
    await f.service.claim(no, awa);
    await f.service.reply(no, awa, 'We can meet on Monday');
    await f.service.transfer(no, 'aracem', awa);
    await f.service.answerTransfer(chat, no, true);
    await f.service.claim(no, other);
    await f.service.release(no, other);
    await f.service.closeCase(no, { id: 'tg:202', partner: 'aracem' }, 'duplicate', 'Same as another case');
    const details = (await f.service.details(no, other)) as CaseDetails;
    expect(details.audit.map((a) => [a.action, a.by])).toEqual([
      ['created', 'person'],
      ['published', 'system'],
      ['claimed', 'tg:101'],
      ['replied', 'tg:101'],
      ['transfer_proposed', 'tg:101'],
      ['transferred', 'person'],
      ['claimed', 'tg:201'],
      ['released', 'tg:201'],
      ['closed', 'tg:202'],
    ]);
    expect(details.audit.find((a) => a.action === 'transferred')?.to).toBe('aracem');
    expect(details.audit.find((a) => a.action === 'closed')?.outcome).toBe('duplicate');
    for (const entry of details.audit) expect(entry.at).toBe(f.clock.now());
    expect(JSON.stringify(details.audit)).not.toMatch(/Secret-Name|Monday|Same as/);
  });
});

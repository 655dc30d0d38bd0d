import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Lang } from '../../src/engine/types.ts';
import type { IntakeResult } from '../../src/ports/services.ts';
import { isCaseNumber, parseCaseNumber } from '../../src/referrals/case-number.ts';
import { AnnouncementBusyError } from '../../src/referrals/service.ts';
import { startReferralWorker } from '../../src/referrals/worker.ts';
import { worded } from '../support/app.ts';
import {
  caseNumberIn,
  eventually,
  newChat,
  type ReferralFixture,
  referEffect,
  referralFixture,
} from './support/referrals.ts';

describe('intake', () => {
  let f: ReferralFixture;
  beforeEach(async () => {
    f = await referralFixture();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('tells the person a short case number in their language', async () => {
    const fr = await f.service.intake(newChat(), referEffect(), 'fr');
    const en = await f.service.intake(newChat(), referEffect(), 'en');
    const bm = await f.service.intake(newChat(), referEffect(), 'bm');
    for (const reply of [fr, en, bm]) expect(isCaseNumber(caseNumberIn(reply))).toBe(true);
    // The service answers data; the bot's presenter words it in the person's language.
    const first = async (result: IntakeResult, lang: Lang) =>
      (await worded({ kind: 'intake', result }, lang))[0]?.paragraphs ?? [];
    expect((await first(fr, 'fr'))[0]).toBe(
      `Ta demande est enregistrée. Ton numéro de dossier : ${caseNumberIn(fr)}. Garde-le bien.`,
    );
    expect((await first(fr, 'fr'))[1]).toMatch(/^AME va la recevoir\. .* dans les 24 heures/);
    expect((await first(en, 'en'))[0]).toMatch(/case number: K-/);
    expect((await first(bm, 'bm'))[0]).toMatch(/dosiye nimɔrɔ ye K-/);
    expect(await first(fr, 'fr')).toHaveLength(4);
    expect(caseNumberIn(fr)).toMatch(/^K-[0-9A-HJKMNP-TV-Z]{4}$/);
  });

  it('makes one case of the same intake given twice, and of a double tap', async () => {
    const chat = newChat();
    const first = caseNumberIn(await f.service.intake(chat, referEffect(), 'fr'));
    const again = caseNumberIn(await f.service.intake(chat, referEffect(), 'fr'));
    expect(again).toBe(first);

    const tapper = newChat('whatsapp');
    const taps = await Promise.all(
      Array.from({ length: 8 }, () => f.service.intake(tapper, referEffect({ intakeId: 'i2' }), 'fr')),
    );
    expect(new Set(taps.map(caseNumberIn)).size).toBe(1);

    expect(await f.service.openCasesOf(chat)).toHaveLength(1);
    expect(await f.service.openCasesOf(tapper)).toHaveLength(1);
    expect(await f.service.queue.getJobCounts('waiting', 'delayed', 'active', 'completed')).toMatchObject({
      waiting: 2,
    });
  });

  it('makes separate cases for separate intakes and separate people', async () => {
    const chat = newChat();
    const a = caseNumberIn(await f.service.intake(chat, referEffect({ intakeId: 'i1' }), 'fr'));
    const b = caseNumberIn(await f.service.intake(chat, referEffect({ intakeId: 'i2' }), 'fr'));
    const c = caseNumberIn(await f.service.intake(newChat(), referEffect({ intakeId: 'i1' }), 'fr'));
    expect(new Set([a, b, c]).size).toBe(3);
    expect(await f.service.openCasesOf(chat)).toHaveLength(2);
  });

  it('makes a new case when an intake id comes back with other content (a new conversation after a reset)', async () => {
    const chat = newChat();
    const a = caseNumberIn(await f.service.intake(chat, referEffect(), 'fr'));
    const b = caseNumberIn(
      await f.service.intake(chat, referEffect({ fields: { description: 'Another problem, weeks later' } }), 'fr'),
    );
    expect(b).not.toBe(a);
  });

  it('refuses an effect that is not a valid refer effect, storing nothing', async () => {
    const chat = newChat();
    await expect(f.service.intake(chat, referEffect({ intakeId: '' }), 'fr')).rejects.toThrow();
    expect(await f.service.openCasesOf(chat)).toEqual([]);
  });

  it('queues jobs whose names, ids and data hold no personal data', async () => {
    const chat = { channel: 'whatsapp' as const, id: '22376543210@c.us' };
    const no = caseNumberIn(await f.service.intake(chat, referEffect({ fields: { phone: '76543210' } }), 'fr'));
    const jobs = await f.service.queue.getJobs(['waiting']);
    expect(jobs).toHaveLength(1);
    const job = jobs[0]!;
    expect(job.name).toBe('dispatch');
    expect(job.data).toEqual({ caseNo: no });
    expect(job.id).toMatch(/^dispatch-[0-9a-f]{32}$/);
    expect(JSON.stringify(job.asJSON())).not.toMatch(/76543210|Awa|passport/);
  });
});

describe('the worker', () => {
  let f: ReferralFixture;
  beforeEach(async () => {
    f = await referralFixture();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('publishes a new case in the partner queue and tells the staff once', async () => {
    const worker = await startReferralWorker({
      service: f.service,
      redis: f.redis,
      keys: f.keys,
      options: { deadlinesEveryMs: 0, retentionEveryMs: 0 },
    });
    try {
      const chat = newChat();
      const no = caseNumberIn(await f.service.intake(chat, referEffect(), 'fr'));
      const seen = await eventually(async () => {
        const queue = await f.service.listQueue('ame');
        return queue.waiting.length > 0 ? queue.waiting : undefined;
      });
      expect(seen.map((c) => c.no)).toEqual([no]);
      await eventually(async () => (f.notifier.ofType('waiting').length > 0 ? true : undefined));
      // The same intake re-delivered after publication: no new job, no new announcement.
      await f.service.intake(chat, referEffect(), 'fr');
      await eventually(async () =>
        (await f.service.queue.getJobCounts('waiting', 'active')).active === 0 ? true : undefined,
      );
      expect(f.notifier.ofType('waiting')).toHaveLength(1);
      expect(f.notifier.ofType('waiting')[0]).toMatchObject({ reason: 'new', case: { no, partner: 'ame' } });
      expect((await f.service.details(no, { id: 'web:x', partner: 'ame' })) as object).toMatchObject({
        audit: [{ action: 'created' }, { action: 'published' }],
      });
    } finally {
      await worker.close();
    }
  });
});

describe('announcing a case to staff', () => {
  let f: ReferralFixture;
  beforeEach(async () => {
    f = await referralFixture();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('happens once when two workers run the same job at once; the second retries and finds it done', async () => {
    const record = f.notifier.notify.bind(f.notifier);
    // The worker that got the job first tells staff only once the other one has given up.
    let otherGaveUp: () => void = () => undefined;
    const gaveUp = new Promise<void>((resolve) => {
      otherGaveUp = resolve;
    });
    f.notifier.notify = async (event) => {
      await gaveUp;
      await record(event);
    };
    const no = caseNumberIn(await f.service.intake(newChat(), referEffect(), 'fr'));
    const both = [f.service.dispatch(no), f.service.dispatch(no)];
    for (const run of both) run.catch(() => otherGaveUp());
    const runs = await Promise.allSettled(both);
    expect(runs.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = runs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(AnnouncementBusyError);
    expect(await f.service.dispatch(no)).toBe('already');
    expect(f.notifier.ofType('waiting')).toHaveLength(1);
  });

  it('is retried until the staff notifier succeeds', async () => {
    const record = f.notifier.notify.bind(f.notifier);
    let failures = 2;
    f.notifier.notify = async (event) => {
      if (failures-- > 0) throw new Error('telegram down');
      await record(event);
    };
    const no = caseNumberIn(await f.service.intake(newChat(), referEffect(), 'fr'));
    await expect(f.service.dispatch(no)).rejects.toThrow('telegram down');
    expect((await f.service.listQueue('ame')).waiting.map((c) => c.no)).toEqual([no]);
    await expect(f.service.dispatch(no)).rejects.toThrow('telegram down');
    expect(await f.service.dispatch(no)).toBe('already');
    expect(f.notifier.ofType('waiting')).toHaveLength(1);
    expect(await f.service.dispatch(no)).toBe('already');
    expect(f.notifier.ofType('waiting')).toHaveLength(1);
  });
});

describe('case numbers typed by people', () => {
  it('reads them with or without dash and capitals, and not in ordinary words', () => {
    expect(parseCaseNumber('K-7F3Q')).toBe('K-7F3Q');
    expect(parseCaseNumber(' k-7f3q ')).toBe('K-7F3Q');
    expect(parseCaseNumber('k7f3q')).toBe('K-7F3Q');
    expect(parseCaseNumber('K-7FOQ')).toBe('K-7F0Q');
    expect(parseCaseNumber('kayes')).toBeNull();
    expect(parseCaseNumber('hello K-7F3Q')).toBeNull();
  });
});

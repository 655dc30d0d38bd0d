import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/infra/logger.ts';
import type { CaseDetails } from '../../src/referrals/service.ts';
import { startReferralWorker } from '../../src/referrals/worker.ts';
import {
  caseNumberIn,
  dumpKeys,
  eventually,
  newChat,
  openCase,
  type ReferralFixture,
  referEffect,
  referralFixture,
} from './support/referrals.ts';

const DAY = 24 * 3_600_000;
const awa = { id: 'tg:101', partner: 'ame' };

describe('retention and erasure', () => {
  let f: ReferralFixture;
  afterEach(async () => {
    await f.cleanup();
  });

  it('deletes personal data 30 days after closing, keeping the record and its audit trail', async () => {
    f = await referralFixture({ retentionDays: 30 });
    const chat = newChat();
    const no = await openCase(f, chat);
    const open = await openCase(f, newChat(), referEffect({ intakeId: 'i9' }));
    await f.service.claim(no, awa);
    await f.service.reply(no, awa, 'See you tomorrow');
    await f.service.relayFromPerson(chat, 'Thank you');
    await f.service.closeCase(no, awa, 'helped', 'Housed at the centre');

    f.clock.advance(30 * DAY - 1);
    expect(await f.service.purgeExpired()).toBe(0);
    expect(((await f.service.details(no, awa)) as CaseDetails).personal).not.toBeNull();

    f.clock.advance(1);
    expect(await f.service.purgeExpired()).toBe(1);
    const purged = (await f.service.details(no, awa)) as CaseDetails;
    expect(purged.personal).toBeNull();
    expect(purged.note).toBeUndefined();
    expect(purged.messages).toEqual([]);
    expect(purged.case).toMatchObject({ status: 'closed', outcome: 'helped', purged: true });
    expect(purged.audit.at(-1)).toMatchObject({ action: 'purged', by: 'system' });
    expect(await f.redis.ttl(f.keys.key('ref', 'case', no))).toBeGreaterThan(300 * 24 * 3600);
    // The open case of someone else is untouched; the purged case is no longer the person's.
    expect(((await f.service.details(open, awa)) as CaseDetails).personal).not.toBeNull();
    expect(await f.service.openCasesOf(chat)).toEqual([]);
    expect(await f.service.purgeExpired()).toBe(0);
  });

  it('erases the personal data of the person cases when they ask, and staff see it was erased', async () => {
    f = await referralFixture();
    const chat = newChat('whatsapp');
    const claimed = await openCase(f, chat);
    const waiting = await openCase(f, chat, referEffect({ intakeId: 'i2' }));
    const someoneElse = await openCase(f, newChat());
    await f.service.claim(claimed, awa);
    await f.service.relayFromPerson(chat, 'my address is ...');

    await f.service.eraseFor(chat);

    for (const no of [claimed, waiting]) {
      const details = (await f.service.details(no, awa)) as CaseDetails;
      expect(details.personal).toBeNull();
      expect(details.messages).toEqual([]);
      expect(details.case.erased).toBe(true);
      expect(details.audit.at(-1)).toMatchObject({ action: 'erased', by: 'person' });
    }
    expect((await f.service.listQueue('ame')).claimed.map((c) => [c.no, c.erased])).toEqual([[claimed, true]]);
    expect(
      f.notifier
        .ofType('erased')
        .map((e) => [e.case.no, e.staffId])
        .sort(),
    ).toEqual(
      [
        [claimed, 'tg:101'],
        [waiting, undefined],
      ].sort(),
    );
    expect(((await f.service.details(someoneElse, awa)) as CaseDetails).personal).not.toBeNull();
    expect(await f.service.reply(claimed, awa, 'Hello?')).toEqual({ ok: false, reason: 'erased' });
    expect(await f.service.relayFromPerson(chat, 'hello again')).toBe(false);
    // The erased conversation restarts its intake counter: the same intake id now makes a new case.
    const fresh = caseNumberIn(await f.service.intake(chat, referEffect(), 'fr'));
    expect([claimed, waiting]).not.toContain(fresh);
    // Staff can still close the erased case.
    expect(await f.service.closeCase(claimed, awa, 'other')).toMatchObject({ ok: true });
  });
});

describe('Redis holds no personal data in clear', () => {
  let f: ReferralFixture;
  afterEach(async () => {
    await f.cleanup();
  });

  it('after a whole life of cases, no key under the prefix contains a name, phone, chat id, text or media ref', async () => {
    const logs: string[] = [];
    const logger = createLogger({
      level: 'debug',
      destination: new Writable({
        write(chunk, _enc, done) {
          logs.push(String(chunk));
          done();
        },
      }),
    });
    f = await referralFixture({}, { logger });
    const worker = await startReferralWorker({
      service: f.service,
      redis: f.redis,
      keys: f.keys,
      options: { deadlinesEveryMs: 60_000, retentionEveryMs: 60_000 },
      logger,
    });
    const secrets = {
      nickname: 'Zanga-Nickname-7731',
      phone: '+223 76 54 32 10',
      description: 'Mon passeport confisqué à Tinzaouaten 9431',
      media: 'AgACAgQAAxkBAAIBZmSecretFileId',
      extra: 'Kayes-quartier-Plateau-5521',
    };
    const chatIds = ['22376543210@c.us', '998877665'];
    const chats = [
      { channel: 'whatsapp' as const, id: chatIds[0]! },
      { channel: 'telegram' as const, id: chatIds[1]! },
    ];
    const texts = {
      reply: 'Rendez-vous lundi au siège 4412',
      person: 'Je suis à la gare de Sogoniko 8120',
      note: 'Hébergé au centre 3391',
    };
    const nos: string[] = [];
    for (const [i, chat] of chats.entries()) {
      const fields = {
        nickname: secrets.nickname,
        phone: secrets.phone,
        description: secrets.description,
        description_media: secrets.media,
        neighbourhood: secrets.extra,
      };
      nos.push(caseNumberIn(await f.service.intake(chat, referEffect({ intakeId: `i${i}`, fields }), 'fr')));
    }
    await eventually(async () => ((await f.service.listQueue('ame')).waiting.length === 2 ? true : undefined));
    const [first, second] = nos as [string, string];
    await f.service.claim(first, awa);
    await f.service.reply(first, awa, texts.reply);
    await f.service.relayFromPerson(chats[0]!, texts.person);
    f.outbox.failFor.add(chatIds[0]!);
    await f.service.reply(first, awa, texts.reply);
    await f.service.closeCase(first, awa, 'helped', texts.note);
    await f.service.claim(second, awa);
    await f.service.relayFromPerson(chats[1]!, texts.person);
    await f.service.transfer(second, 'aracem', awa);
    f.clock.advance(30 * 3_600_000);
    await f.service.checkDeadlines();
    await worker.close();

    const dump = await dumpKeys(f.redis, f.keys.root);
    expect(dump.size).toBeGreaterThan(10);
    const everything = [...dump.values()].flat().join('\n');
    // The scan sees what was written: the case numbers and sealed values are there.
    expect(everything).toContain(first);
    expect(everything).toMatch(/k1\.dev\./);
    const needles = [...Object.values(secrets), ...Object.values(texts), ...chatIds, '76543210', 'Zanga'];
    for (const needle of needles) {
      const holders = [...dump.entries()].filter(([, values]) => values.some((v) => v.includes(needle)));
      expect({ needle, holders: holders.map(([k]) => k) }).toEqual({ needle, holders: [] });
    }
    const logText = logs.join('');
    expect(logText).toContain('staff reply not delivered');
    for (const needle of needles) expect(logText).not.toContain(needle);
  });
});

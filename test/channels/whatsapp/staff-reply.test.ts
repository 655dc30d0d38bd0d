// A staff reply to a person on WhatsApp who last wrote more than 24 hours ago: the referral service, with the real
// WhatsApp channel as its outbox, tells staff it waits for the person (not a failure), keeps it in the case, and
// the reply goes out the next time the person writes.
import { afterEach, describe, expect, it } from 'vitest';
import { createReferralService, type ReferralService } from '../../../src/referrals/service.ts';
import { caseNumberIn, PARTNERS, RecordingNotifier, referEffect } from '../../referrals/support/referrals.ts';
import { shippedNotices } from '../../support/app.ts';
import { waMessage } from '../../support/fake-whatsapp-client.ts';
import { createHarness, type Harness, waitFor } from './harness.ts';

const MARIAM = '22375000042@c.us';
const awa = { id: 'tg:101', partner: 'ame' };

let h: Harness;
let service: ReferralService;

afterEach(async () => {
  await service?.stop();
  await h?.close();
});

describe('a staff reply after the 24-hour window', () => {
  it('staff see "waiting for the person to write again"; the reply is in the case and reaches the person later', async () => {
    h = await createHarness();
    const client = await h.startReady();
    service = createReferralService({
      notices: await shippedNotices(),
      redis: h.redis,
      keys: h.keys,
      cipher: h.cipher,
      partners: PARTNERS,
      outbox: h.channel,
      notifier: new RecordingNotifier(),
      clock: { now: () => Date.now() },
      options: {
        fallbackPartner: 'aracem',
        pseudonymSecret: 'test-secret-0123456789',
        remindAfterHours: 4,
        escalateAfterHours: 24,
      },
    });
    // The case was opened days ago: Mariam's 24-hour window has closed since.
    const no = caseNumberIn(await service.intake({ channel: 'whatsapp', id: MARIAM }, referEffect(), 'fr'));
    await service.dispatch(no);
    await service.claim(no, awa);

    expect(await service.reply(no, awa, 'Bonjour Mariam, viens mardi à 10 h.')).toEqual({
      ok: false,
      reason: 'waiting_for_person',
    });
    expect(client.sent).toEqual([]);
    const details = await service.details(no, awa);
    expect(details && 'messages' in details ? details.messages.map((m) => m.text) : []).toEqual([
      'Bonjour Mariam, viens mardi à 10 h.',
    ]);

    client.receive(waMessage(MARIAM, { body: 'Bonjour' }));
    await waitFor(() => client.sent.length === 3, 'what was held, then the answer');
    // In order: the case update (also held), the staff reply, then the answer to what Mariam wrote.
    expect(client.textsTo(MARIAM)).toEqual([
      expect.stringContaining(`Quelqu’un de AME a ton dossier ${no}`),
      `*AME (dossier ${no})*\n\nBonjour Mariam, viens mardi à 10 h.`,
      expect.stringMatching(/^Bienvenue/),
    ]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Lang } from '../../src/engine/types.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import type { CaseDetails } from '../../src/referrals/service.ts';
import { worded } from '../support/app.ts';
import { newChat, openCase, type ReferralFixture, referEffect, referralFixture } from './support/referrals.ts';

const awa = { id: 'tg:101', partner: 'ame' };
const bakary = { id: 'tg:102', partner: 'ame' };

describe('relay between the person and the staff member who has the case', () => {
  let f: ReferralFixture;
  beforeEach(async () => {
    f = await referralFixture();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('passes staff replies to the person and the person messages to the claimer only', async () => {
    const chat = newChat('whatsapp');
    const no = await openCase(f, chat);
    expect(await f.service.relayFromPerson(chat, 'hello?')).toBe(false);
    await f.service.claim(no, awa);

    expect(await f.service.reply(no, awa, 'Hello, I am Awa from AME. Where are you now?')).toMatchObject({ ok: true });
    const last = f.outbox.sent.at(-1)!;
    expect(last.chat).toEqual(chat);
    expect(last.messages).toEqual([
      { title: `AME (dossier ${no})`, paragraphs: ['Hello, I am Awa from AME. Where are you now?'] },
    ]);

    expect(await f.service.relayFromPerson(chat, 'At the bus station in Sogoniko')).toBe(true);
    const relayed = f.notifier.ofType('person_message');
    expect(relayed).toHaveLength(1);
    expect(relayed[0]).toMatchObject({ staffId: 'tg:101', text: 'At the bus station in Sogoniko', case: { no } });

    expect(await f.service.reply(no, bakary, 'I am not the claimer')).toEqual({ ok: false, reason: 'forbidden' });
    const details = (await f.service.details(no, awa)) as CaseDetails;
    expect(details.messages.map((m) => [m.from, m.by, m.text])).toEqual([
      ['staff', 'tg:101', 'Hello, I am Awa from AME. Where are you now?'],
      ['person', undefined, 'At the bus station in Sogoniko'],
    ]);
  });

  it("lets only the claimer or an admin of the case's partner reply, never an admin of another partner", async () => {
    const chat = newChat();
    const no = await openCase(f, chat);
    await f.service.claim(no, awa);
    const before = f.outbox.sent.length;
    const foreignAdmin = { id: 'web:chef', partner: 'aracem', admin: true };
    expect(await f.service.reply(no, foreignAdmin, 'Hello from ARACEM')).toEqual({ ok: false, reason: 'not_found' });
    const noPartnerAdmin = { id: 'web:root', admin: true };
    expect(await f.service.reply(no, noPartnerAdmin, 'Hello from nowhere')).toEqual({ ok: false, reason: 'not_found' });
    expect(f.outbox.sent).toHaveLength(before);

    const ownAdmin = { id: 'web:directrice', partner: 'ame', admin: true };
    expect(await f.service.reply(no, ownAdmin, 'Bonjour de la directrice')).toMatchObject({ ok: true });
    expect(f.outbox.sent.at(-1)?.messages[0]?.paragraphs).toEqual(['Bonjour de la directrice']);
  });

  it('relays to the most recently claimed of several cases, and stops when it is closed', async () => {
    const chat = newChat();
    const first = await openCase(f, chat);
    const second = await openCase(f, chat, referEffect({ intakeId: 'i2', need: 'health' }));
    await f.service.claim(first, awa);
    f.clock.advance(1000);
    await f.service.claim(second, bakary);
    expect(await f.service.relayFromPerson(chat, 'one')).toBe(true);
    expect(f.notifier.ofType('person_message').at(-1)).toMatchObject({ staffId: 'tg:102', case: { no: second } });
    await f.service.closeCase(second, bakary, 'helped');
    expect(await f.service.relayFromPerson(chat, 'two')).toBe(true);
    expect(f.notifier.ofType('person_message').at(-1)).toMatchObject({ staffId: 'tg:101', case: { no: first } });
    await f.service.closeCase(first, awa, 'helped');
    expect(await f.service.relayFromPerson(chat, 'three')).toBe(false);
    expect(await f.service.reply(first, awa, 'too late')).toEqual({ ok: false, reason: 'closed' });
  });

  it('tells staff when a reply could not reach the person, and keeps no trace of it', async () => {
    const chat = newChat();
    const no = await openCase(f, chat);
    await f.service.claim(no, awa);
    f.outbox.failFor.add(chat.id);
    expect(await f.service.reply(no, awa, 'Are you there?')).toEqual({ ok: false, reason: 'send_failed' });
    expect(((await f.service.details(no, awa)) as CaseDetails).messages).toEqual([]);
  });

  it('answers a person asking about their case by its number, and only about their own', async () => {
    const chat = newChat();
    const no = await openCase(f, chat);
    // The service answers data; the bot's presenter words it in the person's language.
    const status = async (of: ChatRef, text: string, lang: Lang) => {
      const result = await f.service.statusFor(of, text);
      return result ? await worded({ kind: 'case_status', result }, lang) : null;
    };
    expect(await status(chat, 'what about my case', 'fr')).toBeNull();
    expect(await f.service.statusFor(chat, no.toLowerCase())).toEqual({
      found: true,
      no,
      status: 'waiting',
      partnerName: 'AME',
    });
    expect(await status(chat, no.toLowerCase(), 'en')).toEqual([
      { paragraphs: [`Your case ${no} is waiting for someone from AME to take it up.`] },
    ]);
    await f.service.claim(no, awa);
    expect(await status(chat, no, 'fr')).toEqual([{ paragraphs: [`Ton dossier ${no} est suivi par AME.`] }]);
    await f.service.closeCase(no, awa, 'helped');
    expect(await status(chat, no, 'bm')).toEqual([{ paragraphs: [`I ka dosiye ${no} datugura.`] }]);
    expect(await f.service.statusFor(newChat(), no)).toEqual({ found: false, no, reason: 'unknown_case' });
    expect(await status(newChat(), no, 'fr')).toEqual([
      { paragraphs: [`Je ne trouve pas de dossier ${no} pour toi. Vérifie le numéro.`] },
    ]);
  });

  it('relays a message carried out again with the same key (a journal replayed after a crash) once', async () => {
    const chat = newChat('whatsapp');
    const no = await openCase(f, chat);
    await f.service.claim(no, awa);
    expect(await f.service.relayFromPerson(chat, 'At the bus station', 'journal-1:0')).toBe(true);
    expect(await f.service.relayFromPerson(chat, 'At the bus station', 'journal-1:0')).toBe(true);
    // Released meanwhile: the replay still answers "passed on" and adds nothing.
    await f.service.release(no, awa);
    expect(await f.service.relayFromPerson(chat, 'At the bus station', 'journal-1:0')).toBe(true);
    expect(f.notifier.ofType('person_message')).toHaveLength(1);
    await f.service.claim(no, bakary);
    // Another message (another key) is another relay.
    expect(await f.service.relayFromPerson(chat, 'At the bus station', 'journal-2:0')).toBe(true);
    const details = (await f.service.details(no, bakary)) as CaseDetails;
    expect(details.messages.map((m) => m.text)).toEqual(['At the bus station', 'At the bus station']);
    expect(f.notifier.ofType('person_message').map((e) => e.staffId)).toEqual(['tg:101', 'tg:102']);
  });

  it('tells staff on the replay when the first try stored the message but could not tell them', async () => {
    const chat = newChat();
    const no = await openCase(f, chat);
    await f.service.claim(no, awa);
    const notify = f.notifier.notify.bind(f.notifier);
    f.notifier.notify = async () => {
      throw new Error('Telegram unreachable');
    };
    expect(await f.service.relayFromPerson(chat, 'Are you there?', 'journal-3:0')).toBe(true);
    expect(f.notifier.ofType('person_message')).toHaveLength(0);
    f.notifier.notify = notify;
    expect(await f.service.relayFromPerson(chat, 'Are you there?', 'journal-3:0')).toBe(true);
    expect(await f.service.relayFromPerson(chat, 'Are you there?', 'journal-3:0')).toBe(true);
    expect(f.notifier.ofType('person_message')).toHaveLength(1);
    const details = (await f.service.details(no, awa)) as CaseDetails;
    expect(details.messages.map((m) => m.text)).toEqual(['Are you there?']);
  });

  it("erases the relay's marks with the case's messages", async () => {
    const chat = newChat();
    const no = await openCase(f, chat);
    await f.service.claim(no, awa);
    await f.service.relayFromPerson(chat, 'my phone is 70 00 00 00', 'journal-4:0');
    const marks = `${f.keys.key('ref')}:case:${no}:relayed`;
    expect(await f.redis.exists(marks)).toBe(1);
    await f.service.eraseFor(chat);
    expect(await f.redis.exists(marks)).toBe(0);
  });
});

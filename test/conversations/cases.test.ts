// A person's case through the real runtime, flows and referral service: the engine recognises case numbers however
// they are typed, answers their status, and relays what the person writes to the staff member holding the case.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCaseNumber } from '../../src/engine/case-number.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import { newCaseNumber } from '../../src/referrals/case-number.ts';
import { type ReferralFixture, referralFixture } from '../referrals/support/referrals.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { talk } from './talk.ts';

let app: TestApp;
let f: ReferralFixture;
let n = 0;
const chat = (): ChatRef => ({ channel: 'console', id: `case${++n}` });

beforeEach(async () => {
  f = await referralFixture();
  app = await createTestApp({ referrals: f.service });
});
afterEach(async () => {
  await app.close();
  await f.cleanup();
});

/** French, menu "talk to a person", legal help in Bamako, consent, a description, answer here, no nickname, send. */
const REFER_FR = ['/start', '1', '4', '2', '1', '1', 'On a pris mon passeport', '1', 'passer', '1'];

async function openCase(person: ChatRef): Promise<string> {
  const t = await talk(app, person, REFER_FR);
  const no = /K-[0-9A-Z]{4,8}/.exec(t.at(-1)!.text)?.[0];
  if (!no) throw new Error(`no case number in:\n${t.at(-1)!.text}`);
  return no;
}

describe('case numbers', () => {
  it('one parser reads every way people type them, and the numbers the service issues', () => {
    for (const typed of ['K-7F3Q', 'k-7f3q', 'K 7F3Q', 'k7f3q', ' k-7F3Q '])
      expect(parseCaseNumber(typed)).toBe('K-7F3Q');
    expect(parseCaseNumber('k-7f3qa')).toBe('K-7F3QA');
    for (const length of [4, 5, 6]) {
      const no = newCaseNumber(length);
      expect(parseCaseNumber(no)).toBe(no);
      expect(parseCaseNumber(no.toLowerCase().replace('-', ' '))).toBe(no);
    }
    expect(parseCaseNumber('kayes')).toBeNull();
  });

  it('fr: after the case is saved, the person is told who receives it, what if urgent, and how to withdraw', async () => {
    const person = chat();
    const t = await talk(app, person, REFER_FR);
    const saved = t.at(-1)!.text;
    expect(saved).toMatch(/Ton numéro de dossier : K-[0-9A-Z]{4}/);
    expect(saved).toContain('AME va la recevoir');
    expect(saved).toContain('4 heures');
    expect(saved).toContain('en danger');
    expect(saved).toMatch(/ANNULER K-[0-9A-Z]{4}/);
  });

  it('fr: the status answers the number typed in lower case, with a space, or without the dash, then the menu', async () => {
    const person = chat();
    const no = await openCase(person);
    const body = no.slice(2);
    // Without a dash or a space, a digit is needed ("kayes" is a region, not a case number).
    const typed = [no.toLowerCase(), `K ${body}`, ...(/\d/.test(body) ? [`k${body.toLowerCase()}`] : [])];
    const t = await talk(app, person, typed);
    for (const turn of t) {
      expect(turn.text).toContain(`Ton dossier ${no} attend qu’une personne de AME le prenne en charge.`);
      expect(turn.text).toContain('Que veux-tu faire ?');
    }
  });

  it("fr: a number that is not the person's own, five characters long, is not searched as a question", async () => {
    const t = await talk(app, chat(), ['/start', '1', 'k-7f3qa']);
    expect(t[2]!.text).toContain('Je ne trouve pas de dossier K-7F3QA pour toi.');
  });

  it('fr: a case number typed in the middle of a question answers, then asks that question again', async () => {
    const person = chat();
    const no = await openCase(person);
    const t = await talk(app, person, ['2', no]);
    expect(t[1]!.text).toContain(`Ton dossier ${no}`);
    expect(t[1]!.text).toContain(t[0]!.text.split('\n')[0]!);
  });

  it('fr: once staff hold the case, what the person writes at the menu goes to them, and keeps going', async () => {
    const person = chat();
    const no = await openCase(person);
    const claimed = await f.service.claim(no, { id: 'web:awa', partner: 'ame' });
    expect(claimed.ok).toBe(true);
    const t = await talk(app, person, ['Je suis à la gare routière', 'Et mon frère aussi', 'menu']);
    expect(t[0]!.text).toBe("Message transmis à l'association qui suit ton dossier. Écris MENU pour revenir au menu.");
    expect(t[1]!.text).toBe(t[0]!.text);
    expect(t[2]!.text).toContain('Que veux-tu faire ?');
    const relayed = f.notifier.ofType('person_message').map((e) => e.text);
    expect(relayed).toEqual(['Je suis à la gare routière', 'Et mon frère aussi']);
  });

  it('fr: without a case held by staff, free text at the menu is a question for the FAQ search', async () => {
    const person = chat();
    await openCase(person);
    const t = await talk(app, person, ['on a pris mon passeport a la frontiere']);
    expect(t[0]!.text).not.toContain('Message transmis');
    expect(f.notifier.ofType('person_message')).toEqual([]);
  });
});

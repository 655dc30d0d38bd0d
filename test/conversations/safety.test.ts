// The person in front of the bot (issue 14), whole conversations through the real runtime and shipped flows and
// content, in French, English and Bambara: distress first, keywords that never eat words, consent that informs,
// Bambara equal to French, no false promises.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatRef } from '../../src/ports/chat.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { recordingReferrals, recordingSubscriptions, talk } from './talk.ts';

let app: TestApp;
let referrals: ReturnType<typeof recordingReferrals>;
let subscriptions: ReturnType<typeof recordingSubscriptions>;
let n = 0;
const chat = (channel: ChatRef['channel'] = 'console'): ChatRef => ({ channel, id: `s${++n}` });

beforeEach(async () => {
  referrals = recordingReferrals();
  subscriptions = recordingSubscriptions();
  app = await createTestApp({ referrals, subscriptions });
});
afterEach(async () => {
  await app.close();
});

const FR = ['/start', '1'];
const EN = ['/start', '2'];
const BM = ['/start', '3'];
/** Menu "talk to a person", first need, first region (Bamako), consent yes: the description question. */
const TO_DESCRIPTION = ['4', '1', '1', '1'];

/** One message, at most 300 characters as the terminal chat shows it, with "talk to a person now" first. */
function expectDistressReply(turn: { messages: unknown[]; text: string }, firstChoice: string) {
  expect(turn.messages).toHaveLength(1);
  expect(turn.text.length).toBeLessThanOrEqual(300);
  expect(turn.text).toContain(`1. ${firstChoice}`);
}

describe('distress comes first, from any node', () => {
  it('fr at the menu: calm words, the place asked once, Malian lines, then an urgent referral with consent', async () => {
    const person = chat();
    const t = await talk(app, person, [...FR, 'je veux me suicider', '2', '1', '1']);
    expectDistressReply(t[2]!, "Parler à quelqu'un maintenant");
    expect(t[2]!.text).toContain('Je suis là avec toi.');
    expect(t[2]!.text).toContain('Es-tu au Mali en ce moment ?');
    expectDistressReply(t[3]!, "Parler à quelqu'un maintenant");
    expect(t[3]!.text).toMatch(/📞 .+ : \d/);
    // Consent in one step, naming the association, then the urgent case.
    expect(t[4]!.text).toContain('en urgent');
    expect(t[4]!.text).toMatch(/J'envoie ton message tout de suite à (?!une association)\S/);
    expect(t[5]!.text).toContain('Ton numéro de dossier : K-TEST1.');
    expect(referrals.cases).toHaveLength(1);
    expect(referrals.cases[0]).toMatchObject({ urgent: true, need: 'psychosocial' });
    expect(referrals.cases[0]!.fields.description).toBe('je veux me suicider');
  });

  it('en in the middle of a question: the lines, and "go on" brings the person back to that question', async () => {
    const t = await talk(app, chat(), [...EN, '2', 'i want to end my life', '3', '2']);
    expectDistressReply(t[3]!, 'Talk to someone now');
    expect(t[3]!.text).toContain('Are you in Mali right now?');
    // Not in Mali: no Malian number is given as if it worked there.
    expect(t[4]!.text).not.toMatch(/📞/);
    expect(t[4]!.text).toContain('I have no safe emergency number for where you are.');
    expect(t[5]!.text).toContain(t[2]!.text.split('\n')[0]!);
  });

  it("bm in the middle of a referral: Bambara words, and the request is not sent behind the person's back", async () => {
    const t = await talk(app, chat(), [...BM, ...TO_DESCRIPTION, "n b'a fɛ ka sa"]);
    const reply = t.at(-1)!;
    expectDistressReply(reply, 'Ka kuma mɔgɔ dɔ fɛ sisan');
    // The region (Bamako) says the person is in Mali: the lines of Mali, without asking.
    expect(reply.text).toMatch(/📞 .+ : \d/);
    expect(reply.text).toContain('N bɛ i kɛrɛfɛ.');
    expect(referrals.cases).toEqual([]);
  });

  it('fr: someone who said they are abroad never gets a Malian number', async () => {
    const t = await talk(app, chat(), [...FR, '3', 'abroad', '1', 'menu', 'ils vont me tuer aidez moi']);
    const reply = t.at(-1)!;
    expectDistressReply(reply, "Parler à quelqu'un maintenant");
    expect(reply.text).not.toMatch(/📞/);
    expect(reply.text).not.toContain('Es-tu au Mali');
  });
});

describe('keywords never eat words', () => {
  it('fr: "arrêté" and "arrete" at the menu, a typed question and a choice question are words, not STOP', async () => {
    const person = chat('telegram');
    subscriptions.topics.set(`telegram:${person.id}`, new Set(['expulsions-returns']));
    const atMenu = await talk(app, person, [...FR, 'arrêté']);
    expect(atMenu[2]!.text).not.toContain('alertes sont en pause');
    const atQuestion = await talk(app, person, ['menu', '2', 'arrete']);
    expect(atQuestion[2]!.text).not.toContain('alertes sont en pause');
    const atChoice = await talk(app, person, ['menu', '4', 'arrêté']);
    expect(atChoice[2]!.text).toContain("Je n'ai pas compris.");
    expect(atChoice[2]!.text).toContain('De quelle aide as-tu besoin ?');
    const atDescription = await talk(app, person, ['menu', ...TO_DESCRIPTION, "j'ai été arrêté par la police"]);
    expect(atDescription.at(-1)!.text).toContain("Comment l'association doit te répondre ?");
    expect(subscriptions.paused.size).toBe(0);
    const next = await talk(app, person, ['menu', "j'ai été arrêté par la police"]);
    expect(next[1]!.text).not.toMatch(/^Que veux-tu faire \?/);
  });

  it('en: STOP without alerts asks what to stop; with alerts it pauses them', async () => {
    const person = chat('telegram');
    const t = await talk(app, person, [...EN, 'stop', '3']);
    expect(t[2]!.text).toContain('You have no alerts to stop.');
    expect(t[3]!.text).toContain('What do you want to do?');
    expect(subscriptions.paused.size).toBe(0);
  });

  it('fr: STOP or MENU in the middle of a request says plainly that it was not sent', async () => {
    const stop = await talk(app, chat(), [...FR, ...TO_DESCRIPTION, 'stop']);
    expect(stop.at(-1)!.text).toContain("Ta demande n'a pas été envoyée : elle est annulée.");
    const menu = await talk(app, chat(), [...FR, '4', '1', 'menu']);
    expect(menu.at(-1)!.text).toContain("Ta demande n'a pas été envoyée : elle est annulée.");
    expect(menu.at(-1)!.text).toContain('Que veux-tu faire ?');
    expect(referrals.cases).toEqual([]);
  });

  it('fr and bm: after HELP or LANGUAGE the person is back at the question they were at', async () => {
    const help = await talk(app, chat(), [...FR, '4', '1', 'aide']);
    expect(help[4]!.text).toContain('Mots utiles');
    expect(help[4]!.text).toContain('Dans quelle région es-tu ?');
    const language = await talk(app, chat(), [...BM, '4', '1', 'kan', '3']);
    expect(language.at(-1)!.text).toContain(language[3]!.text.split('\n')[0]!);
  });

  it('fr, en: "merci", "ok" and 👍 get a short friendly reply', async () => {
    for (const [start, said, reply] of [
      [FR, 'merci', 'Avec plaisir !'],
      [FR, '👍', 'Avec plaisir !'],
      [EN, 'ok', "You're welcome!"],
    ] as const) {
      const t = await talk(app, chat(), [...start, said]);
      expect(t[2]!.text).toBe(
        start === FR
          ? 'Avec plaisir ! Écris MENU quand tu as besoin de moi.'
          : `${reply} Write MENU whenever you need me.`,
      );
      expect(t[2]!.text.startsWith(reply)).toBe(true);
    }
  });
});

describe('consent that informs', () => {
  it('fr: names the association, what is shared, how long it is kept and how to withdraw', async () => {
    const t = await talk(app, chat(), [...FR, '4', '1', '1']);
    const consent = t[4]!.text;
    expect(consent).toMatch(/j'envoie à (?!une association)[^:]+ : ton besoin/);
    expect(consent).toContain('effacées 30 jours après la fin du dossier');
    expect(consent).toContain('retirer ta demande');
  });

  it('fr, en, bm: confusion at consent explains again and asks again; the person leaves only by choosing', async () => {
    for (const [start, words, again] of [
      [FR, ['hein', 'je comprends pas', '?', 'quoi'], 'En clair'],
      [EN, ['what', "i don't understand"], 'In short'],
      [BM, ['n ma a faamu', 'mun'], 'A kɔrɔ ye nin ye'],
    ] as const) {
      const person = chat();
      const t = await talk(app, person, [...start, '4', '1', '1', ...words, '1']);
      for (const turn of t.slice(5, 5 + words.length)) expect(turn.text).toContain(again);
      expect((await app.store.load(person))?.session.node).toBe('description');
    }
  });

  it('fr: EFFACER with an open case says the request is withdrawn and the association told', async () => {
    const person = chat();
    referrals.open.set(person.id, [{ no: 'K-7F3Q', status: 'waiting', partner: 'ame', createdAt: 1 }]);
    const t = await talk(app, person, [...FR, 'effacer', '1']);
    expect(t[2]!.text).toContain("elle sera retirée et l'association sera prévenue");
    expect(t[3]!.text).toContain("ta demande est retirée, l'association a été prévenue");
    expect(referrals.erased).toEqual([person]);
  });
});

describe('withdrawing a request', () => {
  it('fr, en: "ANNULER K-7F3Q" asks to confirm the withdrawal, the association is told', async () => {
    for (const [start, typed, asked] of [
      [FR, 'ANNULER k-7f3q', 'elle sera retirée'],
      [EN, 'cancel K 7F3Q', 'it will be withdrawn'],
    ] as const) {
      const person = chat();
      referrals.open.set(person.id, [
        { no: 'K-7F3Q', status: 'claimed', partner: 'ame', createdAt: 1, claimedBy: 'web:awa' },
      ]);
      const t = await talk(app, person, [...start, typed]);
      expect(t[2]!.text).toContain(asked);
    }
  });
});

describe('Bambara equal to French', () => {
  it('a first message that is a Bambara greeting starts in Bambara, with the privacy notice', async () => {
    for (const greeting of ['i ni ce', 'i ni sogoma', 'aw ni ce']) {
      const [t] = await talk(app, chat(), [greeting]);
      expect(t!.text).toContain('JOSI sɛbɛn');
      expect(t!.text).toContain("I b'a fɛ ka mun kɛ?");
      expect(t!.text).not.toContain('Choisis ta langue');
    }
  });

  it('a first question in Bambara is answered in Bambara after the welcome', async () => {
    const [t] = await talk(app, chat(), ['u ye n ka pasipɔri minɛ dancɛ la, n bɛ se ka mun kɛ']);
    expect(t!.text).toContain('JOSI sɛbɛn');
    expect(t!.text).not.toContain('Choisis ta langue');
  });

  it('"more" is offered only where there is more in that language', async () => {
    const t = await talk(app, chat(), [...BM, '1', '1', '1']);
    const answer = t.at(-1)!.text;
    if (answer.includes('Ka dɔ fara a kan')) {
      const more = await talk(app, { channel: 'console', id: `s${n}` }, ['1']);
      expect(more[0]!.text).not.toBe(answer);
    }
    expect(answer).toContain('Nin jaabi ye i dɛmɛ wa?');
  });
});

describe('no false promises, no dead ends', () => {
  it('fr: AUDIO is not offered among the useful words while no recording exists', async () => {
    const t = await talk(app, chat(), [...FR, 'aide']);
    expect(t[2]!.text).not.toContain('AUDIO');
  });

  it('fr: every list has at most 7 choices, the rest under "Autres choix", and a need can be typed from any page', async () => {
    const t = await talk(app, chat(), [...FR, '4', '6', '6', '2', 'asile']);
    for (const turn of t) expect(turn.messages.every((m) => (m.choices?.length ?? 0) <= 7)).toBe(true);
    expect(t[2]!.text).toContain('6. Autres choix\n7. Annuler');
    expect(t[3]!.text).not.toContain('Accueil et orientation');
    expect(t[4]!.text).toContain('Début de la liste');
    expect(t[5]!.text).toContain('1. Accueil et orientation');
    expect(t[6]!.text).toContain('Dans quelle région es-tu ?');
  });

  it('fr: a too long description says the limit; a photo says it was added and what comes next', async () => {
    const t = await talk(app, chat(), [...FR, ...TO_DESCRIPTION, 'x'.repeat(700), '/photo']);
    expect(t.at(-2)!.text).toContain('600 signes au plus');
    expect(t.at(-1)!.text).toContain("C'est ajouté à ta demande.");
    expect(t.at(-1)!.text).toContain('Explique ta situation');
  });
});

describe('answers that fit a phone', () => {
  it.each([
    ['fr', FR, '(Réponse en relecture par une association.)'],
    ['en', EN, '(Being reviewed by an association.)'],
  ])(
    '%s: the "being reviewed" notice is said on the first answer only, not on the next one',
    async (_lang, start, notice) => {
      const person = chat();
      // Rights -> first topic -> first question; back to the menu; rights -> first topic -> second question.
      const t = await talk(app, person, [...start, '1', '1', '1', '0', '1', '1', '2']);
      const answers = t.filter((turn) => turn.text.includes('=='));
      expect(answers).toHaveLength(2);
      expect(answers[0]!.text).toContain(notice);
      expect(answers[1]!.text).not.toContain(notice);
    },
  );
});

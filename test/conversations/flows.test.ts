// Whole conversations through the real runtime and the shipped flows, in French and English.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatRef } from '../../src/ports/chat.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { recordingReferrals, recordingSubscriptions, talk } from './talk.ts';

let app: TestApp;
let referrals: ReturnType<typeof recordingReferrals>;
let subscriptions: ReturnType<typeof recordingSubscriptions>;
let n = 0;
const chat = (channel: ChatRef['channel'] = 'console'): ChatRef => ({ channel, id: `p${++n}` });

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

describe('first contact', () => {
  it('fr: language by number, short welcome with the privacy line, then the menu', async () => {
    const t = await talk(app, chat(), FR);
    expect(t[0]!.text).toContain('Choisis ta langue.\n1. Français\n2. English\n3. Bamanankan\nRéponds 1, 2 ou 3.');
    expect(t[1]!.text).toContain('EFFACER');
    expect(t[1]!.text).toContain("Rien n'est partagé sans ton accord");
    expect(t[1]!.text).toContain('Réponds 1, 2, 3, 4, 5, 6 ou 7.');
  });

  it('en: language by name, and every menu entry is there', async () => {
    const t = await talk(app, chat(), ['/start', 'English']);
    for (const entry of [
      'Know my rights',
      'Ask a question',
      'Find help near me',
      'Talk to a person',
      'Alerts',
      'Language',
      'My data',
    ]) {
      expect(t[1]!.text).toContain(entry);
    }
    expect(t[1]!.text).toContain('Write ERASE at any time');
  });

  it('bm: the menu in Bambara', async () => {
    const t = await talk(app, chat(), ['/start', '3']);
    expect(t[1]!.text).toContain('Ne ka josariyaw dɔn');
    expect(t[1]!.text).toContain('Jaabi 1, 2, 3, 4, 5, 6 walima 7.');
  });
});

describe('topic browsing', () => {
  it('fr: topic -> questions -> answer with sources and date -> did it help? yes', async () => {
    const t = await talk(app, chat(), [...FR, '1', '2', '1', 'oui']);
    expect(t[2]!.text).toContain('Choisis un sujet.');
    expect(t[3]!.text).toContain('Choisis une question.');
    const answer = t[4]!.text;
    expect(answer).toMatch(/^== .+ ==/m);
    expect(answer).toMatch(/Source : .+ · vérifié le \d{1,2}(er)? \S+ 20\d\d/);
    expect(answer).toContain("Est-ce que cette réponse t'aide ?");
    expect(t[5]!.text).toContain('Tant mieux');
  });

  it('en: "no" offers to rephrase or a person, and a person leads to the referral intake', async () => {
    const t = await talk(app, chat(), [...EN, '1', '1', '1', 'no', '2']);
    expect(t[5]!.text).toContain('ask again in other words, or talk to a person');
    expect(t[6]!.text).toContain('I can pass your request to an association');
  });

  it('fr: "en savoir plus" shows the longer part', async () => {
    const t = await talk(app, chat(), [...FR, '1', '1', '1']);
    const answer = t[4]!.text;
    expect(answer).toContain('En savoir plus');
    const more = await talk(app, { channel: 'console', id: `p${n}` }, ['plus']);
    expect(more[0]!.text).toMatch(/Source : /);
  });
});

describe('free question', () => {
  it('fr: a confident answer to an informal question typed at the menu', async () => {
    const t = await talk(app, chat(), [...FR, 'la police a pris mon passeport au travail']);
    expect(t[2]!.text).toMatch(/passeport/i);
    expect(t[2]!.text).toMatch(/Source : /);
  });

  it('en: the "not sure" path offers close questions and a person', async () => {
    const t = await talk(app, chat(), [...EN, '2', 'papers']);
    const text = t[3]!.text;
    if (text.includes('I am not sure I understood')) {
      expect(text).toContain('Talk to a person');
      expect(text).toContain('Ask in other words');
    } else {
      expect(text).toMatch(/Source: /);
    }
  });

  it('fr: off-topic questions get a friendly refusal and the menu', async () => {
    const t = await talk(app, chat(), [...FR, '2', 'qui a gagné le match de foot hier soir']);
    expect(t[3]!.text).toContain('Je peux seulement aider pour les droits des migrants');
    expect(t[3]!.text).toContain('Connaître mes droits');
  });

  it('en: cancel at the question prompt goes back to the menu', async () => {
    const t = await talk(app, chat(), [...EN, '2', 'cancel']);
    expect(t[3]!.text).toContain('What do you want to do?');
  });
});

describe('help near me', () => {
  it('fr: region and need -> organisations, unverified details are not shown as facts', async () => {
    const t = await talk(app, chat(), [...FR, '3', '1', '1']);
    expect(t[2]!.text).toContain('Où es-tu ?');
    expect(t[3]!.text).toContain('De quelle aide as-tu besoin ?');
    const result = t[4]!.text;
    expect(result).toContain('(non vérifié)');
    expect(result).toContain('Coordonnées en cours de vérification');
    expect(result).not.toMatch(/Téléphone : /);
    expect(result).toContain('Et maintenant ?');
  });

  it('en: a region with nobody for that need says so and offers a person', async () => {
    const { catalog } = app.bundle;
    const pairs = catalog.regions.flatMap((r, ri) => catalog.needs.map((nd, ni) => ({ r, nd, ri, ni })));
    const gap = pairs.find((p) => catalog.contactsFor(p.r, p.nd).length === 0);
    expect(gap).toBeDefined();
    // Lists are paged at 7 choices: the region and the need are typed as their names.
    const en = (label: Parameters<typeof app.bundle.presenter.label>[0]) => app.bundle.presenter.label(label, 'en');
    const t = await talk(app, chat(), [...EN, '3', en({ region: gap!.r }), en({ need: gap!.nd })]);
    // Never "I don't know anyone" as the end: organisations working everywhere in Mali, or a person first.
    expect(t[4]!.text).toMatch(/here is who does it everywhere in Mali|Someone from our team can look with you/);
    expect(t[4]!.text).toContain('1. Talk to a person');
  });

  it('en: a region and need typed as words', async () => {
    const t = await talk(app, chat(), [...EN, '3', 'Kidal', 'asylum']);
    expect(t[4]!.text).toMatch(/HCR|UNHCR/);
  });
});

describe('referral intake', () => {
  it('fr: consent names the association and what is shared; minimum fields; confirmation with a case number', async () => {
    const person = chat();
    const t = await talk(app, person, [
      ...FR,
      '4',
      '1',
      '1',
      '1',
      "On m'a renvoyé hier, j'ai perdu mes papiers",
      '1',
      'passer',
      '1',
    ]);
    const consent = t[4]!.text;
    expect(consent).toMatch(/j'envoie à .+ : ton besoin \(.+\), ta région \(Bamako\)/);
    expect(consent).toContain('Pourquoi');
    expect(t[9]!.text).toContain('Ton numéro de dossier : K-TEST1.');
    expect(referrals.cases).toEqual([
      {
        type: 'refer',
        intakeId: 'i1',
        need: 'orientation',
        region: 'bamako',
        partner: 'ame',
        fields: { description: "On m'a renvoyé hier, j'ai perdu mes papiers", contact: 'chat' },
      },
    ]);
    // The personal answers are not kept in the session after the case is handed over.
    const stored = await app.store.load(person);
    expect(JSON.stringify(stored?.session.vars)).not.toContain('papiers');
  });

  it('en: phone contact with a nickname, a wrong phone is re-asked', async () => {
    const t = await talk(app, chat(), [
      ...EN,
      'person',
      '2',
      '1',
      'yes',
      'skip',
      '2',
      '12',
      '+223 70 00 00 01',
      'Ali',
      'send',
    ]);
    expect(t[8]!.text).toContain('That phone number does not look right');
    expect(referrals.cases[0]!.fields).toEqual({ contact: 'phone', phone: '+22370000001', nickname: 'Ali' });
  });

  it('fr: a voice note at the menu is offered to a person; yes opens the request with it, after consent', async () => {
    const t = await talk(app, chat(), [...FR, '/voice', '1', '1', '1', '1', 'passer', '1', 'passer', '1']);
    expect(t[2]!.text).toContain(
      "Je ne peux pas écouter, mais une personne d'une association peut. Lui envoyer ton message vocal ?",
    );
    expect(t[2]!.text).toContain("1. Oui, l'envoyer");
    expect(t[3]!.text).toContain('De quelle aide as-tu besoin ?');
    expect(referrals.cases).toHaveLength(1);
    expect(referrals.cases[0]!.fields).toEqual({ voice_media: 'ref-voice', contact: 'chat' });
  });

  it('en and bm: no keeps the voice note to the bot; nothing is sent and the person is back at the menu', async () => {
    const t = await talk(app, chat(), [...EN, '/voice', '2']);
    expect(t[2]!.text).toContain("I can't listen, but a person from an association can. Send them your voice message?");
    expect(t[3]!.text).toContain('your voice message is not sent');
    expect(t[3]!.text).toContain('Know my rights');
    // A second voice note while the offer is open asks again; "no" still goes back to the menu.
    const twice = await talk(app, chat(), [...FR, '/voice', '/voice', '2']);
    expect(twice[3]!.text).toContain('Lui envoyer ton message vocal ?');
    expect(twice[4]!.text).toContain("ton message vocal n'est pas envoyé");
    expect(twice[4]!.text).toContain('Que veux-tu faire');
    const bm = await talk(app, chat(), ['/start', '3', '/voice']);
    expect(bm[2]!.text).toContain("N tɛ se ka a lamɛn, nka jɛkulu dɔ ka mɔgɔ bɛ se. N k'i ka kumakan ci a ma wa?");
    expect(referrals.cases).toEqual([]);
  });

  it('fr: a voice note in the middle of a request joins it, and the question is asked again', async () => {
    const t = await talk(app, chat(), [...FR, '4', '/voice', '1', '1', '1', 'passer', '1', 'passer', '1']);
    expect(t[3]!.text).toContain("C'est ajouté à ta demande.");
    expect(t[3]!.text).toContain('De quelle aide as-tu besoin ?');
    expect(referrals.cases[0]!.fields.voice_media?.split(',').filter(Boolean)).toEqual(['ref-voice']);
  });

  it('fr: a photo during the description is attached to the case', async () => {
    await talk(app, chat(), [...FR, '4', '1', '1', '1', '/photo', 'Voici mon papier', '1', 'passer', '1']);
    expect(referrals.cases[0]!.fields.description_media).toBe('ref-photo');
  });

  it('fr and en: cancel at any step sends nothing', async () => {
    const fr = await talk(app, chat(), [...FR, '4', '1', '1', 'non']);
    expect(fr[4]!.text).toContain("Tu es d'accord ?");
    expect(fr[5]!.text).toContain("Demande annulée. Rien n'a été envoyé.");
    const en = await talk(app, chat(), [...EN, '4', '1', '1', 'yes', 'some words', 'cancel']);
    expect(en[7]!.text).toContain('Request cancelled. Nothing was sent.');
    expect(referrals.cases).toEqual([]);
  });
});

describe('alerts', () => {
  it('en on Telegram: subscribe to a topic and region, list, unsubscribe one', async () => {
    const person = chat('telegram');
    const t = await talk(app, person, [...EN, '5', '1', '1', '1', 'yes', '5', '3', '1', '2']);
    expect(t[5]!.text).toMatch(/Receive '.+' alerts for Bamako\?/);
    expect(t[6]!.text).toContain('Done. Write STOP to stop.');
    expect(t[9]!.text).toContain('Done, you will not receive this topic any more.');
    expect(t[10]!.text).toContain('You have no alert subscriptions.');
    expect(await subscriptions.list(person)).toEqual([]);
  });

  it('fr on Telegram: subscribe then list shows the topic', async () => {
    const person = chat('telegram');
    const t = await talk(app, person, [...FR, '5', '1', '1', '1', 'oui', '5', '2']);
    expect(await subscriptions.list(person)).toEqual(['expulsions-returns']);
    expect(t[8]!.text).toContain('Tes alertes :');
  });

  it('fr on WhatsApp: alerts come through Telegram, and why', async () => {
    const t = await talk(app, chat('whatsapp'), [...FR, '5']);
    expect(t[2]!.text).toContain('Les alertes passent par Telegram');
    expect(t[2]!.text).toContain('bloque les numéros');
  });

  it('en: "stop" from anywhere pauses alerts and says how to come back', async () => {
    const person = chat('telegram');
    subscriptions.topics.set(`telegram:${person.id}`, new Set(['expulsions']));
    const t = await talk(app, person, [...EN, '3', 'stop']);
    expect(t[3]!.text).toContain('Your alerts are paused. Write MENU to come back');
    expect(subscriptions.paused.has(`telegram:${person.id}`)).toBe(true);
  });
});

describe('my data', () => {
  it('fr: what is stored and for how long, then erase with confirmation', async () => {
    const person = chat();
    const t = await talk(app, person, [...FR, '7', '1', '1']);
    expect(t[2]!.text).toContain('Je garde');
    expect(t[2]!.text).toContain('30 jours');
    expect(t[3]!.text).toContain('Cela ne peut pas être annulé');
    expect(t[4]!.text).toContain('tout ce qui te concerne est effacé');
    expect(await app.store.load(person)).toBeNull();
    expect(referrals.erased).toEqual([person]);
  });

  it('en: ERASE from anywhere, and "no" keeps everything', async () => {
    const person = chat();
    const t = await talk(app, person, [...EN, '4', 'ERASE', 'no']);
    expect(t[3]!.text).toContain('Erase everything about you?');
    expect(t[4]!.text).toContain('OK, nothing was erased.');
    expect(await app.store.load(person)).not.toBeNull();
  });
});

describe('keywords from anywhere', () => {
  it('fr: AIDE, LANGUE and MENU work in the middle of a referral', async () => {
    const t = await talk(app, chat(), [...FR, '4', 'aide', 'langue', '2', 'menu']);
    expect(t[3]!.text).toContain('Mots utiles');
    expect(t[4]!.text).toContain('Choisis ta langue.');
    expect(t[5]!.text).toContain('Done: I will talk to you in English.');
    expect(t[6]!.text).toContain('What do you want to do?');
  });

  it('fr: a greeting at a menu gets a greeting and the menu, but stays a description at a typed question', async () => {
    const person = chat();
    const t = await talk(app, person, [...FR, 'Bonjour', '4', '1', '1', 'oui', 'bonjour']);
    expect(t[2]!.text).toContain('Bonjour ! 👋');
    expect(t[2]!.text).toContain('Que veux-tu faire ?');
    expect(t[7]!.text).toContain("Comment l'association doit te répondre ?");
  });

  it('fr and en: AUDIO without any recording promises nothing', async () => {
    const person = chat();
    const t = await talk(app, person, [...EN, '1', 'voice']);
    // No recording exists: nothing is promised, and the person is back at their question.
    expect(t[3]!.text).toContain('There are no voice messages in your language yet: I will go on in writing.');
    expect(t[3]!.text).toContain('Choose a topic.');
    expect((await app.store.load(person))?.session.vars.audio).toBeUndefined();
    const fr = await talk(app, chat(), [...FR, 'audio']);
    expect(fr[2]!.text).toContain("Il n'y a pas encore de message vocal dans ta langue : je continue par écrit.");
    // TEXTE then promises no voice notes to come back to either.
    const off = await talk(app, chat(), [...FR, 'texte']);
    expect(off[2]!.text).toContain("Il n'y a pas encore de message vocal dans ta langue : je continue par écrit.");
    expect(off[2]!.text).not.toContain('Écris AUDIO');
  });

  it('en: "human" opens the referral intake', async () => {
    const t = await talk(app, chat(), [...EN, '1', 'human']);
    expect(t[3]!.text).toContain('I can pass your request to an association');
  });
});

describe('deep links', () => {
  it('on first contact, asks the language and shows the privacy notice, then opens the FAQ', async () => {
    const person = chat('telegram');
    const first = await app.runtime.handle(
      person,
      { kind: 'start', payload: 'faq-arrested-abroad' },
      { platformLang: 'en' },
    );
    expect(first.map((m) => m.paragraphs.join('\n')).join('\n')).toContain('Choose your language.');
    const reply = await app.runtime.handle(person, { kind: 'text', text: '2' });
    const text = reply.map((m) => [m.title, ...m.paragraphs].join('\n')).join('\n');
    expect(text).toContain('Write ERASE at any time');
    expect(text).toMatch(/Sources?: /);
    expect(reply.at(-1)?.choices?.map((c) => c.id)).toContain('yes');
  });

  it('opens an FAQ directly for someone who already chose a language', async () => {
    const person = chat();
    await talk(app, person, EN);
    const [t] = await talk(app, person, ['/start faq-arrested-abroad']);
    expect(t!.text).toMatch(/Sources?: /);
    expect(t!.text).not.toContain('Choose your language.');
  });

  it('opens a topic after the language, and an unknown payload falls back to the welcome', async () => {
    const topic = await talk(app, chat(), ['/start topic-travel-documents', '1']);
    expect(topic[1]!.text).toContain('Choisis une question.');
    const unknown = await talk(app, chat(), ['/start faq-does-not-exist']);
    expect(unknown[0]!.text).toContain('Choisis ta langue.');
  });
});

describe('odd input', () => {
  it('media, emoji, out-of-range numbers and very long text get a helpful reply and the same question', async () => {
    const t = await talk(app, chat(), [...FR, '/photo', '🙏🙏🙏', '42', 'x'.repeat(10_000), '/sticker', '/location']);
    expect(t[2]!.text).toContain('Je ne peux pas lire les photos ici');
    expect(t[3]!.text).toContain("Je n'ai pas compris.");
    expect(t[4]!.text).toContain("Ce numéro n'est pas dans la liste (1 à 7).");
    expect(t[5]!.text).toContain('Ton message est trop long');
    expect(t[6]!.text).toContain('Réponds avec un numéro');
    expect(t[7]!.text).toContain("Je n'utilise pas ta position");
    for (const turn of t.slice(2)) expect(turn.text).toContain('Réponds 1, 2, 3, 4, 5, 6 ou 7.');
  });

  it('three wrong answers in a row bring the menu, with the option to talk to a person', async () => {
    const t = await talk(app, chat(), [...EN, '3', 'qwerty', 'asdf', 'zxcv']);
    expect(t[5]!.text).toContain('No problem. Here is the menu. You can also talk to a person.');
  });

  it('a late reply to an old question after silence is answered from where the person was', async () => {
    const person = chat();
    await talk(app, person, [...FR, '1']);
    const late = await talk(app, person, ['2']);
    expect(late[0]!.text).toContain('Choisis une question.');
  });

  it('no message is longer than about 600 characters without a "more" step', async () => {
    const t = await talk(app, chat(), [...FR, '1', '1', '1', '2', '3', '4']);
    for (const turn of t)
      for (const m of turn.messages) for (const p of m.paragraphs) expect(p.length).toBeLessThanOrEqual(650);
  });
});

describe('erasure that cannot finish', () => {
  it('says so, keeps the session at the question, and erases on the next confirmation', async () => {
    await app.close();
    let failOnce = true;
    const flaky = recordingReferrals();
    const eraseFor = flaky.eraseFor;
    flaky.eraseFor = async (c) => {
      if (failOnce) {
        failOnce = false;
        throw new Error('Connection is closed.');
      }
      return eraseFor(c);
    };
    app = await createTestApp({ referrals: flaky, subscriptions });
    const person = chat();
    const t = await talk(app, person, [...FR, 'EFFACER', '1']);
    expect(t[3]!.text).toContain("l'effacement n'a pas pu se terminer");
    expect(t[3]!.text).not.toContain('tout ce qui te concerne est effacé');
    expect((await app.store.load(person))?.session.node).toBe('erase-confirm');
    const again = await talk(app, person, ['1']);
    expect(again[0]!.text).toContain('tout ce qui te concerne est effacé');
    expect(await app.store.load(person)).toBeNull();
    expect(flaky.erased).toEqual([person]);
  });
});

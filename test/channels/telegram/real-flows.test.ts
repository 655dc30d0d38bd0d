// The shipped flows, content and runtime on real Redis, through grammY and the loopback Bot API server.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { callbackUpdate, mediaUpdate, startUpdate } from '../../support/bot-api-server.ts';
import { buttonData, type Harness, keyboardOf, startHarness } from './harness.ts';

let app: TestApp;
let h: Harness;

beforeEach(async () => {
  app = await createTestApp();
  h = await startHarness(app.runtime);
});

afterEach(async () => {
  await h.close();
  await app.close();
});

const labels = (call: Parameters<typeof keyboardOf>[0]) =>
  keyboardOf(call)
    .flat()
    .map((b) => b.text);

describe('the shipped conversation on Telegram', () => {
  it('goes /start -> language -> menu -> topic -> question -> answer', async () => {
    const [language] = await h.say(60, startUpdate(60, undefined, { languageCode: 'fr' }));
    expect(labels(language)).toEqual(['Français', 'English', 'Bamanankan']);

    const [menu] = await h.say(60, callbackUpdate(60, buttonData(language, 'Français')));
    expect(labels(menu)).toContain('Connaître mes droits');

    const [topics] = await h.say(60, callbackUpdate(60, buttonData(menu, 'Connaître mes droits')));
    const [questions] = await h.say(60, callbackUpdate(60, buttonData(topics, 'Voyage et papiers')));
    const [answer, helped] = await h.say(
      60,
      callbackUpdate(60, buttonData(questions, 'Quels papiers pour passer une frontière ?')),
      2,
    );
    expect(String(answer?.params.text)).toMatch(/^<b>Quels papiers pour passer une frontière \?<\/b>\n\n/);
    expect(keyboardOf(answer)).toEqual([]);
    expect(labels(helped)).toContain('Oui');
    expect(h.server.callsTo('answerCallbackQuery')).toHaveLength(4);
  });

  it('answers a press on an old keyboard with the current question', async () => {
    const [language] = await h.say(61, startUpdate(61));
    const [menu] = await h.say(61, callbackUpdate(61, buttonData(language, 'Français')));
    const replies = await h.say(61, callbackUpdate(61, buttonData(language, 'English')));
    const current = replies.at(-1);
    expect(labels(current)).toEqual(labels(menu));
    // Still in French: the old "English" button changed nothing.
    expect(String(current?.params.text)).toContain('Que veux-tu faire');
    const [topics] = await h.say(61, callbackUpdate(61, buttonData(current, 'Connaître mes droits')));
    expect(labels(topics)).toContain('Voyage et papiers');
  });

  it('opens the FAQ of a deep link, and welcomes on an unknown one', async () => {
    // First contact: the language once (and the privacy notice), then the FAQ of the link.
    const [language] = await h.say(62, startUpdate(62, 'faq-passport-taken', { languageCode: 'fr' }));
    const replies = await h.say(62, callbackUpdate(62, buttonData(language, 'Français')), 3);
    expect(replies.map((r) => String(r.params.text)).join('\n')).toContain('EFFACER');
    expect(replies.map((r) => String(r.params.text)).join('\n')).toMatch(/<b>On m'a pris mon passeport<\/b>/);
    const [welcome] = await h.say(63, startUpdate(63, 'faq-does-not-exist'));
    expect(labels(welcome)).toEqual(['Français', 'English', 'Bamanankan']);
  });

  it('answers a voice note by offering to send it to a person, and "no" goes back to the menu', async () => {
    const [language] = await h.say(64, startUpdate(64));
    const [menu] = await h.say(64, callbackUpdate(64, buttonData(language, 'Français')));
    const [offer] = await h.say(64, mediaUpdate(64, 'voice'));
    expect(String(offer?.params.text)).toContain('Je ne peux pas écouter, mais une personne');
    expect(labels(offer)).toEqual(["Oui, l'envoyer", 'Non']);
    const [back] = await h.say(64, callbackUpdate(64, buttonData(offer, 'Non')));
    expect(String(back?.params.text)).toContain("ton message vocal n'est pas envoyé");
    expect(labels(back)).toEqual(labels(menu));
  });

  it('reads the caption of a photo as the question', async () => {
    const [language] = await h.say(65, startUpdate(65));
    await h.say(65, callbackUpdate(65, buttonData(language, 'Français')));
    const photo = mediaUpdate(65, 'photo');
    const [reply] = await h.say(65, { message: { ...photo.message!, caption: "On m'a pris mon passeport" } });
    expect(String(reply?.params.text)).toMatch(/<b>On m'a pris mon passeport<\/b>/);
  });
});

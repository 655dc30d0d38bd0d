// People hear approved recordings on Telegram (issue 18 point 4): the shipped flows and runtime on real Redis,
// grammY against the loopback Bot API server, real OGG/Opus recordings made by ffmpeg, recorded and approved through
// the library. 🔊 is offered only where a recording exists in the person's language; once chosen, voice notes come
// with every answer that has one; the file is uploaded once, then sent by the file_id Telegram returned.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CachedApprovedVoices } from '../../src/audio/approved-voices.ts';
import { AudioLibrary } from '../../src/audio/library.ts';
import type { ApprovedVoices } from '../../src/ports/voices.ts';
import { buttonData, type Harness, keyboardOf, startHarness } from '../channels/telegram/harness.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import {
  callbackUpdate,
  type RecordedCall,
  startUpdate,
  textUpdate,
  type UpdateBody,
} from '../support/bot-api-server.ts';
import { tone } from './support.ts';

let app: TestApp;
let h: Harness;
let dataDir: string;
let library: AudioLibrary;

/** Records (as a Telegram voice note would be kept) and approves, as staff and an admin do. */
async function recordAndApprove(item: 'welcome' | 'menu' | `faq-${string}`, lang: 'fr' | 'bm', seconds: number) {
  await library.saveVoiceNote(item, lang, await tone(seconds), 'telegram:staff');
  await library.approve(item, lang, 'web:admin');
}

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'kf-hear-'));
  // The runtime reads the recordings through this (the library needs the app's Redis, made with the app).
  let voices: CachedApprovedVoices | null = null;
  const lazy: ApprovedVoices = { approved: () => voices!.approved() };
  app = await createTestApp({ voices: lazy });
  library = await AudioLibrary.open({ redis: app.redis, keys: app.keys, dataDir, content: app.bundle.content });
  voices = new CachedApprovedVoices(library);
  await recordAndApprove('menu', 'fr', 1);
  await recordAndApprove('faq-arrested-abroad', 'fr', 2);
  await recordAndApprove('welcome', 'bm', 1);
  await recordAndApprove('menu', 'bm', 1);
  // Recorded but not approved: nobody hears it.
  await library.saveVoiceNote('welcome', 'fr', await tone(1), 'telegram:staff');
  h = await startHarness(app.runtime, { voiceIds: voices });
});

afterEach(async () => {
  await h.close();
  await app.close();
  await rm(dataDir, { recursive: true, force: true });
});

const labels = (call: RecordedCall | undefined) =>
  keyboardOf(call)
    .flat()
    .map((b) => b.text);

/** Sends an update; resolves once `messages` texts came back, with every call to the chat since, in order. */
async function turn(chatId: number, update: UpdateBody, messages = 1): Promise<RecordedCall[]> {
  const since = h.server.lastSeq;
  await h.say(chatId, update, messages);
  return sentSince(chatId, since);
}
/** The texts and voice notes sent to a chat after `since` (a seq). */
const sentSince = (chatId: number, since: number) =>
  h.server.sentTo(chatId).filter((c) => c.seq > since && (c.method === 'sendMessage' || c.method === 'sendVoice'));
const voices = (calls: RecordedCall[]) => calls.filter((c) => c.method === 'sendVoice');
const texts = (calls: RecordedCall[]) => calls.filter((c) => c.method === 'sendMessage');

describe('hearing approved recordings on Telegram', () => {
  it('fr: 🔊 under the menu, voice notes once chosen, uploaded once then sent by file_id; TEXTE stops them', async () => {
    const [language] = await h.say(80, startUpdate(80, undefined, { languageCode: 'fr' }));
    // Nothing recorded is said here: no 🔊.
    expect(labels(language)).toEqual(['Français', 'English', 'Bamanankan']);

    const welcome = await turn(80, callbackUpdate(80, buttonData(language, 'Français')));
    const menu = texts(welcome).at(-1);
    expect(labels(menu)).toContain('🔊 Écouter');
    // Offered, not sent: mobile data is the person's.
    expect(voices(welcome)).toEqual([]);

    const listened = await turn(80, callbackUpdate(80, buttonData(menu, '🔊 Écouter')), 2);
    expect(String(texts(listened)[0]?.params.text)).toContain('Écris TEXTE pour arrêter');
    // The menu's recording (the French welcome is not approved: not sent), uploaded from the data directory.
    expect(voices(listened)).toHaveLength(1);
    expect(voices(listened)[0]!.files).toEqual([expect.objectContaining({ field: 'voice' })]);
    const fileId = `uploaded-${voices(listened)[0]!.files[0]!.filename}`;
    // The menu again, without 🔊 now that voice notes are on.
    const again = texts(listened).at(-1);
    expect(String(again?.params.text)).toContain('Que veux-tu faire');
    expect(labels(again)).not.toContain('🔊 Écouter');

    // An answer that has a recording comes with it.
    const [topics] = await h.say(80, callbackUpdate(80, buttonData(again, 'Connaître mes droits')));
    const [questions] = await h.say(80, callbackUpdate(80, buttonData(topics, 'Arrêté ou expulsé')));
    const answer = await turn(80, callbackUpdate(80, buttonData(questions, "Arrêté à l'étranger, que faire ?")), 2);
    expect(String(texts(answer)[0]?.params.text)).toContain("Arrêté à l'étranger, que faire ?");
    expect(voices(answer)).toHaveLength(1);
    expect(voices(answer)[0]!.files).toHaveLength(1);
    expect(answer.map((c) => c.method)).toEqual(['sendMessage', 'sendVoice', 'sendMessage']);

    // Another person: the menu's recording goes by the file_id Telegram gave, not uploaded again.
    const [other] = await h.say(81, startUpdate(81, undefined, { languageCode: 'fr' }));
    const otherWelcome = await turn(81, callbackUpdate(81, buttonData(other, 'Français')));
    const otherListened = await turn(81, callbackUpdate(81, buttonData(texts(otherWelcome).at(-1), '🔊 Écouter')), 2);
    expect(voices(otherListened)).toHaveLength(1);
    expect(voices(otherListened)[0]!.files).toEqual([]);
    expect(voices(otherListened)[0]!.params.voice).toBe(fileId);
    // Kept with the recording, for the other processes and after a restart.
    expect((await library.approvedFor('menu', 'fr'))?.platformIds.telegram).toBe(fileId);

    // TEXTE: text only again, and 🔊 is offered again where there is a recording.
    const stopped = await turn(80, textUpdate(80, 'TEXTE'));
    expect(String(texts(stopped)[0]?.params.text)).toContain('plus de messages vocaux');
    const back = await turn(80, textUpdate(80, 'menu'));
    // The next answer shows the previous one was delivered in full: no voice note came with the menu.
    await turn(80, textUpdate(80, 'aide'));
    expect(voices(back)).toEqual([]);
    expect(voices(sentSince(80, back[0]!.seq))).toEqual([]);
    expect(labels(texts(back).at(-1))).toContain('🔊 Écouter');
  });

  it('bm: the welcome and the menu are heard, each once', async () => {
    const [language] = await h.say(82, startUpdate(82));
    const welcome = await turn(82, callbackUpdate(82, buttonData(language, 'Bamanankan')));
    const menu = texts(welcome).at(-1);
    expect(labels(menu)).toContain('🔊 A lamɛn');

    const listened = await turn(82, callbackUpdate(82, buttonData(menu, '🔊 A lamɛn')), 2);
    expect(voices(listened)).toHaveLength(2);
    expect(listened.map((c) => c.method)).toEqual(['sendMessage', 'sendVoice', 'sendVoice', 'sendMessage']);
    const recorded = await Promise.all([library.get('welcome', 'bm'), library.get('menu', 'bm')]);
    expect(voices(listened).map((c) => c.files[0]?.filename)).toEqual(recorded.map((r) => path.basename(r!.path)));
    // The typed keyword works as well, here turning them off.
    const stopped = await turn(82, textUpdate(82, 'sɛbɛn'));
    expect(String(texts(stopped)[0]?.params.text)).toContain('n tɛna kumakan ci i ma tun');
  });

  it('en: no recording in the language, no 🔊, and AUDIO promises nothing', async () => {
    const [language] = await h.say(83, startUpdate(83, undefined, { languageCode: 'en' }));
    const welcome = await turn(83, callbackUpdate(83, buttonData(language, 'English')));
    expect(labels(texts(welcome).at(-1))).not.toContain('🔊 Listen');
    const asked = await turn(83, textUpdate(83, 'audio'));
    expect(String(texts(asked)[0]?.params.text)).toContain('There are no voice messages in your language yet');
    expect(voices(asked)).toEqual([]);
  });
});

// A person's voice note reaches a person (issue 18 point 5): sent outside a request on Telegram (loopback Bot API,
// real OGG/Opus from ffmpeg), the bot offers to send it; yes opens a request with consent as usual; the case keeps
// the voice note sealed in the data directory; the partner's staff play it in the console, another partner's staff
// get the missing-case answer; "EFFACER" removes the file from disk and Redis.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { telegramAttachments } from '../../src/channels/telegram/staff/attachments.ts';
import { tone } from '../audio/support.ts';
import { buttonData, type Harness, startHarness } from '../channels/telegram/harness.ts';
import { Client, type Console, createConsole } from '../staff/support/console.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import {
  callbackUpdate,
  mediaUpdate,
  type RecordedCall,
  startUpdate,
  textUpdate,
  type UpdateBody,
} from '../support/bot-api-server.ts';

const PERSON = 7101;

let dir: string;
let k: Console;
let app: TestApp;
let h: Harness;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kf-attachments-'));
  k = await createConsole({}, { attachmentsDir: dir });
  app = await createTestApp({ referrals: k.referrals });
  h = await startHarness(app.runtime);
  k.referrals.attachments!.setFetcher(
    'telegram',
    telegramAttachments(() => h.channel.bot.api, { apiRoot: h.server.apiRoot, token: h.server.token }),
  );
});
afterEach(async () => {
  await h.close();
  await app.close();
  await k.close();
  await rm(dir, { recursive: true, force: true });
});

/** Sends an update and resolves with the bot's first message to the person that matches `expected`. */
async function turn(update: UpdateBody, expected: RegExp): Promise<RecordedCall> {
  const since = h.server.lastSeq;
  h.server.push(update);
  const [call] = await h.server.waitForCalls(
    (c) => c.method === 'sendMessage' && c.chatId === String(PERSON) && expected.test(String(c.params.text)),
    1,
    { since },
  );
  return call!;
}

const attachmentKeys = () => k.redis.keys(`${k.keys.key('att')}*`);

test('a voice note outside a request is offered to a person, sent with consent, played by the partner only, erased', async () => {
  const voice = await tone(2);
  const language = await turn(startUpdate(PERSON), /Choisis ta langue/);
  await turn(callbackUpdate(PERSON, buttonData(language, 'Français')), /Que veux-tu faire/);

  const note = mediaUpdate(PERSON, 'voice');
  const fileId = (note as { message: { voice: { file_id: string } } }).message.voice.file_id;
  h.server.addFile(fileId, voice);
  const offer = await turn(note, /Je ne peux pas écouter, mais une personne d.une association peut/);
  // Nothing is fetched before the person chose to send it.
  expect(h.server.callsTo('getFile')).toHaveLength(0);

  await turn(callbackUpdate(PERSON, buttonData(offer, "Oui, l'envoyer")), /De quelle aide as-tu besoin/);
  await turn(textUpdate(PERSON, '1'), /Dans quelle région es-tu/);
  const consent = await turn(textUpdate(PERSON, '1'), /Tu es d.accord/);
  await turn(callbackUpdate(PERSON, buttonData(consent, "Oui, j'accepte")), /Explique ta situation/);
  await turn(textUpdate(PERSON, 'passer'), /Comment l.association doit te répondre/);
  await turn(textUpdate(PERSON, '1'), /Comment veux-tu qu.on t.appelle/);
  await turn(textUpdate(PERSON, 'passer'), /Tout est prêt/);
  const saved = await turn(textUpdate(PERSON, '1'), /numéro de dossier/);
  const no = /K-[0-9A-Z]{4,8}/.exec(String(saved.params.text))![0];

  // Kept sealed: one file in the data directory, which is not the voice note in the clear.
  const files = await readdir(dir);
  expect(files).toHaveLength(1);
  const onDisk = await readFile(path.join(dir, files[0]!));
  expect(onDisk.includes(voice.subarray(0, 64))).toBe(false);
  expect(onDisk.toString('utf8')).not.toContain('OggS');

  const partner = (await k.redis.hget(`${k.keys.key('ref')}:case:${no}`, 'partner'))!;
  await k.referrals.dispatch(no);
  const staff = await k.account('Awa', partner);
  const c = new Client(k.app, undefined, '10.7.1.1');
  await c.login(staff.id);
  expect((await c.page(`/cases/${no}`)).html).toContain(`href="/cases/${no}/attachments"`);
  const filesPage = await c.page(`/cases/${no}/attachments`);
  expect(filesPage.html).toContain(`<audio controls preload="none" src="/cases/${no}/attachments/0">`);
  expect(filesPage.html).toContain('Voice message 1');
  const played = await c.get(`/cases/${no}/attachments/0`);
  expect(played.status).toBe(200);
  expect(played.headers.get('content-type')).toBe('audio/ogg');
  expect(played.headers.get('cache-control')).toBe('no-store');
  expect(Buffer.from(await played.arrayBuffer()).equals(voice)).toBe(true);

  const other = [...k.referrals.partners.keys()].find((id) => id !== partner)!;
  const stranger = await k.account('Moussa', other);
  const s = new Client(k.app, undefined, '10.7.1.2');
  await s.login(stranger.id);
  for (const url of [`/cases/${no}/attachments`, `/cases/${no}/attachments/0`]) {
    const refused = await s.get(url);
    expect(refused.status).toBe(404);
    expect(await refused.text()).toContain('This case does not exist.');
  }

  const admin = await k.account('Directrice', partner, 'admin');
  const boss = new Client(k.app, undefined, '10.7.1.3');
  await boss.login(admin.id);
  expect((await boss.page('/audit')).html).toContain('opened a file the person sent');

  // EFFACER: the voice note leaves the disk and Redis with the rest.
  expect(await attachmentKeys()).not.toEqual([]);
  const confirm = await turn(textUpdate(PERSON, 'EFFACER'), /Effacer tout ce qui te concerne/);
  await turn(callbackUpdate(PERSON, buttonData(confirm, 'Oui, tout effacer')), /effac/i);
  expect(await readdir(dir)).toEqual([]);
  expect(await attachmentKeys()).toEqual([]);
  expect((await c.get(`/cases/${no}/attachments/0`)).status).toBe(404);
});

test('no keeps the voice note to the bot: nothing is downloaded or kept', async () => {
  const language = await turn(startUpdate(PERSON), /Choisis ta langue/);
  await turn(callbackUpdate(PERSON, buttonData(language, 'Français')), /Que veux-tu faire/);
  const offer = await turn(mediaUpdate(PERSON, 'voice'), /Lui envoyer ton message vocal/);
  await turn(callbackUpdate(PERSON, buttonData(offer, 'Non')), /pas envoyé/);
  expect(h.server.callsTo('getFile')).toHaveLength(0);
  expect(await readdir(dir).catch(() => [])).toEqual([]);
  expect(await attachmentKeys()).toEqual([]);
});

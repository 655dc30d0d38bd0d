// Files sent on WhatsApp during a request (issue 16 point 5, issue 15 "attachments viewable"): the fake Client plays
// WhatsApp (a photo with its caption in `body`, downloadMedia giving a MessageMedia), the real runtime and flows
// answer, the referral service keeps the file sealed with the case, and the partner's staff view it in the console.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { WhatsAppChannel } from '../../../src/channels/whatsapp/adapter.ts';
import { Client, type Console, createConsole } from '../../staff/support/console.ts';
import { createTestApp, type TestApp } from '../../support/app.ts';
import { type FakeWhatsAppClient, type WaFile, waMedia, waMessage } from '../../support/fake-whatsapp-client.ts';
import { waitFor } from './harness.ts';
import { startReadyChannel } from './ready-channel.ts';

const FATOU = '22379000001@c.us';
const PAPER: WaFile = { mimetype: 'image/jpeg', bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 7, 7, 7, 7, 7]) };

let k: Console;
let app: TestApp;
let channel: WhatsAppChannel;
let client: FakeWhatsAppClient;
let dataDir: string;
let filesDir: string;

beforeEach(async () => {
  filesDir = await mkdtemp(join(tmpdir(), 'kf-wa-files-'));
  dataDir = await mkdtemp(join(tmpdir(), 'kf-wa-att-'));
  k = await createConsole({}, { attachmentsDir: filesDir });
  app = await createTestApp({ referrals: k.referrals });
  ({ channel, client } = await startReadyChannel({
    runtime: app.runtime,
    redis: app.redis,
    keys: app.keys,
    dataDir,
    attachments: k.referrals.attachments!,
  }));
});
afterEach(async () => {
  await channel.stop();
  await app.close();
  await k.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(filesDir, { recursive: true, force: true });
});

/** Sends a message as Fatou; resolves with what the bot wrote back once a text matches `expected`. */
async function say(message: ReturnType<typeof waMessage>, expected: RegExp): Promise<string> {
  const before = client.textsTo(FATOU).length;
  client.receive(message);
  await waitFor(
    () =>
      client
        .textsTo(FATOU)
        .slice(before)
        .some((t) => expected.test(t)),
    `an answer ${expected}`,
  );
  return client.textsTo(FATOU).slice(before).join('\n\n');
}

const text = (body: string) => waMessage(FATOU, { body });

async function openRequest(): Promise<void> {
  await say(text('Bonjour'), /Bamanankan/);
  await say(text('1'), /Que veux-tu faire/);
  await say(text('4'), /De quelle aide as-tu besoin/);
  await say(text('1'), /Dans quelle région es-tu/);
  await say(text('1'), /Tu es d.accord/);
  await say(text('1'), /Explique ta situation/);
}

async function finishRequest(): Promise<string> {
  await say(text('1'), /Comment veux-tu qu.on t.appelle/);
  await say(text('passer'), /Tout est prêt/);
  const saved = await say(text('1'), /numéro de dossier/);
  const no = /K-[0-9A-Z]{4,8}/.exec(saved)![0];
  await k.referrals.dispatch(no);
  return no;
}

async function staffOf(no: string): Promise<Client> {
  const partner = (await k.redis.hget(`${k.keys.key('ref')}:case:${no}`, 'partner'))!;
  const staff = await k.account(`Awa ${no}`, partner);
  const c = new Client(k.app, undefined, '10.8.1.1');
  await c.login(staff.id);
  return c;
}

test('a photo with its caption during a request: the caption is the description, the photo is on the case', async () => {
  await openRequest();
  const next = await say(
    waMedia(FATOU, 'image', 'Voici ma convocation au commissariat', PAPER),
    /Comment l.association doit te répondre/,
  );
  expect(next).not.toMatch(/Je ne peux pas lire les photos/);
  const no = await finishRequest();

  const c = await staffOf(no);
  const casePage = await c.page(`/cases/${no}`);
  expect(casePage.html).toContain('Voici ma convocation au commissariat');
  const files = await c.page(`/cases/${no}/attachments`);
  expect(files.html).toContain(`<img src="/cases/${no}/attachments/0"`);
  const photo = await c.get(`/cases/${no}/attachments/0`);
  expect(photo.status).toBe(200);
  expect(photo.headers.get('content-type')).toBe('image/jpeg');
  expect(Buffer.from(await photo.arrayBuffer()).equals(PAPER.bytes)).toBe(true);
  expect(await readdir(filesDir)).toHaveLength(1);
});

test('a WhatsApp voice note at the menu reaches the request once the person says yes, and is played in the console', async () => {
  const voice: WaFile = { mimetype: 'audio/ogg; codecs=opus', bytes: Buffer.from('OggS voice note of Fatou') };
  await say(text('Bonjour'), /Bamanankan/);
  await say(text('1'), /Que veux-tu faire/);
  const offer = await say(waMedia(FATOU, 'ptt', '', voice), /Lui envoyer ton message vocal/);
  expect(offer).toMatch(/1\. Oui, l'envoyer\n2\. Non/);
  await say(text('1'), /De quelle aide as-tu besoin/);
  await say(text('1'), /Dans quelle région es-tu/);
  await say(text('1'), /Tu es d.accord/);
  await say(text('1'), /Explique ta situation/);
  await say(text('passer'), /Comment l.association doit te répondre/);
  const no = await finishRequest();

  const c = await staffOf(no);
  expect((await c.page(`/cases/${no}/attachments`)).html).toContain(
    `<audio controls preload="none" src="/cases/${no}/attachments/0">`,
  );
  const played = await c.get(`/cases/${no}/attachments/0`);
  expect(played.headers.get('content-type')).toBe('audio/ogg; codecs=opus');
  expect(Buffer.from(await played.arrayBuffer()).equals(voice.bytes)).toBe(true);
});

// The WhatsApp channel on the real runtime, flows and content (test/support/app.ts), the fake Client playing
// WhatsApp: what a person on WhatsApp actually reads.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WhatsAppChannel } from '../../../src/channels/whatsapp/adapter.ts';
import { devDataKeys, PersonalDataCipher } from '../../../src/infra/crypto.ts';
import type { ChatRef } from '../../../src/ports/chat.ts';
import type { OutMessage } from '../../../src/ports/out-message.ts';
import { partnersFromContacts } from '../../../src/referrals/partners.ts';
import { createReferralService } from '../../../src/referrals/service.ts';
import { noticePresenter } from '../../../src/runtime/present-results.ts';
import { createTestApp, shippedBundle, type TestApp } from '../../support/app.ts';
import { type FakeWhatsAppClient, waMessage } from '../../support/fake-whatsapp-client.ts';
import { testRedis } from '../../support/redis.ts';
import { waitFor } from './harness.ts';
import { startReadyChannel } from './ready-channel.ts';

const stops: (() => Promise<void>)[] = [];

/** A real referral service on the shared test Redis (own prefix), told nothing and telling nothing. */
async function referralsFor() {
  const r = await testRedis();
  const bundle = await shippedBundle();
  const service = createReferralService({
    redis: r.redis,
    keys: r.keys,
    cipher: new PersonalDataCipher(devDataKeys('wa-real-runtime')),
    partners: partnersFromContacts(bundle.content.contacts.values()),
    outbox: { send: async () => {} },
    notifier: { notify: async () => {} },
    clock: { now: () => Date.now() },
    notices: noticePresenter(bundle.presenter),
    options: { fallbackPartner: 'ame', pseudonymSecret: 'wa-real-runtime-pseudonyms' },
  });
  stops.push(async () => {
    await service.stop();
    await r.cleanup();
  });
  return service;
}

const FATOU = '22379000000@c.us';

let app: TestApp;
let channel: WhatsAppChannel;
let dataDir: string;

afterEach(async () => {
  await channel?.stop();
  for (const stop of stops.splice(0)) await stop();
  await app?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function start(options: { referrals?: boolean } = {}) {
  // The channel is the runtime's outbox too (as main.ts registers it), built after the runtime.
  const outbox = { send: (chat: ChatRef, messages: OutMessage[]) => channel.send(chat, messages) };
  app = await createTestApp(options.referrals ? { referrals: await referralsFor(), outbox } : { outbox });
  dataDir = await mkdtemp(join(tmpdir(), 'kf-wa-flows-'));
  let client: FakeWhatsAppClient;
  ({ channel, client } = await startReadyChannel({ runtime: app.runtime, redis: app.redis, keys: app.keys, dataDir }));
  /** Sends a message as Fatou and returns what the bot wrote back (every answer of these flows ends with a menu). */
  const say = async (fields: Parameters<typeof waMessage>[1]) => {
    const before = client.sent.length;
    const answered = () => client.sent.length > before && /Réponds [^\n]*\.$/.test(client.textsTo(FATOU).at(-1) ?? '');
    client.receive(waMessage(FATOU, fields));
    await waitFor(answered, 'an answer ending with its menu');
    return client.textsTo(FATOU).slice(before).join('\n\n');
  };
  return { client, say };
}

describe('WhatsApp on the real flows', () => {
  it('walks from the menu to an answer by number, by word and by emoji digit, with numbered menus only', async () => {
    const { client, say } = await start();

    // WhatsApp gives no language: the person is asked first.
    const welcome = await say({ body: 'Bonjour' });
    expect(welcome).toMatch(/1\. Français\n2\. English\n3\. Bamanankan\n\nRéponds 1, 2 ou 3\.$/);

    const menu = await say({ body: 'Français' });
    expect(menu).toMatch(/1\. Connaître mes droits\n2\. /);
    expect(menu).toMatch(/Réponds 1, 2, 3, 4, 5, 6 ou 7\.$/);

    const topics = await say({ body: '1' });
    expect(topics).toContain('2. Arrêté ou expulsé');

    const questions = await say({ body: 'arrêté ou expulsé' });
    expect(questions).toContain("1. Arrêté à l'étranger, que faire ?");

    const answer = await say({ body: '1️⃣' });
    expect(answer).toMatch(/^\*Arrêté à l'étranger, que faire \?\*/);
    expect(answer).toContain('consulat du Mali');
    expect(answer).toMatch(/1\. En savoir plus/);

    expect(client.sent.every((s) => typeof s.content === 'string' && s.content.length <= 1500)).toBe(true);
  });

  it('answers a voice note with a short useful message instead of silence', async () => {
    const { say } = await start();
    await say({ body: 'Bonjour' });
    await say({ body: '1' });
    const reply = await say({ type: 'ptt' });
    expect(reply.length).toBeGreaterThan(0);
    expect(reply).toMatch(/\d\. /);
  });

  it('sends the confirmation of a referral once, by the runtime before its journal is done, in order', async () => {
    const { client, say } = await start({ referrals: true });
    await say({ body: 'Bonjour' });
    await say({ body: 'Français' });
    // Talk to a person, need 1, region 1, consent yes, a description, by this chat, no nickname (some of these
    // questions have no menu: each answer is sent once the bot wrote back; the channel keeps them in order anyway).
    for (const body of ['4', '1', '1', '1', "On m'a renvoyé hier, j'ai perdu mes papiers", '1', 'passer']) {
      const before = client.sent.length;
      client.receive(waMessage(FATOU, { body }));
      await waitFor(() => client.sent.length > before, `an answer to ${body}`);
    }
    await waitFor(() => (client.textsTo(FATOU).at(-1) ?? '').includes('Réponds'), 'the confirmation question');
    expect(client.textsTo(FATOU).join('\n')).toContain("J'envoie ta demande ?");
    const confirmed = await say({ body: '1' });
    expect(confirmed).toMatch(/Ta demande est enregistrée\. Ton numéro de dossier : K-[A-Z0-9]{4}/);
    expect(client.textsTo(FATOU).filter((t) => t.includes('Ta demande est enregistrée'))).toHaveLength(1);
  });
});

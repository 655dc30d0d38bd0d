// Whole conversations through the WhatsApp channel: the fake Client plays WhatsApp, Redis is real.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WhatsAppDeliveryDeferred } from '../../../src/channels/whatsapp/adapter.ts';
import { whatsAppPersonEraser } from '../../../src/channels/whatsapp/held-messages.ts';
import { BOT_ID, waMessage } from '../../support/fake-whatsapp-client.ts';
import { CONTACT_TEXT, LONG_ANSWER } from './fake-runtime.ts';
import { createHarness, type Harness, waitFor } from './harness.ts';

const AMINATA = '22370000000@c.us';
const MOUSSA = '22376000000@c.us';
const MENU_TEXT =
  '*Menu*\n\nQue veux-tu savoir ?\n\n1. Mes droits\n2. Contacts\n3. Parler à une personne\n\nRéponds 1, 2 ou 3';

let h: Harness;

afterEach(async () => {
  await h?.close();
});

describe('a conversation on WhatsApp', () => {
  it('welcomes a person with a numbered menu, then follows choices by number, emoji digit and word', async () => {
    h = await createHarness();
    const client = await h.startReady();

    client.receive(waMessage(AMINATA, { body: 'Bonjour' }));
    await waitFor(() => client.sent.length === 1, 'the welcome');
    expect(client.textsTo(AMINATA)).toEqual([`Bienvenue sur Kunnafoni. Je t’explique tes droits.\n\n${MENU_TEXT}`]);

    client.receive(waMessage(AMINATA, { body: '2' }));
    await waitFor(() => client.sent.length === 2, 'the contacts');
    expect(client.textsTo(AMINATA)[1]).toBe(`*Contacts*\n\n${CONTACT_TEXT}\n\n${MENU_TEXT}`);

    client.receive(waMessage(AMINATA, { body: '1️⃣' }));
    await waitFor(() => h.runtime.calls.length === 3 && client.sent.length >= 4, 'the long answer');
    expect(h.runtime.inputsFrom(AMINATA)[2]).toEqual({ kind: 'text', text: '1️⃣' });

    client.receive(waMessage(AMINATA, { body: 'mes droits svp' }));
    await waitFor(() => h.runtime.calls.length === 4, 'the word choice');
    await h.channel.stop();

    const texts = client.textsTo(AMINATA);
    const answers = texts.slice(2);
    // Each long answer came in several messages of at most ~1500 characters, paragraphs whole, menu last.
    const firstAnswer = answers.slice(0, answers.length / 2);
    expect(firstAnswer.length).toBeGreaterThan(1);
    for (const text of answers) expect(text.length).toBeLessThanOrEqual(1500);
    expect(firstAnswer.join('\n\n')).toBe(['*Arrêté à l’étranger*', ...LONG_ANSWER, MENU_TEXT].join('\n\n'));
    expect(answers.slice(answers.length / 2)).toEqual(firstAnswer);
    // Never buttons or lists: everything sent is plain text.
    expect(client.sent.every((s) => typeof s.content === 'string' && s.options === undefined)).toBe(true);
  });

  it('passes voice notes, photos, documents, locations, stickers and videos to the runtime and answers them', async () => {
    h = await createHarness();
    const client = await h.startReady();
    client.receive(waMessage(MOUSSA, { body: 'salut' }));
    const kinds = ['ptt', 'image', 'document', 'location', 'sticker', 'video'] as const;
    for (const type of kinds) client.receive(waMessage(MOUSSA, { type }));
    await waitFor(() => client.sent.length === 1 + kinds.length, 'an answer to each media');

    expect(h.runtime.inputsFrom(MOUSSA).slice(1)).toEqual([
      { kind: 'media', media: 'voice', ref: expect.stringMatching(/^wa:/) },
      { kind: 'media', media: 'photo', ref: expect.stringMatching(/^wa:/) },
      { kind: 'media', media: 'document', ref: expect.stringMatching(/^wa:/) },
      { kind: 'media', media: 'location', ref: expect.stringMatching(/^wa:/) },
      { kind: 'media', media: 'sticker', ref: expect.stringMatching(/^wa:/) },
      { kind: 'media', media: 'video', ref: expect.stringMatching(/^wa:/) },
    ]);
    expect(client.textsTo(MOUSSA)[1]).toMatch(/^Je ne peux pas encore écouter/);
  });

  it('stays silent in groups, on status updates, broadcast lists and its own messages', async () => {
    h = await createHarness();
    const client = await h.startReady();
    client.receive(waMessage('120363041234567890@g.us', { body: '1' }));
    client.receive(waMessage('status@broadcast', { body: 'Nouvelle photo', isStatus: true }));
    client.receive(waMessage(AMINATA, { body: 'Promo', broadcast: true }));
    client.receive(waMessage(AMINATA, { body: 'envoyé par le bot', fromMe: true }));
    client.receive(waMessage(BOT_ID, { body: 'note à moi-même' }));
    // A person writing afterwards is answered: the silence above is a choice, not a broken channel.
    client.receive(waMessage(MOUSSA, { body: 'bonjour' }));
    await waitFor(() => client.sent.length === 1, 'the answer to the person');

    expect(h.runtime.calls.map((c) => c.chat.id)).toEqual([MOUSSA]);
    expect(client.sent.map((s) => s.chatId)).toEqual([MOUSSA]);
  });

  it('handles two messages of one chat one after the other, and answers in that order', async () => {
    h = await createHarness();
    const client = await h.startReady();
    let running = 0;
    let overlapped = false;
    h.runtime.beforeAnswer = async (call) => {
      running++;
      if (running > 1) overlapped = true;
      // The first answer is slow: the second message must still wait for it.
      if (call.input.kind === 'text' && call.input.text === 'Bonjour') await new Promise((r) => setTimeout(r, 60));
      running--;
    };
    client.receive(waMessage(AMINATA, { body: 'Bonjour' }));
    client.receive(waMessage(AMINATA, { body: '2' }));
    await waitFor(() => client.sent.length === 2, 'both answers');

    expect(overlapped).toBe(false);
    expect(h.runtime.inputsFrom(AMINATA)).toEqual([
      { kind: 'text', text: 'Bonjour' },
      { kind: 'text', text: '2' },
    ]);
    expect(client.textsTo(AMINATA)[0]).toMatch(/^Bienvenue/);
    expect(client.textsTo(AMINATA)[1]).toMatch(/^\*Contacts\*/);
  });

  it('sends a voice note as a voice message when the answer has audio', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kf-wa-audio-'));
    try {
      h = await createHarness();
      h.runtime.audioPath = join(dir, 'arrested-abroad.bm.ogg');
      await writeFile(h.runtime.audioPath, Buffer.from('OggS fake opus data'));
      const client = await h.startReady();
      client.receive(waMessage(AMINATA, { body: 'Bonjour' }));
      client.receive(waMessage(AMINATA, { body: 'audio' }));
      await waitFor(() => client.sent.length === 3, 'the voice note and its text');

      const [voice, text] = client.sent.slice(1);
      expect(voice?.options).toEqual({ sendAudioAsVoice: true });
      expect(voice?.content).toMatchObject({ mimetype: 'audio/ogg', filename: 'arrested-abroad.bm.ogg' });
      expect(text?.content).toBe('Voici la réponse en bambara.');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes outside a reply only to people who wrote within the last 24 hours', async () => {
    h = await createHarness();
    const client = await h.startReady();
    const news = [{ paragraphs: ['Ton dossier K-7F3Q a été pris en charge.'] }];

    await expect(h.channel.send({ channel: 'whatsapp', id: '120363041234567890@g.us' }, news)).rejects.toThrow(
      /not-a-person/,
    );
    client.receive(waMessage(MOUSSA, { body: 'bonjour' }));
    await waitFor(() => client.sent.length === 1, 'the welcome');
    await h.channel.send({ channel: 'whatsapp', id: MOUSSA }, news);
    expect(client.textsTo(MOUSSA)[1]).toBe('Ton dossier K-7F3Q a été pris en charge.');
    // The window is kept in Redis, so a restarted bot still knows who wrote.
    // The key is named by the person's pseudonym, never by the phone number.
    const wrote = h.keys.key('wa', 'wrote', h.keys.person({ channel: 'whatsapp', id: MOUSSA }));
    expect(await h.redis.exists(wrote)).toBe(1);
    expect(await h.redis.pttl(wrote)).toBeGreaterThan(23 * 3600 * 1000);
    expect(await h.redis.keys(`${h.keys.root}*${MOUSSA.split('@')[0]}*`)).toEqual([]);
  });

  it('reports each message outside a reply as soon as WhatsApp took it', async () => {
    h = await createHarness();
    const client = await h.startReady();
    client.receive(waMessage(MOUSSA, { body: 'bonjour' }));
    await waitFor(() => client.sent.length === 1, 'the welcome');
    const answered: [number, number][] = [];
    const chat = { channel: 'whatsapp' as const, id: MOUSSA };
    await h.channel.send(chat, [{ paragraphs: ['Ta demande est enregistrée.'] }, { paragraphs: ['Menu'] }], {
      answered: (count) => answered.push([count, client.textsTo(MOUSSA).length - 1]),
    });
    // Told after each one went out, before the next: [answered so far, sent so far].
    expect(answered).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(client.textsTo(MOUSSA).slice(1)).toEqual(['Ta demande est enregistrée.', 'Menu']);
  });

  it('a staff reply after the 24-hour window waits, sealed, and goes out first when the person writes again', async () => {
    h = await createHarness();
    const client = await h.startReady();
    const reply = [{ title: 'K-7F3Q · AME', paragraphs: ['Viens au bureau mardi à 10 h avec ta convocation.'] }];

    // The sender learns it waits (not a failure), and nothing goes out.
    const refused = await h.channel.send({ channel: 'whatsapp', id: AMINATA }, reply).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WhatsAppDeliveryDeferred);
    expect(refused).toMatchObject({ deferred: true, message: 'waiting for the person to write again' });
    expect(client.sent).toEqual([]);
    const held = h.keys.key('wa', 'held', h.keys.person({ channel: 'whatsapp', id: AMINATA }));
    const stored = await h.redis.lrange(held, 0, -1);
    expect(stored).toHaveLength(1);
    expect(stored[0]).not.toContain('mardi');

    client.receive(waMessage(AMINATA, { body: 'Bonjour' }));
    await waitFor(() => client.sent.length === 2, 'the held reply and the welcome');
    expect(client.textsTo(AMINATA)).toEqual([
      '*K-7F3Q · AME*\n\nViens au bureau mardi à 10 h avec ta convocation.',
      expect.stringMatching(/^Bienvenue/),
    ]);
    expect(await h.redis.exists(held)).toBe(0);
    // Delivered once: the next message gets only its answer.
    client.receive(waMessage(AMINATA, { body: '2' }));
    await waitFor(() => client.sent.length === 3, 'the contacts');
    expect(client.textsTo(AMINATA)[2]).toMatch(/^\*Contacts\*/);
  });

  it('keeps phone numbers and message text out of the logs', async () => {
    h = await createHarness();
    const client = await h.startReady();
    client.receive(waMessage(AMINATA, { body: 'Bonjour je suis Aminata' }));
    client.receive(waMessage(AMINATA, { body: '2' }));
    client.receive(waMessage('120363041234567890@g.us', { body: 'groupe secret' }));
    client.failSend = new Error(`Evaluation failed: no chat ${AMINATA}`);
    client.receive(waMessage(AMINATA, { body: 'mes droits' }));
    await waitFor(() => h.runtime.calls.length === 3, 'three handled messages');
    await waitFor(() => h.logLines.some((l) => l.includes('whatsapp reply failed')), 'the failure log');

    const logs = h.logLines.join('');
    expect(logs).toContain('whatsapp ready');
    for (const secret of ['22370000000', '120363041234567890', 'Aminata', 'groupe secret', 'mes droits']) {
      expect(logs).not.toContain(secret);
    }
  });
});

describe('erasing on WhatsApp', () => {
  it('"EFFACER" takes the held replies and the "wrote recently" mark with it', async () => {
    h = await createHarness();
    await h.startReady();
    await h.channel
      .send({ channel: 'whatsapp', id: MOUSSA }, [{ paragraphs: ['Réponse de l’équipe'] }])
      .catch(() => {});
    const person = h.keys.person({ channel: 'whatsapp', id: MOUSSA });
    await h.redis.set(h.keys.key('wa', 'wrote', person), '1');
    expect(await h.redis.exists(h.keys.key('wa', 'held', person))).toBe(1);

    await whatsAppPersonEraser(h.redis, h.keys).eraseFor({ channel: 'whatsapp', id: MOUSSA });
    expect(await h.redis.exists(h.keys.key('wa', 'held', person), h.keys.key('wa', 'wrote', person))).toBe(0);
  });
});

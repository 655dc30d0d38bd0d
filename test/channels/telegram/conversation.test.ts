// Whole conversations through grammY, @grammyjs/runner and the loopback Bot API server.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CALLBACK_DATA_MAX_BYTES } from '../../../src/channels/telegram/callback-data.ts';
import {
  callbackUpdate,
  editedTextUpdate,
  mediaUpdate,
  startUpdate,
  textUpdate,
} from '../../support/bot-api-server.ts';
import { FakeRuntime, LONG_CHOICE_ID } from './fake-runtime.ts';
import { buttonData, type Harness, keyboardOf, startHarness } from './harness.ts';

let runtime: FakeRuntime;
let h: Harness;

beforeEach(async () => {
  runtime = new FakeRuntime();
  h = await startHarness(runtime);
});

afterEach(async () => {
  await h.close();
});

describe('a conversation on Telegram', () => {
  it('goes /start -> language -> menu -> question -> answer with buttons', async () => {
    const [welcome, language] = await h.say(42, startUpdate(42, undefined, { languageCode: 'fr' }), 2);
    expect(welcome?.params.text).toBe('<b>Kunnafoni</b>\n\nBienvenue.');
    expect(welcome?.params.parse_mode).toBe('HTML');
    expect(runtime.inputs[0]).toMatchObject({ input: { kind: 'start' }, platformLang: 'fr' });
    // Short labels share a row; the text-channel hint is not shown next to buttons.
    expect(keyboardOf(language).map((row) => row.map((b) => b.text))).toEqual([['Français', 'English', 'Bamanankan']]);
    expect(language?.params.text).toBe('Choisis ta langue.');

    const [menu] = await h.say(42, callbackUpdate(42, buttonData(language, 'Français')));
    expect(menu?.params.text).toBe('<b>Menu</b>\n\nDe quoi as-tu besoin ?');
    // Long labels get a row each.
    expect(keyboardOf(menu).map((row) => row.length)).toEqual([1, 1]);

    const [questions] = await h.say(42, callbackUpdate(42, buttonData(menu, 'Documents et passeports')));
    const [answer, menuAgain] = await h.say(
      42,
      callbackUpdate(42, buttonData(questions, 'Comment renouveler mon passeport ?')),
      2,
    );
    expect(answer?.params.text).toBe(
      '<b>Renouveler un passeport</b>\n\nVa au consulat avec ton ancien passeport.\n\nLe délai est de 2 semaines.',
    );
    expect(keyboardOf(menuAgain)).toHaveLength(2);
    expect(runtime.inputs.map((i) => i.input)).toEqual([
      { kind: 'start' },
      { kind: 'choice', id: 'fr', version: 1 },
      { kind: 'choice', id: 'topic:documents', version: 2 },
      { kind: 'choice', id: 'faq:passport', version: 3 },
    ]);
    // Every press is answered, so no button keeps spinning.
    await h.server.waitForCalls((c) => c.method === 'answerCallbackQuery', 3);
  });

  it('shows the current question again when an old button is pressed, and carries on', async () => {
    const [, language] = await h.say(7, startUpdate(7), 2);
    const [menu] = await h.say(7, callbackUpdate(7, buttonData(language, 'Français')));
    // Press "English" on the language keyboard that is no longer current.
    const [notice, current] = await h.say(7, callbackUpdate(7, buttonData(language, 'English')), 2);
    expect(runtime.inputs.at(-1)?.input).toEqual({ kind: 'choice', id: 'en', version: 1 });
    expect(notice?.params.text).toContain('ancien');
    expect(current?.params.text).toBe(menu?.params.text);
    const [questions] = await h.say(7, callbackUpdate(7, buttonData(current, 'Documents et passeports')));
    expect(questions?.params.text).toBe('Quelle question ?');
  });

  it('keeps callback_data within 64 bytes and still recognises a long choice id', async () => {
    const [, language] = await h.say(8, startUpdate(8), 2);
    const [menu] = await h.say(8, callbackUpdate(8, buttonData(language, 'Français')));
    const [questions] = await h.say(8, callbackUpdate(8, buttonData(menu, 'Documents et passeports')));
    const data = buttonData(questions, 'Mes économies et mes papiers');
    expect(Buffer.byteLength(data)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
    const [answer] = await h.say(8, callbackUpdate(8, data), 2);
    expect(runtime.inputs.at(-1)?.input).toEqual({ kind: 'choice', id: LONG_CHOICE_ID, version: 3 });
    expect(answer?.params.text).toContain('Renouveler un passeport');
  });

  it('treats a button it cannot read as stale and shows the current question', async () => {
    await h.say(9, startUpdate(9), 2);
    const [, current] = await h.say(9, callbackUpdate(9, 'something-else'), 2);
    expect(
      keyboardOf(current)
        .flat()
        .map((b) => b.text),
    ).toEqual(['Français', 'English', 'Bamanankan']);
  });

  it('opens the FAQ named by a deep link', async () => {
    const [answer] = await h.say(11, startUpdate(11, 'faq-passport'), 2);
    expect(runtime.inputs[0]?.input).toEqual({ kind: 'start', payload: 'faq-passport' });
    expect(answer?.params.text).toContain('<b>Renouveler un passeport</b>');
  });

  it('answers media with a short reply and passes the file reference on', async () => {
    const [reply] = await h.say(12, mediaUpdate(12, 'voice'));
    expect(reply?.params.text).toContain('voice');
    expect(runtime.inputs[0]?.input).toMatchObject({ kind: 'media', media: 'voice', ref: expect.any(String) });
    await h.say(12, mediaUpdate(12, 'photo'));
    await h.say(12, mediaUpdate(12, 'location'));
    await h.say(12, mediaUpdate(12, 'sticker'));
    await h.say(12, mediaUpdate(12, 'document'));
    expect(runtime.inputs.map((i) => (i.input.kind === 'media' ? i.input.media : i.input.kind))).toEqual([
      'voice',
      'photo',
      'location',
      'sticker',
      'document',
    ]);
  });

  it('stays silent in groups and ignores edited messages', async () => {
    h.server.push(
      textUpdate(-1001, 'bonjour le bot', { chatType: 'supergroup', fromId: 5 }),
      startUpdate(-1002, undefined, { chatType: 'group', fromId: 5 }),
      editedTextUpdate(13, 'corrigé'),
    );
    await h.say(13, textUpdate(13, 'après'));
    await h.channel.stop();
    expect(runtime.inputs.map((i) => i.chat.id)).toEqual(['13']);
    expect(h.server.sentTo(-1001)).toEqual([]);
    expect(h.server.sentTo(-1002)).toEqual([]);
  });

  it('shows what a person typed exactly, HTML included', async () => {
    const [reply] = await h.say(14, textUpdate(14, '<b>& co</b> <script>'));
    expect(reply?.status).toBe(200);
    expect(reply?.params.text).toBe('Tu as écrit : &lt;b&gt;&amp; co&lt;/b&gt; &lt;script&gt;');
    expect(reply?.params.parse_mode).toBe('HTML');
  });

  it('passes commands on as keywords', async () => {
    await h.say(15, textUpdate(15, '/menu@kunnafoni_test_bot'));
    expect(runtime.inputs[0]?.input).toEqual({ kind: 'text', text: 'menu' });
  });

  it('splits an answer over 4096 characters at paragraph boundaries, buttons on the last part', async () => {
    const parts = await h.say(16, textUpdate(16, 'long'), 3);
    const texts = parts.map((p) => String(p.params.text));
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(4096);
    // No paragraph is cut: each part starts with a paragraph (or the title) and ends with a full one.
    for (const text of texts) expect(text.trimEnd().endsWith('Droit des migrants.')).toBe(true);
    const all = texts.join('\n\n');
    for (let i = 1; i <= 30; i++) expect(all).toContain(`Paragraphe ${i}. `);
    expect(all.indexOf('Paragraphe 2.')).toBeLessThan(all.indexOf('Paragraphe 29.'));
    expect(parts.map((p) => keyboardOf(p).length)).toEqual([0, 0, 1]);
  });

  it('keeps one chat in order while chats run concurrently', async () => {
    // The first message of chat 20 waits until chat 21 is answered (so chat 21 cannot have waited for chat 20);
    // chat 20's later messages must still be answered after it.
    const otherAnswered = h.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === '21', {
      since: h.server.lastSeq,
    });
    runtime.before = async (chat, input) => {
      if (chat.id === '20' && input.kind === 'text' && input.text === 'm0') await otherAnswered;
    };
    const replies = h.server.waitForCalls((c) => c.method === 'sendMessage' && c.chatId === '20', 5);
    h.server.push(...['m0', 'm1', 'm2', 'm3', 'm4'].map((t) => textUpdate(20, t)));
    const [other] = await h.say(21, textUpdate(21, 'vite'));
    const texts = (await replies).map((c) => c.params.text);
    expect(texts).toEqual(['m0', 'm1', 'm2', 'm3', 'm4'].map((t) => `Tu as écrit : ${t}`));
    // The other chat did not wait for chat 20's slow message.
    expect(other?.seq).toBeLessThan((await replies)[0]?.seq ?? 0);
  });

  it('sends a voice note from a local file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kf-audio-'));
    try {
      runtime.audioPath = join(dir, 'faq-passport.fr.ogg');
      await writeFile(runtime.audioPath, Buffer.alloc(2048, 7));
      const since = h.server.lastSeq;
      h.server.push(textUpdate(17, 'voice please'));
      const voice = await h.server.waitForCall((c) => c.method === 'sendVoice', { since });
      expect(voice.chatId).toBe('17');
      expect(voice.files).toEqual([{ field: 'voice', filename: 'faq-passport.fr.ogg', size: 2048 }]);
      expect(h.server.textsTo(17)).toEqual(['Écoute :']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// People hear approved recordings on WhatsApp (issue 18 point 4): the real runtime, flows and content, the fake
// Client standing for whatsapp-web.js. The voice notes go out as the library's MessageMedia (from the file) with
// `sendAudioAsVoice: true`, before the text they belong to; text channels offer 🔊 as a line to type, never as a
// numbered choice.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageMedia } from 'whatsapp-web.js';
import { CachedApprovedVoices } from '../../src/audio/approved-voices.ts';
import { AudioLibrary } from '../../src/audio/library.ts';
import type { WhatsAppChannel } from '../../src/channels/whatsapp/adapter.ts';
import type { ApprovedVoices } from '../../src/ports/voices.ts';
import { waitFor } from '../channels/whatsapp/harness.ts';
import { startReadyChannel } from '../channels/whatsapp/ready-channel.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { type FakeWhatsAppClient, waMessage } from '../support/fake-whatsapp-client.ts';
import { tone } from './support.ts';

const AWA = '22376000000@c.us';

let app: TestApp;
let channel: WhatsAppChannel;
let dataDir: string;

afterEach(async () => {
  await channel?.stop();
  await app?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('hearing approved recordings on WhatsApp', () => {
  it('bm: the welcome and the menu come as voice messages once the person writes KUMAKAN', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'kf-hear-wa-'));
    let voices: CachedApprovedVoices | null = null;
    const lazy: ApprovedVoices = { approved: () => voices!.approved() };
    app = await createTestApp({ voices: lazy });
    const library = await AudioLibrary.open({ redis: app.redis, keys: app.keys, dataDir, content: app.bundle.content });
    voices = new CachedApprovedVoices(library);
    for (const item of ['welcome', 'menu'] as const) {
      await library.saveVoiceNote(item, 'bm', await tone(1), 'telegram:staff');
      await library.approve(item, 'bm', 'web:admin');
    }
    let client: FakeWhatsAppClient;
    ({ channel, client } = await startReadyChannel({
      runtime: app.runtime,
      redis: app.redis,
      keys: app.keys,
      dataDir: path.join(dataDir, 'whatsapp'),
    }));
    const menuText = app.bundle.presenter.t('bm', 'main.menu');
    /** Sends as Awa; resolves with what was sent back, up to the menu (the last thing of these answers). */
    const say = async (body: string) => {
      const before = client.sent.length;
      client.receive(waMessage(AWA, { body }));
      const answered = () => client.sent.slice(before).some((s) => String(s.content).includes(menuText));
      await waitFor(answered, 'an answer ending with the menu');
      return client.sent.slice(before);
    };

    // A Bambara greeting starts in Bambara; the menu offers 🔊 as a line to type, the 7 choices stay numbered.
    const [welcome, ...rest] = await say('i ni ce');
    expect(rest).toEqual([]);
    const text = String(welcome?.content);
    expect(text).toContain('🔊 Walasa ka nin cikan lamɛn, KUMAKAN sɛbɛn.');
    expect(text).toMatch(/\n7\. [^\n]+\n\n[^\n]*7[^\n]*$/);
    expect(text).not.toMatch(/\n8\. /);

    const heard = await say('kumakan');
    const notes = heard.filter((s) => s.content instanceof MessageMedia);
    expect(notes).toHaveLength(2);
    const files = await Promise.all(
      ['welcome', 'menu'].map(async (item) => (await library.get(item as 'welcome', 'bm'))!.path),
    );
    for (const [i, note] of notes.entries()) {
      expect(note.options).toEqual({ sendAudioAsVoice: true });
      const media = note.content as MessageMedia;
      expect(media.mimetype).toBe('audio/ogg');
      expect(Buffer.from(media.data, 'base64').equals(await readFile(files[i]!))).toBe(true);
    }
    // "OK" first, the voice notes, then the menu to answer: the last thing on screen, without the 🔊 line now.
    expect(heard.map((s) => (s.content instanceof MessageMedia ? 'voice' : 'text'))).toEqual([
      'text',
      'voice',
      'voice',
      'text',
    ]);
    expect(String(heard.at(-1)?.content)).not.toContain('🔊');
  });
});

// `/record <item> <lang>` then a voice note, through the real Telegram channel and the loopback Bot API server: the
// voice note (real OGG/Opus made by ffmpeg) is downloaded with getFile, kept byte for byte, and confirmed with its
// length. Only staff (a staff group, or a member of one in a private chat) can record.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AudioLibrary } from '../../src/audio/library.ts';
import { createRecordComposer } from '../../src/channels/telegram/record.ts';
import { loadContent } from '../../src/content/load.ts';
import { FakeRuntime } from '../channels/telegram/fake-runtime.ts';
import { type Harness, startHarness } from '../channels/telegram/harness.ts';
import { REPO_ROOT } from '../support/app.ts';
import { mediaUpdate, textUpdate } from '../support/bot-api-server.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';
import { tone } from './support.ts';

const AME_GROUP = -100555;
const STAFF = 701;
const STRANGER = 702;

describe('/record from Telegram', () => {
  let h: Harness;
  let r: TestRedis;
  let dataDir: string;
  let library: AudioLibrary;
  let runtime: FakeRuntime;

  beforeEach(async () => {
    r = await testRedis();
    dataDir = await mkdtemp(path.join(tmpdir(), 'kf-voice-'));
    const { content } = await loadContent(REPO_ROOT);
    library = await AudioLibrary.open({ redis: r.redis, keys: r.keys, dataDir, content: content! });
    runtime = new FakeRuntime();
    const groups = new Map([['ame', AME_GROUP]]);
    h = await startHarness(runtime, {
      before: [createRecordComposer({ library, groups, redis: r.redis, keys: r.keys })],
    });
    h.server.addMember(AME_GROUP, STAFF);
  });
  afterEach(async () => {
    await h.close();
    await r.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Sends a voice note whose file is `bytes`; resolves with the bot's answer to that chat. */
  async function sendVoice(chatId: number, bytes: Buffer, options: Parameters<typeof mediaUpdate>[2] = {}) {
    const update = mediaUpdate(chatId, 'voice', options);
    h.server.addFile((update.message as { voice: { file_id: string } }).voice.file_id, bytes);
    return h.say(chatId, update);
  }

  it('records the Bambara welcome from a private chat and confirms what and how long', async () => {
    const voice = await tone(2);
    const [waiting] = await h.say(STAFF, textUpdate(STAFF, '/record welcome bm'));
    expect(String(waiting?.params.text)).toContain('Envoyez maintenant le message vocal pour welcome (bm)');
    const [done] = await sendVoice(STAFF, voice);
    expect(done?.params.text).toMatch(/^Enregistré : welcome \(bm\), 2 s\./);

    const recording = await library.get('welcome', 'bm');
    expect(recording).toMatchObject({ status: 'recorded', source: 'data', durationMs: 2000 });
    // Kept exactly as Telegram sent it, in the data directory.
    expect(recording!.path.startsWith(path.join(dataDir, 'audio'))).toBe(true);
    expect((await readFile(recording!.path)).equals(voice)).toBe(true);
    // Nobody hears it before an admin approves it.
    expect(await library.approvedFor('welcome', 'bm')).toBeNull();
    // No Telegram id in any key or value.
    const keys = await r.redis.keys(`${r.keys.root}*`);
    const values = await Promise.all(
      keys.map(async (k) => ((await r.redis.type(k)) === 'hash' ? JSON.stringify(await r.redis.hgetall(k)) : '')),
    );
    expect([...keys, ...values].join(' ')).not.toContain(String(STAFF));
    // The conversation never saw the staff member's command or voice note.
    expect(runtime.inputs.filter((i) => i.chat.id === String(STAFF))).toEqual([]);
  });

  it('records an FAQ in the staff group, the voice note sent as a reply', async () => {
    const [waiting] = await h.say(
      AME_GROUP,
      textUpdate(AME_GROUP, '/record faq-arrested-abroad fr', { chatType: 'supergroup', fromId: STAFF }),
    );
    expect(String(waiting?.params.text)).toContain('en réponse à ce message');
    const [done] = await sendVoice(AME_GROUP, await tone(3), { chatType: 'supergroup', fromId: STAFF });
    expect(done?.params.text).toMatch(/^Enregistré : faq-arrested-abroad \(fr\), 3 s\./);
    expect((await library.get('faq-arrested-abroad', 'fr'))?.status).toBe('recorded');
  });

  it('lists the valid items and languages for an unknown one, and records nothing', async () => {
    const [item] = await h.say(STAFF, textUpdate(STAFF, '/record bienvenue bm'));
    expect(String(item?.params.text)).toContain('« bienvenue » n’est pas un élément enregistrable');
    expect(String(item?.params.text)).toContain('welcome, menu, consent, distress, faq-');
    const [lang] = await h.say(STAFF, textUpdate(STAFF, '/record welcome wo'));
    expect(String(lang?.params.text)).toBe('« wo » n’est pas une langue du bot. Langues : fr, en, bm');
    const [usage] = await h.say(STAFF, textUpdate(STAFF, '/record'));
    expect(String(usage?.params.text)).toContain('Utilisation : /record <élément> <langue>');
    // A voice note now is not taken as a recording: it goes to the conversation.
    const update = mediaUpdate(STAFF, 'voice');
    await h.say(STAFF, update);
    expect(await library.get('welcome', 'bm')).toBeNull();
    expect(runtime.inputs.some((i) => i.chat.id === String(STAFF) && i.input.kind === 'media')).toBe(true);
  });

  it('refuses a voice note that is too long, with the limit, and keeps nothing', async () => {
    await h.say(STAFF, textUpdate(STAFF, '/record menu en'));
    const [answer] = await sendVoice(STAFF, await tone(125));
    expect(answer?.params.text).toContain('L’enregistrement est trop long (125 s) ; 120 s au plus.');
    expect(await library.get('menu', 'en')).toBeNull();
  });

  it('is ordinary conversation for someone who is not staff', async () => {
    await h.say(STRANGER, textUpdate(STRANGER, '/record welcome bm'));
    expect(runtime.inputs.some((i) => i.chat.id === String(STRANGER))).toBe(true);
    expect(await r.redis.keys(`${r.keys.root}:audio:pending:*`)).toEqual([]);
  });
});

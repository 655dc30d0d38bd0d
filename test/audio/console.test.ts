// The console's audio page over HTTP: a voice note recorded with /record through the loopback Bot API shows in the
// matrix with a player; staff play it, an admin approves it; uploads are converted to OGG/Opus by ffmpeg, with
// clear messages for wrong files and limits; an admin deletes.
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AudioLibrary } from '../../src/audio/library.ts';
import { oggOpusInfo } from '../../src/audio/ogg.ts';
import { createRecordComposer } from '../../src/channels/telegram/record.ts';
import { FakeRuntime } from '../channels/telegram/fake-runtime.ts';
import { type Harness, startHarness } from '../channels/telegram/harness.ts';
import { Client, type Console, createConsole, location } from '../staff/support/console.ts';
import { shippedBundle } from '../support/app.ts';
import { mediaUpdate, textUpdate } from '../support/bot-api-server.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';
import { tone } from './support.ts';

const STAFF_TG = 801;
const AME_GROUP = -100888;

describe('the audio page', () => {
  let k: Console;
  let r: TestRedis;
  let h: Harness;
  let library: AudioLibrary;
  let dataDir: string;
  let staff: Client;
  let admin: Client;

  beforeEach(async () => {
    r = await testRedis();
    dataDir = await mkdtemp(path.join(tmpdir(), 'kf-voice-console-'));
    const { content } = await shippedBundle();
    library = await AudioLibrary.open({ redis: r.redis, keys: r.keys, dataDir, content });
    k = await createConsole({ audio: library });
    h = await startHarness(new FakeRuntime(), {
      before: [createRecordComposer({ library, groups: new Map([['ame', AME_GROUP]]), redis: r.redis, keys: r.keys })],
    });
    h.server.addMember(AME_GROUP, STAFF_TG);
    staff = new Client(k.app);
    await staff.login((await k.account('Awa Traoré', 'ame')).id);
    admin = new Client(k.app, undefined, '10.0.0.2');
    await admin.login((await k.account('Fatoumata Koné', 'ame', 'admin')).id);
  });
  afterEach(async () => {
    await h.close();
    await k.close();
    await r.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function upload(client: Client, target: string, bytes: Buffer, filename: string): Promise<Response> {
    const form = new FormData();
    form.append('_csrf', client.csrf);
    form.append('file', new Blob([new Uint8Array(bytes)]), filename);
    return k.app.request(`${client.origin}${target}`, {
      method: 'POST',
      body: form,
      headers: { cookie: `kf_session=${client.cookie('kf_session')}`, 'accept-language': 'en' },
    });
  }

  it('a voice note recorded on Telegram is played by staff and approved by an admin', async () => {
    const voice = await tone(2);
    await h.say(STAFF_TG, textUpdate(STAFF_TG, '/record welcome bm'));
    const update = mediaUpdate(STAFF_TG, 'voice');
    const fileId = (update.message as { voice: { file_id: string } }).voice.file_id;
    h.server.addFile(fileId, voice);
    await h.say(STAFF_TG, update);

    const matrix = await staff.page('/audio');
    expect(matrix.status).toBe(200);
    const cell = /<td id="cell-welcome-bm">([\s\S]*?)<\/td>/.exec(matrix.html)?.[1] ?? '';
    expect(cell).toContain('recorded');
    const src = /<audio controls preload="none" src="([^"]+)"/.exec(cell)?.[1] ?? '';
    expect(src).toMatch(/^\/audio\/welcome\/bm\/file\?v=/);
    expect(/<td id="cell-menu-fr">([\s\S]*?)<\/td>/.exec(matrix.html)?.[1]).toContain('not recorded');
    // The page allows the browser to load the audio from the console itself.
    expect(matrix.res.headers.get('content-security-policy')).toContain("media-src 'self'");

    const file = await staff.get(src.replaceAll('&amp;', '&'));
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('audio/ogg');
    expect(Buffer.from(await file.arrayBuffer()).equals(voice)).toBe(true);
    // Ranges, so a phone's player knows the length and can seek.
    const part = await staff.get(src.replaceAll('&amp;', '&'), { range: 'bytes=0-99' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-99/${voice.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(voice.subarray(0, 100))).toBe(true);
    // Not for anyone who is not logged in.
    const anonymous = await new Client(k.app).get(src);
    expect(anonymous.status).toBe(303);
    expect(location(anonymous)).toMatch(/^\/login/);

    // Staff cannot approve; an admin can, and then people can be sent it, re-using Telegram's file_id.
    await staff.page('/audio/welcome/bm');
    expect((await staff.post('/audio/welcome/bm/approve')).status).toBe(403);
    const item = await admin.page('/audio/welcome/bm');
    expect(item.html).toContain('2 s');
    const approved = await admin.post('/audio/welcome/bm/approve');
    expect(approved.status).toBe(303);
    expect((await admin.page(location(approved))).html).toContain('Recording approved');
    const audio = await library.approvedFor('welcome', 'bm');
    expect(audio).toMatchObject({ durationMs: 2000, platformIds: { telegram: fileId } });
    expect((await staff.page('/audio')).html).toMatch(/<span class="tag" id="coverage-bm">bm 1\/\d+<\/span>/);
  });

  it('converts an mp3 upload to OGG/Opus and explains wrong files and limits', async () => {
    await staff.page('/audio/menu/fr');
    const saved = await upload(staff, '/audio/menu/fr/upload', await tone(2, 'mp3'), 'menu.mp3');
    expect(saved.status).toBe(303);
    const recording = await library.get('menu', 'fr');
    expect(recording?.status).toBe('recorded');
    const info = oggOpusInfo(await readFile(recording!.path));
    expect(info?.channels).toBe(1);
    expect(Math.abs((info?.durationMs ?? 0) - 2000)).toBeLessThan(100);

    const text = await upload(staff, '/audio/consent/fr/upload', Buffer.from('hello'), 'notes.txt');
    expect(text.status).toBe(400);
    expect(await text.text()).toContain('Send an audio file: ogg, opus, mp3, m4a, wav.');
    const broken = await upload(staff, '/audio/consent/fr/upload', Buffer.from('not really audio'), 'a.mp3');
    expect(broken.status).toBe(400);
    expect(await broken.text()).toContain('This file could not be read as audio');
    const long = await upload(staff, '/audio/consent/fr/upload', await tone(125), 'long.ogg');
    expect(long.status).toBe(400);
    expect(await long.text()).toContain('The recording is too long (125 s); the most is 120 s.');
    expect(await library.get('consent', 'fr')).toBeNull();
    // A body above the upload limit is refused before it is read.
    const huge = await upload(staff, '/audio/consent/fr/upload', Buffer.alloc(21 * 1024 * 1024), 'huge.wav');
    expect(huge.status).toBe(413);
    expect(await huge.text()).toContain('the most is 20 MB');

    // An admin deletes: the file goes too.
    await admin.page('/audio/menu/fr');
    const deleted = await admin.post('/audio/menu/fr/delete');
    expect(deleted.status).toBe(303);
    expect(await library.get('menu', 'fr')).toBeNull();
    await expect(access(recording!.path)).rejects.toThrow();
    expect((await staff.page('/audio/nope/fr')).status).toBe(404);
  });
});

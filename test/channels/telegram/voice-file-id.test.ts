// A recording goes to Telegram once: the first send uploads the file, and every later send (another person, another
// answer, two at once) uses the file_id Telegram returned, which is handed to the recordings library to keep. A
// file_id Telegram refuses (another bot's, after a token change) is replaced by one upload, not a lost voice note.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutAudio } from '../../../src/ports/out-message.ts';
import { tone } from '../../audio/support.ts';
import { textUpdate } from '../../support/bot-api-server.ts';
import { FakeRuntime } from './fake-runtime.ts';
import { type Harness, startHarness } from './harness.ts';

let runtime: FakeRuntime;
let h: Harness;
let dir: string;
const remembered: { audio: OutAudio; id: string }[] = [];
let onRemember: (() => void) | null = null;
/** Resolves once the sender handed `count` file_ids to the library. */
const rememberedCount = (count: number) =>
  new Promise<void>((resolve) => {
    const check = () => {
      if (remembered.length >= count) resolve();
    };
    onRemember = check;
    check();
  });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kf-voice-id-'));
  runtime = new FakeRuntime();
  runtime.audioPath = join(dir, 'menu.fr.v1.ogg');
  await writeFile(runtime.audioPath, await tone(1));
  remembered.length = 0;
  h = await startHarness(runtime, {
    voiceIds: {
      rememberPlatformId: async (audio, platform, id) => {
        expect(platform).toBe('telegram');
        remembered.push({ audio, id });
        onRemember?.();
      },
    },
  });
});

afterEach(async () => {
  await h.close();
  await rm(dir, { recursive: true, force: true });
});

/** Sends "voice please" from these chats at once; resolves with the sendVoice calls that answered them. */
async function voiceNotes(...chats: number[]) {
  const since = h.server.lastSeq;
  h.server.push(...chats.map((chat) => textUpdate(chat, 'voice please')));
  return h.server.waitForCalls((c) => c.method === 'sendVoice' && c.status === 200, chats.length, { since });
}

describe('Telegram voice notes by file_id', () => {
  it('uploads once, even for people asking at the same moment, then sends the file_id', async () => {
    const first = await voiceNotes(30, 31, 32);
    expect(first.filter((c) => c.files.length > 0)).toHaveLength(1);
    const fileId = `uploaded-${first.find((c) => c.files.length > 0)!.files[0]!.filename}`;
    expect(first.filter((c) => c.files.length === 0).map((c) => c.params.voice)).toEqual([fileId, fileId]);
    await rememberedCount(1);
    expect(remembered.map((r) => [r.audio.version, r.id])).toEqual([['v1', fileId]]);

    const later = await voiceNotes(30);
    expect(later[0]!.files).toEqual([]);
    expect(later[0]!.params.voice).toBe(fileId);
  });

  it('uploads again when Telegram refuses the file_id', async () => {
    await voiceNotes(40);
    h.server.failNext(
      { status: 400, description: 'Bad Request: wrong file identifier/HTTP URL specified' },
      { method: 'sendVoice' },
    );
    const since = h.server.lastSeq;
    const [sent] = await voiceNotes(41);
    expect(sent!.files).toHaveLength(1);
    const tries = h.server.callsTo('sendVoice', 41).filter((c) => c.seq > since);
    expect(tries.map((c) => [c.status, c.files.length])).toEqual([
      [400, 0],
      [200, 1],
    ]);
    await rememberedCount(2);
    expect(remembered.map((r) => r.audio.version)).toEqual(['v1', 'v1']);
  });
});

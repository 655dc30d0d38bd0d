// Real audio for the tests, made by ffmpeg: a sine tone of a given length, in the format asked for.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { OutAudio } from '../../src/ports/out-message.ts';

const run = promisify(execFile);

const CODEC: Record<string, string[]> = {
  ogg: ['-c:a', 'libopus'],
  mp3: ['-c:a', 'libmp3lame'],
  wav: ['-c:a', 'pcm_s16le'],
  m4a: ['-c:a', 'aac'],
};

/** A tone of `seconds` as ogg (Opus, what Telegram voice notes are), mp3, wav or m4a. */
export async function tone(seconds: number, format: keyof typeof CODEC = 'ogg'): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kf-tone-'));
  try {
    const out = path.join(dir, `tone.${format}`);
    await run('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=440:duration=${seconds}`,
      ...(CODEC[format] ?? []),
      out,
    ]);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A recording as messages carry it (ports/out-message.ts), for channel tests that send a file. */
export function outAudio(filePath: string, overrides: Partial<OutAudio> = {}): OutAudio {
  return {
    item: 'welcome',
    lang: 'fr',
    path: filePath,
    durationMs: 1000,
    version: 'v1',
    platformIds: {},
    ...overrides,
  };
}

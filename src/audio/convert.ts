// Turns an upload (ogg, opus, mp3, m4a, wav) into a mono OGG/Opus voice note with ffmpeg, and checks the limits.
// A Telegram voice note is already OGG/Opus: `acceptVoiceNote` keeps its bytes as they are.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { oggOpusInfo } from './ogg.ts';

export const UPLOAD_EXTENSIONS = ['ogg', 'opus', 'mp3', 'm4a', 'wav'] as const;

export type AudioLimits = {
  /** Largest file taken in (before conversion). */
  maxInputBytes: number;
  /** Longest recording kept. */
  maxDurationMs: number;
  /** Shorter than this is an accidental tap, not a recording. */
  minDurationMs: number;
};

/** About one minute is the aim (content/audio/README.md); two is the most a frightened listener will wait for. */
export const DEFAULT_LIMITS: AudioLimits = {
  maxInputBytes: 20 * 1024 * 1024,
  maxDurationMs: 120_000,
  minDurationMs: 500,
};

/**
 * A problem the person recording can fix; `message` says how. `text` and `params` are the same words for the
 * console's translator (src/staff/i18n-fr.ts), so Telegram and the console say it in French.
 */
export class AudioError extends Error {
  override readonly name = 'AudioError';
  constructor(
    readonly text: string,
    readonly params: Record<string, string | number> = {},
    options?: ErrorOptions,
  ) {
    super(
      text.replace(/\{(\w+)\}/g, (m, name: string) => String(params[name] ?? m)),
      options,
    );
  }
}

export type VoiceNote = { bytes: Buffer; durationMs: number };

/** 2.5 for 2 500 ms. */
export function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

export function checkSize(bytes: number, limits: AudioLimits): void {
  if (bytes === 0) throw new AudioError('The file is empty.');
  if (bytes > limits.maxInputBytes) {
    const mb = Math.round(limits.maxInputBytes / 1024 / 1024);
    throw new AudioError('The file is too large ({size} MB); the most is {max} MB.', {
      size: Math.ceil(bytes / 1024 / 1024),
      max: mb,
    });
  }
}

function checkDuration(durationMs: number, limits: AudioLimits): void {
  if (durationMs < limits.minDurationMs) {
    throw new AudioError('The recording is too short ({seconds} s): nothing was said.', {
      seconds: seconds(durationMs),
    });
  }
  if (durationMs > limits.maxDurationMs) {
    throw new AudioError('The recording is too long ({seconds} s); the most is {max} s. Aim for about one minute.', {
      seconds: seconds(durationMs),
      max: limits.maxDurationMs / 1000,
    });
  }
}

/** An OGG/Opus file as it is (a Telegram voice note), after checking its length. */
export function acceptVoiceNote(bytes: Buffer, limits: AudioLimits = DEFAULT_LIMITS): VoiceNote {
  checkSize(bytes.length, limits);
  const info = oggOpusInfo(bytes);
  if (!info) throw new AudioError('This is not an OGG/Opus voice note.');
  checkDuration(info.durationMs, limits);
  return { bytes, durationMs: info.durationMs };
}

/** The extension of an upload's name when it is one we convert, else null. */
export function uploadExtension(filename: string): string | null {
  const ext = path.extname(filename).slice(1).toLowerCase();
  return (UPLOAD_EXTENSIONS as readonly string[]).includes(ext) ? ext : null;
}

/** Converts any audio ffmpeg reads to mono OGG/Opus at 24 kbit/s (speech), then checks the limits. */
export async function convertToVoiceNote(
  input: Buffer,
  filename: string,
  options: { ffmpegPath?: string; limits?: AudioLimits } = {},
): Promise<VoiceNote> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const ext = uploadExtension(filename);
  if (!ext) throw new AudioError('Send an audio file: {formats}.', { formats: UPLOAD_EXTENSIONS.join(', ') });
  checkSize(input.length, limits);
  const dir = await mkdtemp(path.join(tmpdir(), 'kunnafoni-audio-'));
  try {
    // A file, not a pipe: m4a keeps its index at the end, which ffmpeg cannot read from a pipe.
    const source = path.join(dir, `input.${ext}`);
    const target = path.join(dir, 'output.ogg');
    await writeFile(source, input);
    await runFfmpeg(options.ffmpegPath ?? 'ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-y',
      '-i',
      source,
      '-vn',
      '-ac',
      '1',
      '-c:a',
      'libopus',
      '-b:a',
      '24k',
      '-application',
      'voip',
      target,
    ]);
    const bytes = await readFile(target);
    const info = oggOpusInfo(bytes);
    if (!info) throw new AudioError('This file could not be read as audio.');
    checkDuration(info.durationMs, limits);
    return { bytes, durationMs: info.durationMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runFfmpeg(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString('utf8');
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new AudioError(
              'ffmpeg is not installed ({command} not found): install the Debian package ffmpeg to convert uploads.',
              { command },
            )
          : err,
      );
    });
    child.on('close', (code) => {
      if (code === 0) resolve();
      // ffmpeg's own words stay in `cause` (for logs), out of the message shown to staff.
      else
        reject(
          new AudioError('This file could not be read as audio (ogg, opus, mp3, m4a or wav).', {}, { cause: stderr }),
        );
    });
  });
}

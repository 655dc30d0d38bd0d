// The recordings library on real Redis and real ffmpeg: conversion of each upload format, replacing (old file and
// platform ids gone), limits, shipped files that cannot be used, and a clear error when ffmpeg is missing.
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AudioError } from '../../src/audio/convert.ts';
import { AudioLibrary } from '../../src/audio/library.ts';
import { oggOpusInfo } from '../../src/audio/ogg.ts';
import type { Content } from '../../src/content/schema.ts';
import { shippedBundle } from '../support/app.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';
import { tone } from './support.ts';

describe('the recordings library', () => {
  let r: TestRedis;
  let dataDir: string;
  let content: Content;
  let library: AudioLibrary;

  beforeEach(async () => {
    r = await testRedis();
    dataDir = await mkdtemp(path.join(tmpdir(), 'kf-voice-lib-'));
    content = (await shippedBundle()).content;
    library = await AudioLibrary.open({ redis: r.redis, keys: r.keys, dataDir, content });
  });
  afterEach(async () => {
    await r.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('offers every FAQ and the first-heard texts in every language, all missing at first', async () => {
    expect(library.items.slice(0, 4)).toEqual(['welcome', 'menu', 'consent', 'distress']);
    expect(library.items).toContain('faq-arrested-abroad');
    expect(library.items).toHaveLength(4 + content.faqs.size);
    const cells = await library.matrix();
    expect(cells).toHaveLength(library.items.length * 3);
    expect(new Set(cells.map((c) => c.status))).toEqual(new Set(['missing']));
    expect(await library.approvedItems('bm')).toEqual(new Set());
  });

  it.each(['mp3', 'wav', 'm4a', 'ogg'] as const)('converts a %s upload to mono OGG/Opus', async (format) => {
    const saved = await library.saveUpload('distress', 'fr', await tone(1.5, format), `reply.${format}`, 'web:a');
    const info = oggOpusInfo(await readFile(saved.path));
    expect(info?.channels).toBe(1);
    expect(Math.abs(saved.durationMs - 1500)).toBeLessThan(100);
    expect(saved).toMatchObject({ status: 'recorded', recordedBy: 'web:a' });
  });

  it('replacing a recording removes the old file, its approval and the platform id of the old version', async () => {
    const first = await library.saveVoiceNote('menu', 'bm', await tone(2), 'telegram:x', { telegram: 'old-id' });
    await library.approve('menu', 'bm', 'web:admin');
    const approved = await library.approvedFor('menu', 'bm');
    expect(approved?.platformIds).toEqual({ telegram: 'old-id' });
    expect(await library.approvedItems('bm')).toEqual(new Set(['menu']));

    const second = await library.saveVoiceNote('menu', 'bm', await tone(3), 'telegram:y');
    expect(second.version).not.toBe(first.version);
    expect(second.status).toBe('recorded');
    expect(await library.approvedFor('menu', 'bm')).toBeNull();
    await expect(access(first.path)).rejects.toThrow();
    expect(await r.redis.exists(r.keys.key('audio', 'ids', first.version))).toBe(0);
    expect(await readdir(path.join(dataDir, 'audio'))).toEqual([path.basename(second.path)]);

    // After approval, the id a channel gets back from sending it is kept for that version.
    await library.approve('menu', 'bm', 'web:admin');
    const now = await library.approvedFor('menu', 'bm');
    await library.rememberPlatformId(now!, 'telegram', 'new-id');
    expect((await library.approvedFor('menu', 'bm'))?.platformIds).toEqual({ telegram: 'new-id' });
  });

  it('refuses what is not a voice note, too short or too long, keeping nothing', async () => {
    const refused = async (promise: Promise<unknown>) => {
      const err = await promise.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AudioError);
      return (err as AudioError).message;
    };
    expect(await refused(library.saveVoiceNote('welcome', 'fr', await tone(1, 'mp3'), 'web:a'))).toBe(
      'This is not an OGG/Opus voice note.',
    );
    expect(await refused(library.saveVoiceNote('welcome', 'fr', await tone(0.2), 'web:a'))).toBe(
      'The recording is too short (0.2 s): nothing was said.',
    );
    expect(await refused(library.saveUpload('welcome', 'fr', Buffer.alloc(0), 'x.wav', 'web:a'))).toBe(
      'The file is empty.',
    );
    expect(await library.get('welcome', 'fr')).toBeNull();
  });

  it('says how to fix it when ffmpeg is missing', async () => {
    const without = await AudioLibrary.open({
      redis: r.redis,
      keys: r.keys,
      dataDir,
      content,
      ffmpegPath: '/nowhere/ffmpeg',
    });
    const err = await without.saveUpload('welcome', 'en', await tone(1, 'mp3'), 'a.mp3', 'web:a').catch((e) => e);
    expect(err).toBeInstanceOf(AudioError);
    expect(String(err.message)).toBe(
      'ffmpeg is not installed (/nowhere/ffmpeg not found): install the Debian package ffmpeg to convert uploads.',
    );
  });

  it('names the files in content/audio/ it cannot use', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'kf-voice-shipped-'));
    try {
      await mkdir(path.join(root, 'audio', 'bm'), { recursive: true });
      await writeFile(path.join(root, 'audio', 'bm', 'bienvenue.ogg'), await tone(1));
      await writeFile(path.join(root, 'audio', 'bm', 'welcome.ogg'), await tone(1, 'mp3'));
      const shipped = await AudioLibrary.open({ redis: r.redis, keys: r.keys, dataDir, content: { ...content, root } });
      expect(shipped.shippedProblems).toEqual([
        { file: 'audio/bm/bienvenue.ogg', message: 'no recordable item is called "bienvenue"' },
        { file: 'audio/bm/welcome.ogg', message: 'not an OGG/Opus file (see content/audio/README.md)' },
      ]);
      expect(await shipped.get('welcome', 'bm')).toBeNull();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

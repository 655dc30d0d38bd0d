// The approved recordings as the runtime reads them: all languages in one read, kept a few seconds, refreshed
// without making a turn wait, and a file_id learned by a channel kept in the library and in the copy in use.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPROVED_CACHE_MS, CachedApprovedVoices } from '../../src/audio/approved-voices.ts';
import { AudioLibrary } from '../../src/audio/library.ts';
import { loadContent } from '../../src/content/load.ts';
import { REPO_ROOT } from '../support/app.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';
import { tone } from './support.ts';

let r: TestRedis;
let dataDir: string;
let library: AudioLibrary;

beforeEach(async () => {
  r = await testRedis();
  dataDir = await mkdtemp(path.join(tmpdir(), 'kf-approved-'));
  const { content } = await loadContent(REPO_ROOT);
  library = await AudioLibrary.open({ redis: r.redis, keys: r.keys, dataDir, content: content! });
});
afterEach(async () => {
  await r.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

describe('approved recordings for the runtime', () => {
  it('lists approved recordings only, per language; an approval is heard once the copy in use is refreshed', async () => {
    let now = 1_000_000;
    const voices = new CachedApprovedVoices(library, { now: () => now });
    await library.saveVoiceNote('menu', 'bm', await tone(1), 'telegram:staff');
    expect((await voices.approved()).bm).toEqual({});

    await library.approve('menu', 'bm', 'web:admin');
    // Within the few seconds the copy is used: not yet.
    now += APPROVED_CACHE_MS - 1;
    expect((await voices.approved()).bm).toEqual({});
    // After: this turn still gets the older copy (it does not wait), and starts a new read for the next ones.
    now += 2;
    expect((await voices.approved()).bm).toEqual({});
    await new Promise<void>((resolve) => {
      const next = async () => {
        if ((await voices.approved()).bm.menu) resolve();
        else setImmediate(next);
      };
      void next();
    });
    const menu = (await voices.approved()).bm.menu!;
    expect(menu).toMatchObject({ item: 'menu', lang: 'bm', durationMs: 1000, platformIds: {} });
    expect((await voices.approved()).fr).toEqual({});

    await voices.rememberPlatformId(menu, 'telegram', 'file-abc');
    expect((await voices.approved()).bm.menu?.platformIds).toEqual({ telegram: 'file-abc' });
    expect((await library.approvedFor('menu', 'bm'))?.platformIds).toEqual({ telegram: 'file-abc' });
  });
});

// `kunnafoni audio list|export` against the real Redis (own prefix) and a data directory, and what `validate`
// reports for the recordings shipped in content/audio/: an export put there is loaded as approved.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { shippedAudioReport } from '../../src/audio/coverage.ts';
import { AudioLibrary } from '../../src/audio/library.ts';
import { runCli } from '../../src/cli/run.ts';
import type { Content } from '../../src/content/schema.ts';
import { REPO_ROOT, shippedBundle } from '../support/app.ts';
import { TEST_REDIS_URL, type TestRedis, testRedis } from '../support/redis.ts';
import { tone } from './support.ts';

let r: TestRedis;
let dataDir: string;
let content: Content;
let library: AudioLibrary;

beforeEach(async () => {
  r = await testRedis();
  dataDir = await mkdtemp(path.join(tmpdir(), 'kf-voice-cli-'));
  content = (await shippedBundle()).content;
  library = await AudioLibrary.open({ redis: r.redis, keys: r.keys, dataDir, content });
});
afterEach(async () => {
  await r.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

async function run(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await runCli(argv, {
    stdin: new PassThrough(),
    stdout,
    stderr,
    cwd: REPO_ROOT,
    env: { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: r.prefix, KUNNAFONI_DATA_DIR: dataDir },
  });
  return { code, out, err };
}

test('audio list shows each recording and the coverage per language; export writes files and a manifest', async () => {
  const welcome = await tone(2);
  await library.saveVoiceNote('welcome', 'bm', welcome, 'telegram:abc', { telegram: 'file-1' });
  await library.approve('welcome', 'bm', 'web:fatoumata-kone');
  await library.saveVoiceNote('menu', 'bm', await tone(3), 'telegram:abc');

  const listed = await run(['audio', 'list']);
  expect(listed.code).toBe(0);
  expect(listed.out).toMatch(/^welcome +bm {2}approved +2 s {2}console$/m);
  expect(listed.out).toMatch(/^menu +bm {2}recorded +3 s {2}console$/m);
  const total = library.items.length;
  expect(listed.out).toContain(`Audio approved per language: fr 0/${total}, en 0/${total}, bm 1/${total}.`);
  const json = JSON.parse((await run(['audio', 'list', '--json'])).out) as { item: string; status: string }[];
  expect(json).toHaveLength(total * 3);
  expect(json.filter((c) => c.status !== 'missing').map((c) => `${c.item}:${c.status}`)).toEqual([
    'welcome:approved',
    'menu:recorded',
  ]);

  // Only approved recordings are exported; the manifest names no staff member.
  const root = await mkdtemp(path.join(tmpdir(), 'kf-voice-export-'));
  try {
    const exported = await run(['audio', 'export', path.join(root, 'audio')]);
    expect(exported.code).toBe(0);
    expect(exported.out).toContain('Exported 1 approved recording to');
    expect((await readFile(path.join(root, 'audio', 'bm', 'welcome.ogg'))).equals(welcome)).toBe(true);
    const manifestText = await readFile(path.join(root, 'audio', 'manifest.json'), 'utf8');
    expect(JSON.parse(manifestText).recordings).toEqual([
      expect.objectContaining({ item: 'welcome', lang: 'bm', file: 'bm/welcome.ogg', durationMs: 2000 }),
    ]);
    expect(manifestText).not.toMatch(/fatoumata|telegram:/);

    // Committed into content/audio/, it is loaded as approved, and validate counts it.
    const shipped = { root, faqs: content.faqs };
    const report = await shippedAudioReport(shipped);
    expect(report.line).toContain(`bm 1/${total}`);
    expect(report.problems).toEqual([]);
    expect(report.lines).toEqual([report.line]);
    const fresh = await AudioLibrary.open({ redis: r.redis, keys: r.keys, dataDir, content: shipped });
    await library.remove('welcome', 'bm');
    expect(await fresh.get('welcome', 'bm')).toMatchObject({ status: 'approved', source: 'content' });
    expect((await fresh.approvedFor('welcome', 'bm'))?.path).toBe(path.join(root, 'audio', 'bm', 'welcome.ogg'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('unknown flags, sub-commands and missing folders are errors', async () => {
  const flag = await run(['audio', 'list', '--all']);
  expect(flag.code).toBe(2);
  expect(flag.err).toContain('audio: unknown option --all');
  expect((await run(['audio', 'export', dataDir, '--json'])).err).toContain('unknown option --json');
  expect((await run(['audio', 'export'])).err).toContain('give one folder: audio export DIR');
  expect((await run(['audio', 'play'])).err).toContain('audio: unknown command "play"');
});

test('the shipped content has no recordings yet, and says so per language', async () => {
  const report = await shippedAudioReport(content);
  const total = library.items.length;
  expect(report.line).toMatch(
    new RegExp(`^Audio approved per language: fr 0/${total}, en 0/${total}, bm 0/${total}\\.`),
  );
  const validate = await run(['validate']);
  expect(validate.code).toBe(0);
  expect(validate.out).toContain(`${report.line}\nvalidate: ok`);
});

// `kunnafoni faq search`: the exact JSON the issue names, batch files with bad lines, readable output.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faqCommand } from '../../src/cli/faq.ts';

const root = path.join(import.meta.dirname, '../..');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'kunnafoni-faq-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c) => out.push(String(c)));
  stderr.on('data', (c) => err.push(String(c)));
  const code = await faqCommand(argv, { stdout, stderr, root });
  return { code, out: out.join(''), err: err.join('') };
}

describe('faq search', () => {
  it('prints {"match", "results"} for one question with --json', async () => {
    const { code, out } = await run(['search', '--lang', 'fr', '--json', 'mon patron a confisqué mon passeport']);
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!);
    expect(Object.keys(parsed)).toEqual(['match', 'results']);
    expect(parsed.match).toBe('passport-taken');
    expect(parsed.results.length).toBeGreaterThan(0);
    expect(parsed.results.length).toBeLessThanOrEqual(5);
    for (const r of parsed.results) {
      expect(Object.keys(r)).toEqual(['id', 'score']);
      expect(r.score).toBeGreaterThanOrEqual(0);
      expect(r.score).toBeLessThanOrEqual(1);
    }
  });

  it('prints null as the match for an off-topic question', async () => {
    const { code, out } = await run(['search', '--json', 'quel temps fera-t-il demain']);
    expect(code).toBe(0);
    expect(JSON.parse(out).match).toBeNull();
  });

  it('answers a batch file line by line, in order, reporting bad lines on stderr and exiting 1', async () => {
    const file = path.join(dir, 'batch.jsonl');
    await writeFile(
      file,
      [
        '{"q": "mon patron a confisqué mon passeport", "lang": "fr"}',
        'not json',
        '{"q": "my brother is missing since he left for libya", "lang": null}',
        '{"q": 42}',
        '{"q": "recette du mafe", "lang": "xx"}',
        '{"q": "c koi la ponam", "lang": "fr"}',
        '',
      ].join('\n'),
    );
    const { code, out, err } = await run(['search', '--batch', file, '--json']);
    expect(code).toBe(1);
    // One object per input line, in order: a bad line gives an object with `error` in its place.
    const objects = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(objects.map((o) => o.match)).toEqual(['passport-taken', null, 'missing-relative', null, null, 'ponam']);
    expect(objects.map((o) => 'error' in o)).toEqual([false, true, false, true, true, false]);
    expect(
      err
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).line),
    ).toEqual([2, 4, 5]);
  });

  it('exits 0 for a batch without bad lines', async () => {
    const file = path.join(dir, 'good.jsonl');
    await writeFile(file, '{"q": "c koi la ponam", "lang": "fr"}\n{"q": "what is ponam"}\n');
    const { code, out } = await run(['search', '--batch', file, '--json']);
    expect(code).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(2);
  });

  it('prints a readable form without --json', async () => {
    const { code, out } = await run(['search', '--lang', 'en', 'my employer took my passport']);
    expect(code).toBe(0);
    expect(out).toContain('answer: passport-taken');
    expect(out).toMatch(/1\. \d\.\d{3} {2}passport-taken/);
  });

  it('explains its usage on bad arguments (exit 2)', async () => {
    expect((await run(['search'])).code).toBe(2);
    expect((await run(['find', 'x'])).code).toBe(2);
    const bad = await run(['search', '--lang', 'de', 'hallo']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--lang must be fr, en or bm');
  });
});

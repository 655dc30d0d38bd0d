// `kunnafoni validate` as the launch gate: --strict fails on today's content (drafts, machine drafts,
// unverified contacts and emergency numbers); plain validate passes it with warnings, but fails on a
// placeholder people would read as is and on a first message too long for a phone.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.ts';
import { REPO_ROOT } from '../support/app.ts';

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function validate(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (out += d));
  const code = await runCli(['validate', ...args], {
    stdin: new PassThrough(),
    stdout,
    stderr,
    cwd: REPO_ROOT,
    env: {},
  });
  return { code, out };
}

async function copyOfRepo(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'kunnafoni-gate-'));
  roots.push(root);
  for (const dir of ['flows', 'content', 'locales'])
    await cp(path.join(REPO_ROOT, dir), path.join(root, dir), { recursive: true });
  return root;
}

describe('validate', () => {
  it('--strict fails on the shipped drafts, naming what is not reviewed', async () => {
    const r = await validate(['--strict']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('content/faqs/arrested-abroad.yaml');
    expect(r.out).toMatch(/answer: not reviewed: fr draft, en draft, bm machine-draft/);
    expect(r.out).toMatch(/unverified emergency number 80 00 11 32 would be given to people in distress/);
    expect(r.out).toMatch(/locales\/bm\/_meta\.json:1:1 status: Bambara interface texts are "machine-draft"/);
    // A number written in an answer is checked like the contact it belongs to.
    expect(r.out).toMatch(
      /content\/faqs\/sexual-violence\.yaml:\d+:\d+ answer\.fr\.points\.line: phone number 80 00 11 32 in the answer: its contact channel is not verified/,
    );
  });

  it('without --strict passes the shipped content and reports the same as warnings', async () => {
    const r = await validate([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/warning: not reviewed: fr draft/);
  });

  it('fails on a placeholder a locale has and French does not ({{org}} would reach people)', async () => {
    const root = await copyOfRepo();
    const file = path.join(root, 'locales/bm/faq.json');
    const strings = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
    strings.draft = '(Jɛkulu {{org}} bɛ nin jaabi lajɛ.)';
    await writeFile(file, JSON.stringify(strings, null, 2));
    const r = await validate(['--root', root]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/locales\/bm\/faq\.json:\d+:\d+ draft: unknown placeholder \{\{org\}\} in "faq\.draft"/);
  });

  it('fails on an answer whose first message would not fit a phone', async () => {
    const root = await copyOfRepo();
    const file = path.join(root, 'content/faqs/ponam.yaml');
    const text = await readFile(file, 'utf8');
    const long = 'Une phrase de plus qui allonge beaucoup trop le premier message. '.repeat(4).trim();
    await writeFile(file, text.replace('La PONAM est la Politique', `${long} La PONAM est la Politique`));
    const r = await validate(['--root', root]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /content\/faqs\/ponam\.yaml:\d+:\d+ answer\.fr\.points: the first message is \d+ characters as shown/,
    );
  });
});

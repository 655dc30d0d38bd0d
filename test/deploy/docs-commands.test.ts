// The operator documentation stays true: every `kunnafoni` command it tells people to type exists, and every
// configuration variable it names is one .env.example lists (and so one the bot or docker-compose.yml reads).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.ts';
import { REPO_ROOT } from '../support/app.ts';

const DOCS = ['README.md', 'docs/deployment.md', 'docs/staff.md'];
const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');

/**
 * Names in the docs that are not settings: build arguments, the examples' shell variables, Redis commands, keywords,
 * WhatsApp's connection states (the operators' section explains them), and the benchmark's own knobs (BENCH_*, read
 * by `npm run bench` only).
 */
const NOT_SETTINGS = new Set([
  ...['NODE_IMAGE', 'WHATSAPP', 'OLD', 'TOKEN', 'PATH', 'HOME', 'WAIT', 'ERASE', 'JOSI'],
  ...['CONFLICT', 'DEPRECATED_VERSION', 'TOS_BLOCK', 'SMB_TOS_BLOCK'],
]);

async function usage(): Promise<string> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk) => {
    text += String(chunk);
  });
  await runCli(['help'], { stdout, stderr: new PassThrough(), stdin: process.stdin, cwd: REPO_ROOT, env: {} });
  return text;
}

describe('operator documentation', () => {
  it('names only commands the CLI has', async () => {
    const help = await usage();
    let seen = 0;
    for (const file of DOCS) {
      for (const m of read(file).matchAll(/(?:npx kunnafoni|node bin\/kunnafoni\.js) ([a-z]+)(?: ([a-z]+))?/g)) {
        const [, name, sub] = m;
        seen += 1;
        expect(help, `${file}: kunnafoni ${name}`).toMatch(new RegExp(`^ {2}${name}\\b`, 'm'));
        // A second word that is a subcommand (not a flag or a value) must be one the usage names.
        if (sub && new RegExp(`^ {2}${name} [a-z]+`, 'm').test(help)) {
          expect(help, `${file}: kunnafoni ${name} ${sub}`).toContain(`${name} ${sub}`);
        }
      }
    }
    expect(seen).toBeGreaterThan(10);
  });

  it('names only variables .env.example lists', () => {
    const example = read('.env.example');
    let seen = 0;
    for (const file of DOCS) {
      for (const m of read(file).matchAll(/`([A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{4,})(?:=[^`]*)?`/g)) {
        const name = m[1]!;
        if (NOT_SETTINGS.has(name) || name.startsWith('BENCH_')) continue;
        seen += 1;
        expect(example, `${file}: ${name}`).toMatch(new RegExp(`^(# )?${name}=`, 'm'));
      }
    }
    expect(seen).toBeGreaterThan(20);
  });
});

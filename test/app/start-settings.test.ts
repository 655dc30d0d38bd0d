// `kunnafoni start` and its settings: `.env` is read (the environment wins, a broken file is one clear line), and
// a Redis that does not answer at the configured address gives one clear line and exit 1, not a stream of stacks.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withDotEnv } from '../../src/config-dotenv.ts';
import { REPO_ROOT } from '../support/app.ts';
import { TEST_REDIS_URL } from '../support/redis.ts';

const dirs: string[] = [];
let child: ChildProcess | null = null;
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = null;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function workDir(dotEnv?: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'kf-settings-'));
  dirs.push(dir);
  // The bot's content where `npm start` expects it, so the folder looks like a checkout.
  for (const entry of ['flows', 'content', 'locales'])
    await symlink(path.join(REPO_ROOT, entry), path.join(dir, entry));
  if (dotEnv !== undefined) await writeFile(path.join(dir, '.env'), dotEnv);
  return dir;
}

/** Runs `kunnafoni start` in `cwd`; resolves with its output once `until` matches or it exits. */
function start(
  cwd: string,
  env: NodeJS.ProcessEnv,
  until: RegExp,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/kunnafoni.js'), 'start'], {
      cwd,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let stdout = '';
    let stderr = '';
    const done = (code: number | null) => resolve({ code, stdout, stderr });
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (until.test(stdout)) {
        proc.once('exit', (code) => done(code));
        proc.kill('SIGTERM');
      }
    });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    proc.once('exit', (code) => {
      if (!until.test(stdout)) done(code);
    });
  });
}

describe('.env', () => {
  it('is read by npm start, under the environment', async () => {
    const cwd = await workDir(`# settings\nexport PORT=0\nREDIS_URL=${TEST_REDIS_URL}\nLOG_LEVEL=info\n`);
    const run = await start(cwd, { LOG_LEVEL: 'warn', KUNNAFONI_DATA_DIR: cwd }, /ready/);
    // PORT=0 and REDIS_URL from .env: the console listens on a free port, not 3000, with that Redis.
    const ready = run.stdout.match(/staff console on http:\/\/127\.0\.0\.1:(\d+)\//);
    expect(Number(ready?.[1])).not.toBe(3000);
    expect(Number(ready?.[1])).toBeGreaterThan(0);
    // LOG_LEVEL=warn from the environment wins over .env's info: no info lines in the (JSON) log on stderr.
    const logLines = run.stderr.trimEnd().split('\n').filter(Boolean);
    const levels = logLines.map((line) => (JSON.parse(line) as { level: number }).level);
    expect(levels.length).toBeGreaterThan(0);
    expect(levels.every((level) => level >= 40)).toBe(true);
  });

  it('the environment wins; a missing .env is fine; a broken one is one clear line', async () => {
    expect(withDotEnv(await workDir(), { A: '1' })).toEqual({ A: '1' });
    const cwd = await workDir('PORT=1234\nFLOOD_MAX_PER_MINUTE=5\n');
    expect(withDotEnv(cwd, { PORT: '0' })).toMatchObject({ PORT: '0', FLOOD_MAX_PER_MINUTE: '5' });

    const broken = await workDir('PORT=0\nthis is not a setting\n');
    const run = await start(broken, { REDIS_URL: TEST_REDIS_URL }, /ready/);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('.env:2: not a NAME=value line (no "="); fix or remove it\n');
  });
});

describe('a Redis that does not answer at start', () => {
  it('gives one line naming the address and what to check, and exits 1', async () => {
    const cwd = await workDir();
    const run = await start(
      cwd,
      { REDIS_URL: 'redis://user:secret@127.0.0.1:1/0', PORT: '0', KUNNAFONI_DATA_DIR: cwd },
      /ready/,
    );
    expect(run.code).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:1\/0 did not answer for \d+ s: connection refused/);
    expect(lines[0]).toContain('Check REDIS_URL');
    expect(run.stderr).not.toContain('secret');
    expect(run.stdout).not.toMatch(/ECONNREFUSED|\n\s+at /);
  });
});

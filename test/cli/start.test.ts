// `npm start` with no channel configured: starts, says how to connect a channel and how to try the bot,
// keeps running when standard input closes, and exits 0 on SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/app.ts';
import { TEST_REDIS_URL } from '../support/redis.ts';

describe('kunnafoni start', () => {
  it('runs as a service without channels and stops cleanly on SIGTERM', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'kf-start-'));
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/kunnafoni.js'), 'start'], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: 'start-test',
        KUNNAFONI_DATA_DIR: dataDir,
        PORT: '0',
        LOG_LEVEL: 'silent',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stdin.end(); // standard input closed at once, as under a service manager
    const deadline = Date.now() + 30_000;
    while (!out.includes('npx kunnafoni chat') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(out).toContain('No channel is connected yet');
    expect(out).toMatch(/staff console on http:\/\/127\.0\.0\.1:\d+\//);
    expect(out).toContain('TELEGRAM_BOT_TOKEN');
    expect(out).toContain('npx kunnafoni chat');
    // Standard input was closed before all that: the service still answers (it did not take the close for a quit).
    const port = /staff console on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)?.[1];
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(child.exitCode).toBeNull();
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await rm(dataDir, { recursive: true, force: true });
  });
});

describe('kunnafoni start refuses bad settings with one clear line', () => {
  it.each([
    [{ KUNNAFONI_DATA_KEY: 'garbage' }, /KUNNAFONI_DATA_KEY: key "default" must be 32 bytes/],
    [
      {
        TELEGRAM_BOT_TOKEN: '123:abc',
        TELEGRAM_MODE: 'webhook',
        TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/telegram/webhook',
      },
      /TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_MODE=webhook/,
    ],
    [{ PORT: 'eighty' }, /^ {2}PORT: /m],
  ])('%o', (env, message) => {
    const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/kunnafoni.js'), 'start'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, REDIS_URL: TEST_REDIS_URL, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

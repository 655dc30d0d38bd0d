// `kunnafoni start` with Telegram configured, against the loopback Bot API server: the whole composition root
// (config -> Redis -> runtime -> channel -> referrals) answers a person, and stops cleanly.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/app.ts';
import { BotApiServer, startUpdate, textUpdate } from '../support/bot-api-server.ts';
import { deleteKeys, TEST_REDIS_URL, testRedis } from '../support/redis.ts';

let child: ChildProcess | null = null;
let server: BotApiServer | null = null;
let dataDir = '';
const prefix = `start-tg-${process.pid}`;

/** `kunnafoni start` in a child process, pointed at the loopback Bot API (never spawnSync: it answers from here). */
async function startBot(bot: BotApiServer): Promise<ChildProcess> {
  dataDir = await mkdtemp(path.join(tmpdir(), 'kf-start-tg-'));
  return spawn(process.execPath, [path.join(REPO_ROOT, 'bin/kunnafoni.js'), 'start'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: prefix,
      KUNNAFONI_DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'silent',
      TELEGRAM_BOT_TOKEN: bot.token,
      TELEGRAM_API_ROOT: bot.apiRoot,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await server?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  const r = await testRedis();
  await deleteKeys(r.redis, `{${prefix}}*`);
  await r.cleanup();
});

describe('kunnafoni start with Telegram', () => {
  it('answers /start, walks to a referral with consent, and exits 0 on SIGTERM', async () => {
    server = await BotApiServer.start();
    child = await startBot(server);
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
    });
    const chat = 4242;
    server.push(startUpdate(chat, undefined, { languageCode: 'fr' }));
    await server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(chat), { timeoutMs: 30_000 });
    expect(server.textsTo(chat).join('\n')).toContain('Choisis ta langue.');

    for (const text of ['1', '4', '1', '1', 'oui', 'passer', '1', 'passer', '1']) {
      const since = server.lastSeq;
      server.push(textUpdate(chat, text));
      // The whole answer: it ends with its question's buttons (a busy machine may send its first part well before).
      await server.waitForCall(
        (c) => c.method === 'sendMessage' && c.chatId === String(chat) && c.params.reply_markup !== undefined,
        { since, timeoutMs: 15_000 },
      );
    }
    const all = server.textsTo(chat).join('\n');
    expect(all).toContain('AME'); // the consent screen names the association
    expect(all).toMatch(/K-[0-9A-Z]{4}/); // the case number
    // Sent once (by the runtime, before its journal is marked done), not again by the channel.
    expect(server.textsTo(chat).filter((t) => t.includes('Ta demande est enregistrée'))).toHaveLength(1);
    // /healthz says Redis and Telegram are up; /metrics counted this person's updates.
    const port = /staff console on http:\/\/127\.0\.0\.1:(\d+)\//.exec(out)?.[1];
    expect(port).toBeDefined();
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const updates = /^kunnafoni_updates_total\{channel="telegram"\} (\d+)$/m.exec(metrics)?.[1];
    expect(Number(updates)).toBe(10);
    // Every message this person received counted once, the confirmation (sent through the outbox) included.
    const replies = /^kunnafoni_replies_total\{channel="telegram",kind="reply"\} (\d+)$/m.exec(metrics)?.[1];
    expect(Number(replies)).toBe(server.textsTo(chat).length);
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});

describe('kunnafoni start with a wrong Telegram token', () => {
  it('says so in one line and exits 1', async () => {
    server = await BotApiServer.start();
    server.failNext({ status: 401, description: 'Unauthorized' }, { method: 'getMe', times: 100 });
    child = await startBot(server);
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    const status = await new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    expect(status).toBe(1);
    expect(stderr).toContain('TELEGRAM_BOT_TOKEN was refused by Telegram (401 Unauthorized)');
  });
});

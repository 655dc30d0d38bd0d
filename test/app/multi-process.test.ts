// Two bot processes in Telegram webhook mode share one Redis; updates are spread between them (and some are
// delivered to both, as a retrying Telegram behind a load balancer would). Each chat's replies come in the order of
// its updates, and no update is answered twice.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/app.ts';
import { BotApiServer, textUpdate, withUpdateId } from '../support/bot-api-server.ts';
import { TEST_REDIS_URL, testRedis } from '../support/redis.ts';

const CHILD = path.join(import.meta.dirname, 'support', 'webhook-bot.ts');
const SECRET = 'multi-process-secret';
const CHATS = 12;
const MESSAGES_PER_CHAT = 12;

function startBot(env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^ready (\d+)$/.exec(line);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`bot exited with ${code} before it was ready`)));
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('two bot processes in webhook mode on one Redis', () => {
  it('keep each chat in order and answer every update once', async () => {
    const server = await BotApiServer.start();
    cleanups.push(() => server.close());
    const redis = await testRedis();
    cleanups.push(() => redis.cleanup());
    const env = {
      KF_ROOT: REPO_ROOT,
      KF_REDIS_URL: TEST_REDIS_URL,
      KF_PREFIX: redis.prefix,
      KF_TOKEN: server.token,
      KF_API_ROOT: server.apiRoot,
      KF_SECRET: SECRET,
    };
    const bots = await Promise.all([startBot(env), startBot(env)]);
    for (const { child } of bots) cleanups.push(() => void (child.exitCode === null && child.kill('SIGKILL')));

    const post = (port: number, body: unknown) =>
      fetch(`http://127.0.0.1:${port}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(body),
      }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      });

    // Telegram numbers updates in the order it receives them, across all chats.
    let nextUpdateId = 1;
    const sent = new Map<string, string[]>();
    let delivered = 0;
    let twice = 0;
    await Promise.all(
      Array.from({ length: CHATS }, async (_, c) => {
        const chatId = 7000 + c;
        const texts = Array.from({ length: MESSAGES_PER_CHAT }, (_, i) => `c${c}-m${i}`);
        sent.set(String(chatId), texts);
        for (const [i, text] of texts.entries()) {
          const update = withUpdateId(textUpdate(chatId, text), nextUpdateId++);
          // Spread between the processes; one update in four is delivered to both at once.
          const targets = (c + i) % 4 === 0 ? bots : [bots[(c * 7 + i * 3) % 2]!];
          if (targets.length === 2) twice += 1;
          const statuses = await Promise.all(targets.map((b) => post(b.port, update)));
          expect(statuses.every((s) => s === 200)).toBe(true);
          delivered += 1;
        }
      }),
    );
    expect(delivered).toBe(CHATS * MESSAGES_PER_CHAT);
    expect(twice).toBeGreaterThan(0);

    const isEcho = (text: unknown) => typeof text === 'string' && text.startsWith('#');
    await server.waitForCalls((call) => call.method === 'sendMessage' && isEcho(call.params.text), delivered, {
      timeoutMs: 60_000,
    });
    // Both processes stop gracefully (anything still queued or in flight is finished first).
    const exits = bots.map(({ child }) => once(child, 'exit'));
    for (const { child } of bots) child.kill('SIGTERM');
    for (const [code] of await Promise.all(exits)) expect(code).toBe(0);

    for (const [chatId, texts] of sent) {
      const echoes = server
        .callsTo('sendMessage', chatId)
        .map((call) => String(call.params.text))
        .filter(isEcho)
        .map((t) => t.slice(1));
      expect(echoes, `chat ${chatId}`).toEqual(texts);
    }
  });
});

// One bot process in Telegram webhook mode, for the multi-process test: the real Telegram channel (grammY against the
// test's loopback Bot API server), the real runtime on the shared Redis, and an HTTP server for the webhook.
// Each reply ends with an echo of what the person sent ("#<text>"), so the test can check the order of replies.
// A random pause before and after the runtime makes the two processes race. SIGTERM shuts down gracefully.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { loadBundle } from '../../../src/app/bundle.ts';
import { GracefulShutdown } from '../../../src/app/shutdown.ts';
import { createTelegramChannel } from '../../../src/channels/telegram/adapter.ts';
import { devDataKeys, PersonalDataCipher } from '../../../src/infra/crypto.ts';
import { RedisKeys } from '../../../src/infra/keys.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { connectRedis } from '../../../src/infra/redis.ts';
import { RedisChatLock } from '../../../src/infra/redis-chat-lock.ts';
import { RedisSessionStore } from '../../../src/infra/redis-session-store.ts';
import type { ChatRef } from '../../../src/ports/chat.ts';
import type { OutMessage } from '../../../src/ports/out-message.ts';
import { createRuntime } from '../../../src/runtime/runtime.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const logger = createLogger({ level: 'warn', destination: process.stderr });
const { bundle } = await loadBundle(env('KF_ROOT'));
if (!bundle) throw new Error('bundle has errors');
const redis = connectRedis({ url: env('KF_REDIS_URL') });
const keys = new RedisKeys(env('KF_PREFIX'));
const runtime = createRuntime({
  flows: bundle.flows,
  catalog: bundle.catalog,
  presenter: bundle.presenter,
  store: new RedisSessionStore(redis, keys, new PersonalDataCipher(devDataKeys('multi')), 3_600_000),
  lock: new RedisChatLock(redis, keys),
  clock: { now: () => Date.now() },
  logger,
});
const pause = () => new Promise((r) => setTimeout(r, Math.random() * 25));
const racing = {
  async handle(chat: ChatRef, input: Parameters<typeof runtime.handle>[1], meta?: { platformLang?: string }) {
    await pause();
    const reply: OutMessage[] = await runtime.handle(chat, input, meta);
    await pause();
    const said = input.kind === 'text' ? input.text : input.kind;
    return [...reply, { paragraphs: [`#${said}`] }];
  },
};

const telegram = createTelegramChannel({
  token: env('KF_TOKEN'),
  apiRoot: env('KF_API_ROOT'),
  mode: 'webhook',
  webhookUrl: 'https://bot.example/telegram/webhook',
  webhookSecret: env('KF_SECRET'),
  runtime: racing,
  redis,
  keys,
  logger,
  retry: { baseDelayMs: 10, maxDelayMs: 50 },
});
await telegram.start();

const app = new Hono();
app.post('/telegram/webhook', (c) => telegram.webhookHandler(c.req.raw));
const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
  const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
});

new GracefulShutdown({ logger })
  .add('intake', 'telegram', () => telegram.stop())
  .add('intake', 'http', () => new Promise<void>((resolve) => server.close(() => resolve())))
  .add('drain', 'runtime', () => runtime.drain())
  .add('connections', 'redis', () => redis.quit())
  .listen();

process.stdout.write(`ready ${(server.address() as AddressInfo).port}\n`);

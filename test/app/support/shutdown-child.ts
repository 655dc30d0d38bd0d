// A small bot process for the graceful-shutdown test: a private redis-server, the real runtime on it (with slow
// session loads, so work is in flight when the signal comes), a BullMQ queue and worker, a stand-in WhatsApp client,
// and an HTTP server taking messages. Shutdown is wired with GracefulShutdown exactly as main.ts is meant to.
// Prints "ready <port> <socket>" when it takes work; everything else it prints is one event per line.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue, Worker } from 'bullmq';
import { loadBundle } from '../../../src/app/bundle.ts';
import { GracefulShutdown } from '../../../src/app/shutdown.ts';
import { devDataKeys, PersonalDataCipher } from '../../../src/infra/crypto.ts';
import { RedisKeys } from '../../../src/infra/keys.ts';
import { createLogger } from '../../../src/infra/logger.ts';
import { startPrivateRedis } from '../../../src/infra/private-redis.ts';
import { connectBullRedis, connectRedis } from '../../../src/infra/redis.ts';
import { RedisChatLock } from '../../../src/infra/redis-chat-lock.ts';
import { RedisSessionStore } from '../../../src/infra/redis-session-store.ts';
import type { SessionStore } from '../../../src/ports/session-store.ts';
import { createRuntime } from '../../../src/runtime/runtime.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
const root = process.env.KF_ROOT!;
const dataDir = process.env.KF_DATA_DIR!;
const slowMs = Number(process.env.KF_SLOW_MS ?? 800);

const logger = createLogger({ level: 'info', destination: process.stderr });
const { bundle } = await loadBundle(root);
if (!bundle) throw new Error('bundle has errors');
const privateRedis = await startPrivateRedis(dataDir);
const target = { path: privateRedis.socket };
const redis = connectRedis(target);
const bullRedis = connectBullRedis(target);
const keys = new RedisKeys('kf');

const redisStore = new RedisSessionStore(redis, keys, new PersonalDataCipher(devDataKeys('shutdown')), 3_600_000);
const slowStore: SessionStore = {
  async load(chat) {
    say(`handling ${chat.id}`);
    await new Promise((r) => setTimeout(r, slowMs));
    return redisStore.load(chat);
  },
  save: (chat, session, rev) => redisStore.save(chat, session, rev),
  erase: (chat) => redisStore.erase(chat),
};
const runtime = createRuntime({
  flows: bundle.flows,
  catalog: bundle.catalog,
  presenter: bundle.presenter,
  store: slowStore,
  lock: new RedisChatLock(redis, keys),
  clock: { now: () => Date.now() },
  logger,
});

const queue = new Queue('work', { connection: redis, prefix: keys.bull });
const worker = new Worker(
  'work',
  async (job) => {
    say(`job started ${job.id}`);
    await new Promise((r) => setTimeout(r, slowMs));
    say(`job done ${job.id}`);
  },
  { connection: bullRedis, prefix: keys.bull },
);
await worker.waitUntilReady();

// Stands for whatsapp-web.js's Client: destroying it is what closes Chromium.
const whatsapp = {
  async destroy() {
    say('whatsapp destroyed');
  },
};

let accepting = true;
const server = createServer(async (req, res) => {
  if (!accepting) {
    res.writeHead(503).end();
    return;
  }
  const body = await new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (chunk) => {
      data += chunk;
    });
    req.on('end', () => resolve(data));
  });
  const { chat, text, job } = JSON.parse(body) as { chat?: string; text?: string; job?: string };
  if (job) {
    await queue.add('work', {}, { jobId: job });
    res.writeHead(202).end();
    return;
  }
  const input = text === '/start' ? ({ kind: 'start' } as const) : ({ kind: 'text', text: text ?? '' } as const);
  const reply = await runtime.handle({ channel: 'console', id: chat ?? 'x' }, input);
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

new GracefulShutdown({ logger, timeoutMs: Number(process.env.KF_SHUTDOWN_MS ?? 10_000) })
  .add('intake', 'http', async () => {
    accepting = false;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    say('http closed');
  })
  .add('intake', 'announce', () => say('stopped taking updates'))
  .add('drain', 'runtime', async () => {
    await runtime.drain();
    say(`drained ${runtime.inFlight()}`);
  })
  .add('services', 'worker', async () => {
    await worker.close();
    say('worker closed');
  })
  .add('services', 'queue', () => queue.close())
  .add('services', 'whatsapp', () => whatsapp.destroy())
  .add('connections', 'redis', async () => {
    await Promise.allSettled([redis.quit(), bullRedis.quit()]);
    say('redis closed');
  })
  .add('storage', 'private redis-server', async () => {
    await privateRedis.stop();
    say('redis-server stopped');
  })
  .listen();

say(`ready ${(server.address() as AddressInfo).port} ${privateRedis.socket}`);

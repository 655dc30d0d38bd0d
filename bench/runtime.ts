// Runtime inputs per second with Redis: lock, load, step, save (encrypted), present — 50 chats at once.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadBundle } from '../src/app/bundle.ts';
import { devDataKeys, PersonalDataCipher } from '../src/infra/crypto.ts';
import { RedisKeys } from '../src/infra/keys.ts';
import { silentLogger } from '../src/infra/logger.ts';
import { RedisChatLock } from '../src/infra/redis-chat-lock.ts';
import { RedisSessionStore } from '../src/infra/redis-session-store.ts';
import { createRuntime } from '../src/runtime/runtime.ts';

export async function benchRuntime(): Promise<Record<string, number>> {
  const { bundle } = await loadBundle(process.cwd());
  if (!bundle) throw new Error('bundle has errors');
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const keys = new RedisKeys(`bench-${randomBytes(4).toString('hex')}`);
  const store = new RedisSessionStore(redis, keys, new PersonalDataCipher(devDataKeys('bench')), 3_600_000);
  const runtime = createRuntime({
    flows: bundle.flows,
    catalog: bundle.catalog,
    presenter: bundle.presenter,
    store,
    lock: new RedisChatLock(redis, keys),
    clock: { now: () => Date.now() },
    logger: silentLogger(),
  });
  const chats = 50;
  const perChat = 60;
  const inputs = ['1', '1', '1', '2', 'oui', 'menu'];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: chats }, async (_, c) => {
      const chat = { channel: 'console' as const, id: `bench-${c}` };
      await runtime.handle(chat, { kind: 'start' });
      for (let i = 0; i < perChat; i++) await runtime.handle(chat, { kind: 'text', text: inputs[i % inputs.length]! });
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const total = chats * (perChat + 1);
  // Bytes of one idle session (the goal is <= 1 KB).
  const sample = await redis.memory('USAGE', keys.session({ channel: 'console', id: 'bench-0' }));
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${keys.root}*`, 'COUNT', 500);
    cursor = next;
    if (found.length) await redis.del(...found);
  } while (cursor !== '0');
  redis.disconnect();
  return { runtime_inputs_per_s: Math.round(total / seconds), redis_bytes_per_idle_session: Number(sample ?? 0) };
}

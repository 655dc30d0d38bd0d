// CPU per input of the runtime alone, as `npm start` builds it (chat state, flood gate, alert subscriptions in
// Redis), with the Telegram benchmark's mix (/start, button presses, free-text questions, menu numbers), 20 chats
// at once. Steadier than the end-to-end benchmark on a busy machine: it counts this process's CPU time, not the
// wall clock. Run alone: node --import tsx bench/runtime-cpu.ts
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { RedisSubscriptions } from '../src/alerts/subscriptions.ts';
import { loadBundle } from '../src/app/bundle.ts';
import type { Input } from '../src/engine/types.ts';
import { devDataKeys, PersonalDataCipher } from '../src/infra/crypto.ts';
import { RedisFloodGate } from '../src/infra/flood-gate.ts';
import { RedisKeys } from '../src/infra/keys.ts';
import { silentLogger } from '../src/infra/logger.ts';
import { RedisChatState } from '../src/infra/redis-chat-state.ts';
import type { OutMessage } from '../src/ports/out-message.ts';
import { createRuntime } from '../src/runtime/runtime.ts';

const QUESTIONS = [
  "j'ai ete expulse d'algerie qu'est ce que je peux faire",
  'la police a pris mon passeport',
  'comment avoir une carte d identite au mali',
  'i was arrested abroad what are my rights',
];
const LOOP = ['question', 'button', '1', 'button', 'button', 'start', 'question', 'menu'] as const;

export async function benchRuntimeCpu(): Promise<Record<string, number>> {
  const { bundle } = await loadBundle(process.cwd());
  if (!bundle) throw new Error('bundle has errors');
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { enableAutoPipelining: true });
  const keys = new RedisKeys(`bench-rt-${randomBytes(4).toString('hex')}`);
  const cipher = new PersonalDataCipher(devDataKeys('bench'));
  const runtime = createRuntime({
    flows: bundle.flows,
    catalog: bundle.catalog,
    presenter: bundle.presenter,
    state: new RedisChatState(redis, keys, cipher, { sessionTtlMs: 3_600_000 }),
    subscriptions: new RedisSubscriptions(redis, keys, {}),
    flood: new RedisFloodGate(redis, keys, { maxPerWindow: 1_000_000, windowMs: 60_000 }),
    clock: { now: () => Date.now() },
    logger: silentLogger(),
  });
  const meta = { capabilities: { buttons: true, maxText: 4096, voice: true } };
  const chats = 20;
  const rounds = Number(process.env.BENCH_RUNTIME_ROUNDS ?? 40);
  let inputs = 0;
  const play = async (c: number, count: boolean) => {
    const chat = { channel: 'telegram' as const, id: String(9_000_000 + c) };
    let last: OutMessage[] = await runtime.handle(chat, { kind: 'start' }, meta);
    let q = c;
    for (let r = 0; r < rounds; r++) {
      for (const step of LOOP) {
        const keyboard = [...last].reverse().find((m) => m.choices && m.choices.length > 0);
        let input: Input;
        if (step === 'start') input = { kind: 'start' };
        else if (step === 'button' && keyboard)
          input = { kind: 'choice', id: keyboard.choices![0]!.id, version: keyboard.version ?? 0 };
        else if (step === 'question' || step === 'button') input = { kind: 'text', text: QUESTIONS[q++ % 4]! };
        else input = { kind: 'text', text: step };
        last = await runtime.handle(chat, input, meta);
        if (count) inputs++;
      }
    }
  };
  await Promise.all(Array.from({ length: chats }, (_, c) => play(c, false)));
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: chats }, (_, c) => play(c + chats, true)));
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${keys.root}*`, 'COUNT', 500);
    cursor = next;
    if (found.length) await redis.del(...found);
  } while (cursor !== '0');
  redis.disconnect();
  return {
    runtime_cpu_us_per_input: Math.round((used.user + used.system) / inputs),
    runtime_inputs_per_s: Math.round(inputs / seconds),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchRuntimeCpu().then((figures) => {
    for (const [name, value] of Object.entries(figures)) console.log(`${name}\t${value}`);
    process.exit(0);
  });
}

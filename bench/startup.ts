// Cold start to ready of `npm start` without WhatsApp (goal <= 1 s), RSS of the base process once started
// (goal <= 150 MB), and Redis bytes per idle session (goal <= 1 KB).
// Cold start: `node bin/kunnafoni.js start` with PORT=0 and no channel configured, timed from spawn to its ready
// line (the "kunnafoni started" log, the "Kunnafoni is running" notice, or a "listening" line), several times; the
// median is reported, from dist/ (what `npm start` runs after `npm ci`) and, for comparison, from the sources.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadBundle } from '../src/app/bundle.ts';
import { devDataKeys, PersonalDataCipher } from '../src/infra/crypto.ts';
import { RedisKeys } from '../src/infra/keys.ts';
import { silentLogger } from '../src/infra/logger.ts';
import { connectRedis } from '../src/infra/redis.ts';
import { RedisChatLock } from '../src/infra/redis-chat-lock.ts';
import { RedisSessionStore } from '../src/infra/redis-session-store.ts';
import { createRuntime } from '../src/runtime/runtime.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const READY = /kunnafoni started|Kunnafoni is running|listening/i;
const RUNS = 5;

type Start = { readyMs: number; rssMb: number; exitCode: number | null };

/** One cold start: spawn, wait for the ready line, read RSS a moment later, stop with SIGTERM. */
async function coldStart(env: Record<string, string>): Promise<Start> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'kf-bench-start-'));
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'bin', 'kunnafoni.js'), 'start'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
      PORT: '0',
      HOST: '127.0.0.1',
      KUNNAFONI_DATA_DIR: dataDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      let seen = '';
      const look = (chunk: Buffer) => {
        seen += chunk.toString();
        if (READY.test(seen)) resolve(performance.now() - started);
      };
      child.stdout!.on('data', look);
      child.stderr!.on('data', look);
      child.once('exit', (code) => reject(new Error(`exited (${code}) before ready:\n${seen.slice(-2000)}`)));
      setTimeout(() => reject(new Error(`not ready after 30 s:\n${seen.slice(-2000)}`)), 30_000).unref();
    });
    // Let start-up work that follows the ready line (timers, connections) settle before reading memory.
    await new Promise((r) => setTimeout(r, 1_000));
    const rssMb = rssOf(child.pid!) / 1024;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [exitCode] = (await exited) as [number | null];
    return { readyMs, rssMb, exitCode };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Resident set size in KB (Linux /proc). */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function ensureBuilt(): Promise<void> {
  const build = spawn(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'ignore' });
  const [code] = await once(build, 'exit');
  if (code !== 0 || !existsSync(path.join(ROOT, 'dist', 'stamp.json'))) throw new Error('npm run build failed');
}

/** Average MEMORY USAGE of sessions left idle at the menu after the first steps (language, welcome). */
async function idleSessionBytes(): Promise<{ average: number; max: number; keysPerPerson: number }> {
  const { bundle } = await loadBundle(ROOT);
  if (!bundle) throw new Error('bundle has errors');
  const redis = connectRedis({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
  const keys = new RedisKeys(`bench-idle-${randomBytes(4).toString('hex')}`);
  try {
    const runtime = createRuntime({
      flows: bundle.flows,
      catalog: bundle.catalog,
      presenter: bundle.presenter,
      store: new RedisSessionStore(redis, keys, new PersonalDataCipher(devDataKeys('bench')), 30 * 86_400_000),
      lock: new RedisChatLock(redis, keys),
      clock: { now: () => Date.now() },
      logger: silentLogger(),
    });
    const people = 200;
    const sizes: number[] = [];
    for (let i = 0; i < people; i++) {
      const chat = { channel: 'telegram' as const, id: String(600_000_000 + i) };
      await runtime.handle(chat, { kind: 'start' }, { platformLang: 'fr' });
      await runtime.handle(chat, { kind: 'text', text: String((i % 3) + 1) });
      if (i % 2) await runtime.handle(chat, { kind: 'text', text: 'menu' });
      sizes.push(Number(await redis.memory('USAGE', keys.session(chat))));
    }
    const all = await redis.keys(`${keys.root}:*`);
    return {
      average: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length),
      max: Math.max(...sizes),
      keysPerPerson: all.length / people,
    };
  } finally {
    const all = await redis.keys(`${keys.root}:*`);
    if (all.length > 0) await redis.del(...all);
    redis.disconnect();
  }
}

export async function benchStartup(): Promise<Record<string, number>> {
  await ensureBuilt();
  const fromDist: Start[] = [];
  const fromSources: Start[] = [];
  // Interleaved, so a busy moment on the machine weighs on both alike.
  for (let i = 0; i < RUNS; i++) {
    fromDist.push(await coldStart({}));
    fromSources.push(await coldStart({ KUNNAFONI_FROM_SOURCES: '1' }));
  }
  const idle = await idleSessionBytes();
  return {
    'cold_start_ms (median, goal <= 1000)': Math.round(median(fromDist.map((s) => s.readyMs))),
    cold_start_ms_min: Math.round(Math.min(...fromDist.map((s) => s.readyMs))),
    cold_start_from_sources_ms_median: Math.round(median(fromSources.map((s) => s.readyMs))),
    'rss_mb_after_start (median, goal <= 150)': Math.round(median(fromDist.map((s) => s.rssMb))),
    clean_exits_on_sigterm: [...fromDist, ...fromSources].filter((s) => s.exitCode === 0).length,
    starts: fromDist.length + fromSources.length,
    'redis_bytes_per_idle_session (average, goal <= 1024)': idle.average,
    redis_bytes_per_idle_session_max: idle.max,
    redis_keys_per_idle_person: idle.keysPerPerson,
  };
}

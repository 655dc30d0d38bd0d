// Telegram throughput of the real thing (issue 17.7): `npm start` itself (bin/kunnafoni.js start: the production
// composition, flood limit raised with FLOOD_MAX_PER_MINUTE) side by side with a bare grammY runner + Redis echo bot
// (bench/telegram-baseline.ts), each in its own process, in ONE run, interleaved A B A B, against the loopback Bot
// API server in this process, with closed-loop people sending a realistic mix (bench/telegram-people.ts).
//   saturation: 200 chats -> updates answered per second, and the bot process's CPU per update
//   light load: 20 chats -> p50/p99 ms from the update being available to the complete reply (and to its first
//   message)
// BENCH_CPU_PROF=DIR also writes a CPU profile of each production process there (node --cpu-prof) and prints the
// top files by self time (bench/cpu-profile.ts). BENCH_COMPARE_ROOT=DIR adds a third variant, `before`: `npm start`
// from another built checkout (e.g. `git archive main` + `node scripts/build.mjs`), interleaved with the other two,
// for an A/B of a change in one run. Run alone: node --import tsx bench/telegram.ts
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { BotApiServer } from '../test/support/bot-api-server.ts';
import { monotonicUs, summariseProfiles, type Window } from './cpu-profile.ts';
import { type PlayResult, play } from './telegram-people.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SATURATION_CHATS = 200;
const LIGHT_CHATS = 20;
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1500);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 4000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
// BENCH_LOOPS=N: fixed work (each person: first contact + N loops of the script) instead of time windows; the same
// mix in every run, so CPU per update compares like with like on a busy machine.
const LOOPS = process.env.BENCH_LOOPS ? Number(process.env.BENCH_LOOPS) : undefined;
const START_TIMEOUT_MS = 60_000;

type Variant = 'production' | 'before' | 'baseline';
const COMPARE_ROOT = process.env.BENCH_COMPARE_ROOT ? path.resolve(process.env.BENCH_COMPARE_ROOT) : undefined;

type Figures = {
  perSecond: number;
  cpuUsPerUpdate: number;
  p50: number;
  p99: number;
  firstP50: number;
  firstP99: number;
  stalled: number;
  mix: PlayResult['mix'];
  calls: PlayResult['callsPerUpdate'];
};

type Bot = { child: ChildProcess; stop(): Promise<void> };

/** Starts a bot process and resolves once it says it is ready (on stdout). */
async function startBot(variant: Variant, server: BotApiServer, prefix: string, profileDir?: string): Promise<Bot> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'kf-bench-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, REDIS_URL };
  // e.g. BENCH_NODE_OPTIONS=--max-semi-space-size=32 to try V8 settings on both bots.
  if (process.env.BENCH_NODE_OPTIONS) env.NODE_OPTIONS = process.env.BENCH_NODE_OPTIONS;
  let args: string[];
  let ready: string;
  if (variant === 'production' || variant === 'before') {
    Object.assign(env, {
      TELEGRAM_BOT_TOKEN: server.token,
      TELEGRAM_API_ROOT: server.apiRoot,
      REDIS_PREFIX: prefix,
      KUNNAFONI_DATA_DIR: dataDir,
      PORT: '0',
      // The flood gate stays on (and costs what it costs); its limit is raised so closed-loop people are not cut.
      FLOOD_MAX_PER_MINUTE: '1000000',
    });
    args = [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), 'bin/kunnafoni.js', 'start'];
    ready = 'Kunnafoni is ready';
  } else {
    Object.assign(env, { BENCH_TOKEN: server.token, BENCH_API_ROOT: server.apiRoot, BENCH_PREFIX: prefix });
    args = ['--import', 'tsx', 'bench/telegram-baseline.ts'];
    ready = 'ready';
  }
  const cwd = variant === 'before' ? (COMPARE_ROOT ?? REPO_ROOT) : REPO_ROOT;
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => {
    err = (err + d).slice(-2000);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${variant} did not start: ${err.slice(-500)}`)), START_TIMEOUT_MS);
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${variant} exited (${code}) at start: ${err.slice(-500)}`));
    });
  });
  return {
    child,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** User + system CPU time of a process, in microseconds (Linux /proc; NaN elsewhere). */
function cpuUsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100;
  } catch {
    return Number.NaN;
  }
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** Per production process id, the time of its measured load (profiles count only that). */
const profiled = new Map<number, Window>();

async function measure(variant: Variant, firstChatId: number, profileDir?: string): Promise<Figures> {
  const server = await BotApiServer.start();
  const prefix = `bench-tg-${randomBytes(4).toString('hex')}`;
  const bot = await startBot(variant, server, prefix, profileDir);
  try {
    const options = { warmupMs: WARMUP_MS, durationMs: DURATION_MS, ...(LOOPS !== undefined ? { loops: LOOPS } : {}) };
    const cpuBefore = cpuUsOf(bot.child.pid);
    const start = monotonicUs();
    const saturation = await play(server, { ...options, chats: SATURATION_CHATS, firstChatId });
    if (bot.child.pid !== undefined) profiled.set(bot.child.pid, { start, end: monotonicUs() });
    const cpu = cpuUsOf(bot.child.pid) - cpuBefore;
    const light = await play(server, { ...options, chats: LIGHT_CHATS, firstChatId: firstChatId + 10_000 });
    return {
      perSecond: saturation.answered / saturation.seconds,
      // Warm-up and drain included, in the CPU time and in the count.
      cpuUsPerUpdate: cpu / Math.max(1, saturation.answeredTotal),
      p50: percentile(light.completeMs, 50),
      p99: percentile(light.completeMs, 99),
      firstP50: percentile(light.firstMs, 50),
      firstP99: percentile(light.firstMs, 99),
      stalled: saturation.stalled + light.stalled,
      mix: saturation.mix,
      calls: saturation.callsPerUpdate,
    };
  } finally {
    await bot.stop();
    await server.close();
    await deleteKeys(prefix);
  }
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
      cursor = next;
      if (found.length > 0) await redis.del(...found);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** The middle value (the mean of the two middle ones for an even count: with two rounds, their mean). */
function median(values: number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `npm start` runs dist/ only when built from the current sources (else the sources through tsx): build first. */
function build(root: string): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'ignore' });
}

export async function benchTelegram(): Promise<Record<string, number>> {
  build(REPO_ROOT);
  if (COMPARE_ROOT) build(COMPARE_ROOT);
  const profileDir = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined;
  const results: Record<Variant, Figures[]> = { production: [], before: [], baseline: [] };
  // A B A B: both variants in one run, interleaved, so a busy moment of the shared machine hits both.
  // BENCH_TELEGRAM_ONLY=production|baseline runs one variant (for profiling); ratios then read NaN.
  const only = process.env.BENCH_TELEGRAM_ONLY as Variant | undefined;
  const all: Variant[] = COMPARE_ROOT ? ['production', 'before', 'baseline'] : ['production', 'baseline'];
  const variants: readonly Variant[] = only ? [only] : all;
  for (let r = 0; r < ROUNDS; r++) {
    // The two builds swap places every round, so neither always runs first.
    const order = r % 2 === 1 && COMPARE_ROOT ? [variants[1]!, variants[0]!, ...variants.slice(2)] : variants;
    for (const variant of order) {
      const offset = { production: 0, before: 300_000, baseline: 500_000 }[variant];
      const figures = await measure(
        variant,
        1_000_000 * (r + 1) + offset,
        variant === 'production' ? profileDir : undefined,
      );
      results[variant].push(figures);
      process.stderr.write(
        `telegram round ${r + 1} ${variant}: ${figures.perSecond.toFixed(0)} updates/s, ` +
          `${figures.cpuUsPerUpdate.toFixed(0)} µs CPU/update, p50 ${figures.p50.toFixed(1)} ms, ` +
          `p99 ${figures.p99.toFixed(1)} ms (first message p50 ${figures.firstP50.toFixed(1)}, ` +
          `p99 ${figures.firstP99.toFixed(1)}), stalled ${figures.stalled}, mix ${JSON.stringify(figures.mix)}, ` +
          `Bot API calls per update ${JSON.stringify(figures.calls)}\n`,
      );
    }
  }
  if (profileDir) process.stderr.write(`${summariseProfiles(profileDir, REPO_ROOT, profiled)}\n`);
  const pick = (variant: Variant, metric: keyof Omit<Figures, 'mix' | 'calls'>) =>
    median(results[variant].map((f) => f[metric]));
  // Ratios within a round (A and the B next to it), then the median.
  const ratio = (metric: keyof Omit<Figures, 'mix' | 'calls'>, of: Variant = 'production') =>
    median(results[of].map((f, i) => f[metric] / (results.baseline[i]?.[metric] ?? Number.NaN)));
  const before: Record<string, number> = COMPARE_ROOT
    ? {
        'before.saturation_updates_per_s': round(pick('before', 'perSecond'), 0),
        'before.saturation_ratio': round(ratio('perSecond', 'before')),
        'before.cpu_us_per_update': round(pick('before', 'cpuUsPerUpdate'), 0),
        'before.cpu_ratio': round(1 / ratio('cpuUsPerUpdate', 'before')),
        'before.light_p50_ms': round(pick('before', 'p50')),
        'before.light_p99_ms': round(pick('before', 'p99')),
        'before.light_p99_ratio': round(ratio('p99', 'before')),
      }
    : {};
  return {
    ...before,
    'baseline.saturation_updates_per_s': round(pick('baseline', 'perSecond'), 0),
    'production.saturation_updates_per_s': round(pick('production', 'perSecond'), 0),
    saturation_ratio: round(ratio('perSecond')),
    'baseline.cpu_us_per_update': round(pick('baseline', 'cpuUsPerUpdate'), 0),
    'production.cpu_us_per_update': round(pick('production', 'cpuUsPerUpdate'), 0),
    // Less sensitive to a busy machine than the throughput ratio: what saturation would be if CPU were the limit.
    cpu_ratio: round(1 / ratio('cpuUsPerUpdate')),
    'baseline.light_p50_ms': round(pick('baseline', 'p50')),
    'baseline.light_p99_ms': round(pick('baseline', 'p99')),
    'production.light_p50_ms': round(pick('production', 'p50')),
    'production.light_p99_ms': round(pick('production', 'p99')),
    light_p99_ratio: round(ratio('p99')),
    'production.light_first_message_p50_ms': round(pick('production', 'firstP50')),
    'production.light_first_message_p99_ms': round(pick('production', 'firstP99')),
    'production.stalled_updates': pick('production', 'stalled'),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchTelegram().then(
    (figures) => {
      for (const [name, value] of Object.entries(figures)) console.log(`${name}\t${value}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

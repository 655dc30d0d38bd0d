// Telegram channel benchmark (issue 10): grammY + channel + runtime + Redis, side by side with a baseline bot
// (bare grammY on @grammyjs/runner, sequential per chat, echo + INCR in Redis), against the loopback Bot API server
// running in a child process (as Telegram would be: off the bot's CPU budget, which is measured per update).
//   saturation: 200 chats, each sending its next message as soon as the previous one is answered -> updates/s
//   (again with half of the updates being button presses)
//   light load: 20 chats -> p50/p99 ms from the update being available to the first send call for it
// Run alone: node --import tsx bench/telegram.ts
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, sequentialize } from '@grammyjs/runner';
import { Bot } from 'grammy';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { loadBundle } from '../src/app/bundle.ts';
import { type ConversationRuntime, createTelegramChannel } from '../src/channels/telegram/adapter.ts';
import { devDataKeys, PersonalDataCipher } from '../src/infra/crypto.ts';
import { RedisKeys } from '../src/infra/keys.ts';
import { connectRedis } from '../src/infra/redis.ts';
import { RedisChatState } from '../src/infra/redis-chat-state.ts';
import { createRuntime } from '../src/runtime/runtime.ts';
import type { DriverResult, DriverRun } from './telegram-driver.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SATURATION_CHATS = 200;
const LIGHT_CHATS = 20;
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1000);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);

type Driver = {
  token: string;
  apiRoot: string;
  play(run: DriverRun): Promise<DriverResult>;
  close(): Promise<void>;
};

async function startDriver(): Promise<Driver> {
  const child = fork(fileURLToPath(new URL('./telegram-driver.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ token: string; apiRoot: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('message', (message) => resolve(message as { token: string; apiRoot: string }));
  });
  return {
    ...ready,
    play: (run) =>
      new Promise((resolve) => {
        child.once('message', (message) => resolve((message as { result: DriverResult }).result));
        child.send({ type: 'run', run });
      }),
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

type BotUnderTest = { stop(): Promise<void> };

/** The baseline: what any grammY bot on the runner costs, with one Redis round trip per update. */
async function startBaseline(driver: Driver, redis: Redis, keys: RedisKeys): Promise<BotUnderTest> {
  const bot = new Bot(driver.token, { client: { apiRoot: driver.apiRoot } });
  bot.use(sequentialize((ctx) => String(ctx.chat?.id ?? ctx.from?.id)));
  bot.on('message:text', async (ctx) => {
    await redis.incr(keys.key('bench', 'baseline-count'));
    await ctx.reply(ctx.message.text);
  });
  bot.on('callback_query:data', async (ctx) => {
    await redis.incr(keys.key('bench', 'baseline-count'));
    await ctx.reply(ctx.callbackQuery.data);
  });
  await bot.init();
  const runner = run(bot, { runner: { fetch: { timeout: 5 }, silent: true } });
  return { stop: () => runner.stop() };
}

/** The channel alone: the real adapter with a runtime that only echoes (with a button) and counts in Redis. */
async function startChannelEcho(driver: Driver, redis: Redis, keys: RedisKeys): Promise<BotUnderTest> {
  const runtime: ConversationRuntime = {
    async handle(_chat, input) {
      await redis.incr(keys.key('bench', 'echo-count'));
      const text = input.kind === 'text' ? input.text : input.kind;
      return [{ paragraphs: [text], choices: [{ id: 'again', label: 'Encore' }], version: 1 }];
    },
  };
  const channel = createTelegramChannel({
    token: driver.token,
    apiRoot: driver.apiRoot,
    mode: 'polling',
    runtime,
    redis,
    keys,
    logger: pino({ level: 'silent' }),
    pollTimeoutSeconds: 5,
  });
  await channel.start();
  return { stop: () => channel.stop() };
}

/** The real thing: the Telegram channel on the shipped flows and runtime, sessions and locks in Redis. */
async function startChannel(driver: Driver, redis: Redis, keys: RedisKeys): Promise<BotUnderTest> {
  const { bundle, problems } = await loadBundle(REPO_ROOT);
  if (!bundle) throw new Error(`bundle has errors: ${problems.map((p) => p.message).join('; ')}`);
  const logger = pino({ level: 'silent' });
  // As in main.ts: the chat's lock and session together (lock + load, then save, in two round trips).
  const state = new RedisChatState(redis, keys, new PersonalDataCipher(devDataKeys('bench')), {
    sessionTtlMs: 86_400_000,
  });
  const runtime = createRuntime({
    flows: bundle.flows,
    catalog: bundle.catalog,
    presenter: bundle.presenter,
    state,
    clock: { now: () => Date.now() },
    logger,
  });
  const channel = createTelegramChannel({
    token: driver.token,
    apiRoot: driver.apiRoot,
    mode: 'polling',
    runtime,
    redis,
    keys,
    logger,
    pollTimeoutSeconds: 5,
  });
  await channel.start();
  return { stop: () => channel.stop() };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

async function measure(
  start: (driver: Driver, redis: Redis, keys: RedisKeys) => Promise<BotUnderTest>,
  answeredBy: DriverRun['answeredBy'],
  firstChatId: number,
): Promise<Figures> {
  const driver = await startDriver();
  // The production connection settings (auto-pipelining on) for both bots.
  const redis = connectRedis({ url: REDIS_URL });
  const keys = new RedisKeys(`bench-tg-${randomBytes(4).toString('hex')}`);
  const bot = await start(driver, redis, keys);
  try {
    const play = (chats: number, mix: DriverRun['mix'], offset: number) =>
      driver.play({
        chats,
        warmupMs: WARMUP_MS,
        durationMs: DURATION_MS,
        answeredBy,
        firstChatId: firstChatId + offset,
        mix,
      });
    const cpuBefore = process.cpuUsage();
    const saturation = await play(SATURATION_CHATS, 'text', 0);
    const cpu = process.cpuUsage(cpuBefore);
    const light = await play(LIGHT_CHATS, 'text', 10_000);
    const buttons = await play(SATURATION_CHATS, 'buttons', 20_000);
    return {
      perSecond: saturation.answered / saturation.seconds,
      // The bot process's own CPU time (the Bot API server and the people run in another process).
      cpuUsPerUpdate: (cpu.user + cpu.system) / Math.max(1, saturation.answeredTotal),
      driverCpuUsPerUpdate: saturation.cpuUsPerUpdate,
      p50: percentile(light.latencies, 50),
      p99: percentile(light.latencies, 99),
      buttonsPerSecond: buttons.answered / buttons.seconds,
    };
  } finally {
    await bot.stop();
    await driver.close();
    await deleteKeys(redis, `${keys.root}*`);
    redis.disconnect();
  }
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (found.length > 0) await redis.del(...found);
  } while (cursor !== '0');
}

type Figures = {
  perSecond: number;
  cpuUsPerUpdate: number;
  /** The Bot API server and the people (the other process), for telling the bot's cost from Telegram's. */
  driverCpuUsPerUpdate: number;
  p50: number;
  p99: number;
  buttonsPerSecond: number;
};
type Variant = 'baseline' | 'echo' | 'channel';

const VARIANTS: Record<Variant, Parameters<typeof measure>> = {
  baseline: [startBaseline, 'any', 1_000_000],
  echo: [startChannelEcho, 'keyboard', 3_000_000],
  channel: [startChannel, 'keyboard', 2_000_000],
};

const median = (values: number[]) => percentile(values, 50);

export async function benchTelegram(): Promise<Record<string, number>> {
  // The machine is shared: variants are interleaved over several rounds (order rotated), ratios are taken within a
  // round, and medians are reported. BENCH_TELEGRAM_ONLY=baseline|echo|channel runs one variant (for profiling).
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const only = process.env.BENCH_TELEGRAM_ONLY as Variant | undefined;
  const order: Variant[] = only ? [only] : ['baseline', 'echo', 'channel'];
  const results: Record<Variant, Figures[]> = { baseline: [], echo: [], channel: [] };
  for (let round = 0; round < rounds; round++) {
    const rotated = [...order.slice(round % order.length), ...order.slice(0, round % order.length)];
    for (const variant of rotated) {
      const [start, answeredBy, firstChatId] = VARIANTS[variant];
      const figures = await measure(start, answeredBy, firstChatId + round * 100_000);
      results[variant].push(figures);
      process.stderr.write(
        `telegram round ${round + 1} ${variant}: ${figures.perSecond.toFixed(0)} updates/s, ` +
          `${figures.cpuUsPerUpdate.toFixed(0)} µs CPU/update (Bot API side ${figures.driverCpuUsPerUpdate.toFixed(0)}), ${figures.buttonsPerSecond.toFixed(0)} with buttons, p50 ${figures.p50.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms\n`,
      );
    }
  }
  const pick = (variant: Variant, metric: keyof Figures) => median(results[variant].map((f) => f[metric]));
  const ratio = (variant: Variant, metric: keyof Figures) =>
    median(results[variant].map((f, i) => f[metric] / (results.baseline[i]?.[metric] ?? Number.NaN)));
  return {
    'baseline.saturation_updates_per_s': round(pick('baseline', 'perSecond'), 0),
    'channel.saturation_updates_per_s': round(pick('channel', 'perSecond'), 0),
    saturation_ratio: round(ratio('channel', 'perSecond')),
    'baseline.light_p50_ms': round(pick('baseline', 'p50')),
    'baseline.light_p99_ms': round(pick('baseline', 'p99')),
    'channel.light_p50_ms': round(pick('channel', 'p50')),
    'channel.light_p99_ms': round(pick('channel', 'p99')),
    light_p99_ratio: round(ratio('channel', 'p99')),
    // The adapter with a runtime that only echoes: what grammY + parse + render + retries cost over the baseline.
    'echo_channel.saturation_updates_per_s': round(pick('echo', 'perSecond'), 0),
    'echo_channel.saturation_ratio': round(ratio('echo', 'perSecond')),
    'echo_channel.cpu_us_per_update': round(pick('echo', 'cpuUsPerUpdate'), 0),
    'echo_channel.cpu_ratio': round(1 / ratio('echo', 'cpuUsPerUpdate')),
    'echo_channel.light_p50_ms': round(pick('echo', 'p50')),
    'echo_channel.light_p99_ms': round(pick('echo', 'p99')),
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

// `kunnafoni chat [--lang fr|en|bm] [--root DIR] [--memory]`: talk to the bot in the terminal.
// By default the chat runs the same services as `npm start` (app/services.ts) on the Redis `npm start` would use —
// referrals with case numbers, alert subscriptions, case status, erasure — so every path ends where it really
// ends. `--memory` keeps sessions in this process only (no Redis needed) and says first what it cannot do.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { loadBundle } from '../app/bundle.ts';
import { OutboxRouter } from '../app/outbox-router.ts';
import { chooseRedis, redisChoiceOf } from '../app/redis-target.ts';
import { createStores, openRedis, type RedisChoiceMade, startConversation, textParamsOf } from '../app/services.ts';
import { GracefulShutdown } from '../app/shutdown.ts';
import { staffNotifiersFor, staffTelegramOptions } from '../app/staff-notifiers.ts';
import { consoleOutbox, consolePrinter, runConsoleChat } from '../channels/console/adapter.ts';
import { createTelegramBot } from '../channels/telegram/adapter.ts';
import { formatProblem } from '../common/source-problems.ts';
import { type Config, configOrReport } from '../config.ts';
import { LANGUAGES, type Lang, newSession } from '../engine/types.ts';
import { createLogger, silentLogger } from '../infra/logger.ts';
import { MemorySessionStore } from '../infra/memory-session-store.ts';
import { MissingRedisServerError } from '../infra/private-redis.ts';
import { LocalChatQueue } from '../infra/redis-chat-lock.ts';
import type { ChatRef } from '../ports/chat.ts';
import { systemClock } from '../ports/clock.ts';
import type { SessionStore } from '../ports/session-store.ts';
import { createRuntime, type Runtime } from '../runtime/runtime.ts';
import type { Args } from './args.ts';
import type { CliIo } from './io.ts';

const OPTIONS = new Set(['lang', 'root', 'memory']);

const MEMORY_NOTICE =
  'Memory mode: nothing is saved and nothing leaves this terminal. Requests for help (no case number is given), ' +
  'alert subscriptions, case status and the erasure of saved data do not work here. ' +
  'Run `npx kunnafoni chat` without --memory to use them.';

type ChatOptions = { lang: Lang | undefined; root: string | undefined; memory: boolean };

export async function chatCommand(args: Args, io: CliIo): Promise<number> {
  const options = chatOptions(args, io);
  if (typeof options === 'string') {
    io.stderr.write(`chat: ${options}\n`);
    return 2;
  }
  return options.memory ? memoryChat(options, io) : serviceChat(options, io);
}

/** The options, or what is wrong with them (an unknown flag is an error, never ignored). */
function chatOptions(args: Args, io: CliIo): ChatOptions | string {
  const unknown = [...args.options.keys()].filter((name) => !OPTIONS.has(name));
  if (unknown.length > 0)
    return `unknown option ${unknown.map((n) => `--${n}`).join(', ')} (try --lang, --root, --memory)`;
  if (args.positionals.length > 0) return `unexpected argument "${args.positionals[0]}"`;
  const lang = args.options.get('lang');
  if (lang === true) return `--lang needs a value: one of ${LANGUAGES.join(', ')}`;
  if (lang !== undefined && !(LANGUAGES as readonly string[]).includes(lang)) {
    return `--lang must be one of ${LANGUAGES.join(', ')} (got "${lang}")`;
  }
  const root = args.options.get('root');
  if (root === true) return '--root needs a folder';
  const memory = args.options.get('memory');
  if (typeof memory === 'string') return `--memory takes no value (got "${memory}")`;
  return {
    lang: lang as Lang | undefined,
    root: root === undefined ? undefined : path.resolve(io.cwd, root),
    memory: memory === true,
  };
}

async function memoryChat(options: ChatOptions, io: CliIo): Promise<number> {
  const bundle = await loadChatBundle(options.root ?? io.cwd, io);
  if (!bundle) return 1;
  const store = new MemorySessionStore();
  const runtime = createRuntime({
    flows: bundle.flows,
    catalog: bundle.catalog,
    presenter: bundle.presenter,
    store,
    lock: new LocalChatQueue(),
    clock: systemClock,
    logger: silentLogger(),
  });
  await talk({
    runtime,
    sessions: store,
    chat: { channel: 'console', id: 'local' },
    options,
    io,
    notice: MEMORY_NOTICE,
  });
  return 0;
}

/** The terminal in front of the services of `npm start`. */
async function serviceChat(options: ChatOptions, io: CliIo): Promise<number> {
  const config = configOrReport(io.env, io.stderr);
  if (!config) return 1;
  // Logs go to stderr, errors only unless LOG_LEVEL is set: the terminal is the conversation.
  const logger = createLogger({
    level: io.env.LOG_LEVEL ? config.LOG_LEVEL : 'error',
    logMessageText: config.LOG_MESSAGE_TEXT,
    destination: io.stderr,
  });
  const bundle = await loadChatBundle(options.root ?? path.resolve(io.cwd, config.KUNNAFONI_ROOT), io, config);
  if (!bundle) return 1;
  const dataDir = path.resolve(io.cwd, config.KUNNAFONI_DATA_DIR);
  let choice: RedisChoiceMade;
  try {
    choice = await chooseRedis(redisChoiceOf(config), dataDir);
  } catch (err) {
    io.stderr.write(`chat: ${err instanceof MissingRedisServerError ? err.message : String(err)}\n`);
    io.stderr.write('chat: to try the flows without Redis: npx kunnafoni chat --memory\n');
    return 1;
  }
  let exitCode = 0;
  const shutdown = new GracefulShutdown({
    logger,
    exit: (code) => {
      exitCode = code;
    },
  });
  // A new person each time (sessions and cases of concurrent terminal chats never mix); the id is random.
  const chat: ChatRef = { channel: 'console', id: `local-${randomBytes(6).toString('hex')}` };
  const outbox = new OutboxRouter().register(
    'console',
    consoleOutbox(chat, consolePrinter(io.stdout, interactive(io))),
  );
  try {
    const redis = openRedis({ choice, shutdown, logger });
    const stores = createStores({ config, redis, shutdown, logger });
    // Staff hear of a case the same way whichever process announces it (Telegram staff groups when configured).
    const bot = config.TELEGRAM_BOT_TOKEN
      ? createTelegramBot({ token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT, logger })
      : null;
    const telegram = staffTelegramOptions({ config, content: bundle.content, redis, keys: stores.keys, logger });
    const notifiers = staffNotifiersFor({ api: bot?.api ?? null, telegram, redis, keys: stores.keys });
    const { runtime, sessions } = await startConversation({
      config,
      bundle,
      redis,
      stores,
      shutdown,
      logger,
      outbox,
      notifiers,
    });
    const notice = interactive(io)
      ? `Connected to the bot's Redis (${choice.description}): a request for help you send here reaches the association's staff.`
      : undefined;
    await talk({ runtime, sessions, chat, options, io, ...(notice ? { notice } : {}) });
  } catch (err) {
    io.stderr.write(`chat: could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    await shutdown.shutdown('chat failed', { failed: true });
    return 1;
  }
  await shutdown.shutdown('end of input');
  return exitCode;
}

async function talk(o: {
  runtime: Runtime;
  sessions: SessionStore;
  chat: ChatRef;
  options: ChatOptions;
  io: CliIo;
  notice?: string;
}): Promise<void> {
  const { lang } = o.options;
  // --lang means the person already chose a language: no language question.
  if (lang) await o.sessions.save(o.chat, { ...newSession(), lang }, 0);
  // SIGINT/SIGTERM end the chat like the end of input: the services then stop cleanly.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    await runConsoleChat({
      runtime: o.runtime,
      input: o.io.stdin,
      output: o.io.stdout,
      interactive: interactive(o.io),
      chat: o.chat,
      stop: stop.signal,
      ...(lang ? { platformLang: lang } : {}),
      ...(o.notice ? { notice: o.notice } : {}),
    });
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

const interactive = (io: CliIo) => Boolean(io.stdin.isTTY);

async function loadChatBundle(root: string, io: CliIo, config?: Config) {
  const { bundle, problems } = await loadBundle(root, config ? { textParams: textParamsOf(config) } : {});
  if (!bundle) {
    for (const p of problems.filter((p) => p.severity === 'error')) io.stderr.write(`${formatProblem(p)}\n`);
    io.stderr.write('chat: the flows or content have errors; run `npx kunnafoni validate`\n');
  }
  return bundle;
}

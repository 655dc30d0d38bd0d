// `kunnafoni alerts publish FILE [--yes]` and `kunnafoni alerts status ID [--json]`.
// publish: validates the file, prints a preview per language and the audience, asks y/N (unless --yes), publishes,
// then shows the progress until every person has an outcome. The bot's workers send it; when no process can send
// (no bot with Telegram connected) and TELEGRAM_BOT_TOKEN is set here, this command sends it itself (the terminal
// must stay open until done); otherwise it says plainly that the alert waits for Telegram.
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Redis } from 'ioredis';
import { loadAlertFile } from '../alerts/alert-file.ts';
import type { AlertReport } from '../alerts/alert-store.ts';
import { AlertBroadcast } from '../alerts/broadcast.ts';
import { type AlertWorkers, startAlertWorkers } from '../alerts/broadcast-worker.ts';
import { SendBudget } from '../alerts/send-budget.ts';
import { RedisSubscriptions } from '../alerts/subscriptions.ts';
import { connectBotRedis } from '../app/bot-redis.ts';
import { TelegramBulkSender } from '../channels/telegram/sender.ts';
import { formatProblem } from '../common/source-problems.ts';
import { type Config, ConfigError, parseConfig } from '../config.ts';
import { readLists } from '../content/lists.ts';
import { devDataKeys, PersonalDataCipher, parseDataKeys } from '../infra/crypto.ts';
import { DEV_PSEUDONYM_SECRET, RedisKeys } from '../infra/keys.ts';
import { createLogger } from '../infra/logger.ts';
import { systemClock } from '../ports/clock.ts';
import {
  type ContentLabels,
  formatTime,
  previewText,
  progressBar,
  progressLine,
  statusText,
  summaryLine,
  WAITING_FOR_TELEGRAM,
} from './alerts-view.ts';
import { parseArgs } from './args.ts';
import type { CliIo } from './io.ts';

const USAGE = `Usage: kunnafoni alerts publish FILE [--yes]   validate, preview, confirm, send and follow an alert
       kunnafoni alerts status ID [--json]        sent, pending, failed and blocked counts of an alert
See docs/alerts.md.
`;

/** How often the progress is read from Redis. */
const POLL_MS = 250;
/** Without a terminal, a progress line at most this often (and at each tenth of the way). */
const PLAIN_EVERY_MS = 5_000;

export async function alertsCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, ['yes', 'json']);
  const [sub, target, ...extra] = args.positionals;
  if (!sub || sub === 'help' || args.options.has('help')) {
    io.stdout.write(USAGE);
    return sub ? 0 : 2;
  }
  if ((sub !== 'publish' && sub !== 'status') || !target || extra.length > 0) {
    io.stderr.write(
      `alerts: ${sub !== 'publish' && sub !== 'status' ? `unknown command "${sub}"` : 'missing argument'}\n${USAGE}`,
    );
    return 2;
  }
  let config: Config;
  try {
    config = parseConfig(io.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 1;
  }
  return sub === 'publish'
    ? publish(target, { yes: args.options.has('yes') }, config, io)
    : status(target, { json: args.options.has('json') }, config, io);
}

async function publish(file: string, flags: { yes: boolean }, config: Config, io: CliIo): Promise<number> {
  const root = path.resolve(io.cwd, config.KUNNAFONI_ROOT);
  const { lists, problems: listProblems } = await readLists(root);
  if (!lists.alertTopics || !lists.regions) {
    for (const p of listProblems.filter((p) => p.severity === 'error')) io.stderr.write(`${formatProblem(p)}\n`);
    io.stderr.write('alerts: content/alert-topics.yaml or content/regions.yaml has errors\n');
    return 1;
  }
  const labels: ContentLabels = { alertTopics: lists.alertTopics.value, regions: lists.regions.value };
  const known = {
    topics: new Set(labels.alertTopics.map((t) => t.id)),
    regions: new Set(labels.regions.map((r) => r.id)),
  };
  const { alert, problems } = await loadAlertFile(path.resolve(io.cwd, file), known, Date.now(), file);
  for (const p of problems) io.stderr.write(`${formatProblem(p)}\n`);
  if (!alert) {
    io.stderr.write(`alerts: ${file} has errors; nothing was sent\n`);
    return 1;
  }

  const redis = await connectCliRedis(config, io);
  if (!redis) return 1;
  const broadcast = new AlertBroadcast(redis, botKeys(config), systemClock, {
    pseudonymSecret: pseudonymSecretOf(config),
  });
  let workers: AlertWorkers | null = null;
  try {
    const existing = await broadcast.store.get(alert.id);
    if (existing) {
      io.stderr.write(
        `alerts: an alert with id "${alert.id}" was already published (${formatTime(existing.publishedAt)}). ` +
          `Give this one a new id, or follow it with: npx kunnafoni alerts status ${alert.id}\n`,
      );
      return 1;
    }
    const audience = await broadcast.preview(alert);
    io.stdout.write(previewText(alert, audience, labels, Date.now()));
    if (!flags.yes) {
      const people = `${audience.total} ${audience.total === 1 ? 'person' : 'people'}`;
      const answer = await ask(io, `\nSend this alert to ${people}? [y/N] `);
      if (!/^(y|yes|o|oui)$/i.test(answer.trim())) {
        io.stdout.write('Not sent.\n');
        return 1;
      }
    }
    const result = await broadcast.publish(alert);
    if (!result.published) {
      io.stderr.write(`alerts: an alert with id "${alert.id}" was published meanwhile; nothing more was sent\n`);
      return 1;
    }
    if (result.sendAt > Date.now() + 1000) {
      io.stdout.write(
        `Scheduled for ${formatTime(result.sendAt)}. Follow it with: npx kunnafoni alerts status ${alert.id}\n`,
      );
      return 0;
    }
    if ((await broadcast.senderCount()) === 0) {
      if (!config.TELEGRAM_BOT_TOKEN) {
        io.stdout.write(
          `Published. ${WAITING_FOR_TELEGRAM}: it goes out as soon as the bot runs with TELEGRAM_BOT_TOKEN set ` +
            `(npm start). Follow it with: npx kunnafoni alerts status ${alert.id}\n`,
        );
        return 0;
      }
      io.stdout.write('No bot is sending alerts right now: sending from this terminal. Keep it open until done.\n');
      workers = await startAlertWorkers(
        {
          broadcast,
          redis,
          sender: new TelegramBulkSender({ token: config.TELEGRAM_BOT_TOKEN, apiRoot: config.TELEGRAM_API_ROOT }),
          // The bot's budget: a bot started meanwhile shares it with this terminal.
          budget: new SendBudget(redis, broadcast.keys, {
            channel: 'telegram',
            ratePerSecond: config.ALERTS_RATE_PER_SECOND,
          }),
          subscriptions: new RedisSubscriptions(redis, broadcast.keys, {
            pseudonymSecret: pseudonymSecretOf(config),
            cipher: cipherOf(config),
          }),
          clock: systemClock,
          logger: createLogger({ level: 'warn', destination: io.stderr }),
        },
        { ratePerSecond: config.ALERTS_RATE_PER_SECOND },
      );
    }
    // Ctrl-C stops watching (and sending, if this terminal sends): what is left goes out when a bot runs.
    const interrupted = { value: false };
    const onInterrupt = () => {
      interrupted.value = true;
    };
    process.once('SIGINT', onInterrupt);
    try {
      const final = await follow(broadcast, alert.id, io, interrupted);
      if (interrupted.value) {
        io.stdout.write(
          `\nStopped following. ${workers ? 'What is left goes out when the bot runs. ' : ''}` +
            `Status: npx kunnafoni alerts status ${alert.id}\n`,
        );
      } else if (final) {
        io.stdout.write(`${summaryLine(final)}\n`);
      }
    } finally {
      process.off('SIGINT', onInterrupt);
    }
    return 0;
  } finally {
    await workers?.close();
    await broadcast.close();
    redis.disconnect();
  }
}

async function status(id: string, flags: { json: boolean }, config: Config, io: CliIo): Promise<number> {
  const redis = await connectCliRedis(config, io);
  if (!redis) return 1;
  const broadcast = new AlertBroadcast(redis, botKeys(config), systemClock, {
    pseudonymSecret: pseudonymSecretOf(config),
  });
  try {
    const report = await broadcast.report(id);
    if (!report) {
      io.stderr.write(`alerts: no alert "${id}" (alerts are kept 90 days)\n`);
      return 1;
    }
    io.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : statusText(report));
    return 0;
  } finally {
    await broadcast.close();
    redis.disconnect();
  }
}

/** Redraws a progress bar on a terminal, or prints plain lines, until every person has an outcome. */
async function follow(
  broadcast: AlertBroadcast,
  id: string,
  io: CliIo,
  interrupted: { value: boolean },
): Promise<AlertReport | null> {
  const tty = Boolean((io.stdout as NodeJS.WriteStream).isTTY);
  let lastLine = '';
  let lastPrinted = 0;
  let lastTenth = -1;
  for (;;) {
    const report = await broadcast.report(id);
    if (!report) return null;
    const finished = report.state === 'done';
    if (tty) {
      io.stdout.write(`\r${progressBar(report)}\x1b[K${finished ? '\n' : ''}`);
    } else {
      const line = progressLine(report);
      const total = report.total ?? report.estimate;
      const tenth = total === 0 ? 10 : Math.floor(((total - report.pending) / total) * 10);
      const due = Date.now() - lastPrinted >= PLAIN_EVERY_MS || tenth > lastTenth || finished;
      if (line !== lastLine && due) {
        io.stdout.write(`${line}\n`);
        lastLine = line;
        lastPrinted = Date.now();
        lastTenth = tenth;
      }
    }
    if (finished || interrupted.value) return report;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** One line from stdin (empty at end of input). */
function ask(io: CliIo, question: string): Promise<string> {
  io.stdout.write(question);
  return new Promise((resolve) => {
    const rl = createInterface({ input: io.stdin, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) resolve('');
    });
  });
}

/** The bot's Redis (see app/bot-redis.ts); null after saying why when none answers. */
async function connectCliRedis(config: Config, io: CliIo): Promise<Redis | null> {
  const found = await connectBotRedis(config, io.cwd);
  if ('redis' in found) return found.redis;
  io.stderr.write(`alerts: ${found.missing}\n`);
  return null;
}

/** The secret the bot hashes people with: the CLI must use the same one (erasure and idempotency depend on it). */
function pseudonymSecretOf(config: Config): string {
  return config.KUNNAFONI_PSEUDONYM_SECRET ?? DEV_PSEUDONYM_SECRET;
}

/** The bot's personal data key: the subscribers' chats are sealed with it. */
function cipherOf(config: Config): PersonalDataCipher {
  return new PersonalDataCipher(
    config.KUNNAFONI_DATA_KEY ? parseDataKeys(config.KUNNAFONI_DATA_KEY) : devDataKeys('development-only'),
  );
}

function botKeys(config: Config): RedisKeys {
  return new RedisKeys(config.REDIS_PREFIX, pseudonymSecretOf(config));
}

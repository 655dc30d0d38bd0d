// Composition root of `npm start`: builds everything from the configuration and runs until SIGTERM/SIGINT.
// The services themselves (Redis, stores, referrals, runtime) come from app/services.ts, shared with
// `kunnafoni chat`; here the channels, the alert workers and the HTTP server are put around them.
import path from 'node:path';
import { startAlertWorkers } from './alerts/broadcast-worker.ts';
import { SendBudget } from './alerts/send-budget.ts';
import { type Bundle, loadBundle } from './app/bundle.ts';
import type { AppIo } from './app/io.ts';
import { OutboxRouter } from './app/outbox-router.ts';
import { chooseRedis, redisChoiceOf } from './app/redis-target.ts';
import { createStores, openRedis, type RedisChoiceMade, startConversation, textParamsOf } from './app/services.ts';
import { GracefulShutdown } from './app/shutdown.ts';
import { staffNotifiersFor, staffTelegramOptions } from './app/staff-notifiers.ts';
import { observeUpdates } from './app/update-metrics.ts';
import { CachedApprovedVoices } from './audio/approved-voices.ts';
import { AudioLibrary } from './audio/library.ts';
import { createTelegramBot, createTelegramChannel, type TelegramChannel } from './channels/telegram/adapter.ts';
import type { RetryOptions } from './channels/telegram/errors.ts';
import { createRecordComposer } from './channels/telegram/record.ts';
import { TelegramBulkSender } from './channels/telegram/sender.ts';
import { telegramAttachments } from './channels/telegram/staff/attachments.ts';
import { createStaffComposer } from './channels/telegram/staff/staff-bot.ts';
import { startTelegram } from './channels/telegram/start.ts';
import type { WhatsAppChannel } from './channels/whatsapp/adapter.ts';
import { whatsAppPersonEraser } from './channels/whatsapp/held-messages.ts';
import { formatProblem, type SourceProblem } from './common/source-problems.ts';
import { type Config, configOrReport } from './config.ts';
import { createLogger, type Logger } from './infra/logger.ts';
import { createMetrics } from './infra/metrics.ts';
import { MissingRedisServerError } from './infra/private-redis.ts';
import { redisStartProblem } from './infra/redis.ts';
import { systemClock } from './ports/clock.ts';
import { errorSummary } from './runtime/runtime.ts';
import { staffAlerts } from './staff/alerts-adapter.ts';
import { createHttpServer } from './staff/server.ts';

export async function runService(io: AppIo): Promise<number> {
  const config = configOrReport(io.env, io.stderr);
  if (!config) return 1;
  const logger = createLogger({ level: config.LOG_LEVEL, logMessageText: config.LOG_MESSAGE_TEXT });
  // whatsapp-web.js leaves some of its own promises un-awaited: log such failures instead of dying.
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason instanceof Error ? reason.message : String(reason) }, 'unhandled rejection');
  });
  const root = path.resolve(io.cwd, config.KUNNAFONI_ROOT);
  const dataDir = path.resolve(io.cwd, config.KUNNAFONI_DATA_DIR);

  const { bundle, problems } = await loadBundle(root, { textParams: textParamsOf(config) });
  if (!bundle) {
    for (const p of problems.filter((p) => p.severity === 'error')) io.stderr.write(`${formatProblem(p)}\n`);
    io.stderr.write('The flows or content have errors: run `npx kunnafoni validate`.\n');
    return 1;
  }

  let redisChoice: RedisChoiceMade;
  try {
    redisChoice = await chooseRedis(redisChoiceOf(config), dataDir);
  } catch (err) {
    io.stderr.write(`${err instanceof MissingRedisServerError ? err.message : String(err)}\n`);
    return 1;
  }
  if (!redisChoice.privateRedis) {
    // Redis named by the configuration: one clear line and exit 1 if it does not answer, not a stream of retries.
    const problem = await redisStartProblem(
      redisChoice.target,
      config.REDIS_SENTINELS ? 'REDIS_SENTINELS' : 'REDIS_URL',
    );
    if (problem) {
      io.stderr.write(`${problem}\n`);
      return 1;
    }
  }
  const shutdown = new GracefulShutdown({ logger }).listen();
  try {
    return await startServices({ io, config, bundle, problems, redisChoice, shutdown, logger, dataDir });
  } catch (err) {
    // Anything that fails while starting: one clear line, everything started so far stopped, exit 1.
    io.stderr.write(`Kunnafoni could not start: ${errorSummary(err)}\n`);
    await shutdown.shutdown('start failed', { failed: true });
    return 1;
  }
}

type ServiceOptions = {
  io: AppIo;
  config: Config;
  bundle: Bundle;
  problems: readonly SourceProblem[];
  redisChoice: RedisChoiceMade;
  shutdown: GracefulShutdown;
  logger: Logger;
  dataDir: string;
};

async function startServices(options: ServiceOptions): Promise<number> {
  const { io, config, bundle, problems, redisChoice, shutdown, logger, dataDir } = options;
  const redis = openRedis({ choice: redisChoice, shutdown, logger });
  const stores = createStores({ config, redis, shutdown, logger });
  const { keys, cipher, subscriptions, broadcast } = stores;
  const metrics = createMetrics();
  // Recordings (issue 18): files in <data dir>/audio, metadata in Redis, plus those shipped in content/audio/.
  const audio = await AudioLibrary.open({ redis, keys, dataDir, content: bundle.content });
  for (const p of audio.shippedProblems) logger.warn({ file: p.file, problem: p.message }, 'audio: file not used');
  // What people hear (read at every turn, kept a few seconds), and where Telegram's file_id of an upload is kept.
  const voices = new CachedApprovedVoices(audio);
  const outbox = new OutboxRouter();
  const staffTelegram = staffTelegramOptions({ config, content: bundle.content, redis, keys, logger });
  const staffGroups = staffTelegram.groups;

  // A 429 pauses alert sends through the budget below (budgetTransformer); here it is only counted.
  const telegramRetry: RetryOptions = { onRateLimited: () => metrics.rateLimited.inc({ channel: 'telegram' }) };
  // Every Telegram send, replies and alerts, from one budget of ALERTS_RATE_PER_SECOND (replies first).
  const telegramBudget = new SendBudget(redis, keys, {
    channel: 'telegram',
    ratePerSecond: config.ALERTS_RATE_PER_SECOND,
  });
  // The bot's API client first (staff notifications need it), the channel once the runtime exists.
  const telegramBot = config.TELEGRAM_BOT_TOKEN
    ? createTelegramBot({
        token: config.TELEGRAM_BOT_TOKEN,
        apiRoot: config.TELEGRAM_API_ROOT,
        logger,
        retry: telegramRetry,
        // Replies take their share of the budget as they go, before bulk alert sends; a 429 pauses the alerts.
        budget: telegramBudget,
      })
    : null;

  const { referrals, runtime, redisUp } = await startConversation({
    config,
    bundle,
    redis,
    stores,
    shutdown,
    logger,
    outbox,
    notifiers: staffNotifiersFor({ api: telegramBot?.api ?? null, telegram: staffTelegram, redis, keys }),
    ...observeUpdates(metrics),
    // What the WhatsApp channel keeps about a person (held replies, "wrote recently") goes with "EFFACER".
    erasers: [whatsAppPersonEraser(redis, keys)],
    voices,
    // Voice notes, photos and documents people send with their case, sealed (erased with them).
    attachmentsDir: path.join(dataDir, 'attachments'),
    // Answers typed while Redis is down, sealed until it is back (a restart meanwhile keeps them).
    heldDir: path.join(dataDir, 'held'),
  });

  const channels: Record<string, string> = {};
  let telegram: TelegramChannel | null = null;
  if (telegramBot) {
    telegram = createTelegramChannel({
      bot: telegramBot,
      token: telegramBot.token,
      apiRoot: config.TELEGRAM_API_ROOT,
      mode: config.TELEGRAM_MODE,
      ...(config.TELEGRAM_WEBHOOK_URL ? { webhookUrl: config.TELEGRAM_WEBHOOK_URL } : {}),
      ...(config.TELEGRAM_WEBHOOK_SECRET ? { webhookSecret: config.TELEGRAM_WEBHOOK_SECRET } : {}),
      runtime,
      redis,
      keys,
      cipher,
      subscriptions,
      logger,
      voiceIds: voices,
      before: [
        createRecordComposer({ library: audio, groups: staffGroups, redis, keys, logger }),
        createStaffComposer(referrals, staffTelegram),
      ],
      retry: telegramRetry,
    });
    outbox.register('telegram', telegram.outbox);
    // The files a person sends with a request are downloaded when the case is made (a file_id stays valid).
    const tg = telegram;
    referrals.attachments?.setFetcher(
      'telegram',
      telegramAttachments(() => tg.bot.api, { apiRoot: config.TELEGRAM_API_ROOT, token: telegramBot.token }),
    );
    const alertWorkers = await startAlertWorkers(
      {
        broadcast,
        redis,
        sender: new TelegramBulkSender(
          { token: telegramBot.token, apiRoot: config.TELEGRAM_API_ROOT },
          telegram.activity,
        ),
        budget: telegramBudget,
        subscriptions,
        clock: systemClock,
        logger,
        onRateLimited: () => metrics.rateLimited.inc({ channel: 'telegram' }),
      },
      { ratePerSecond: config.ALERTS_RATE_PER_SECOND },
    );
    shutdown.add('services', 'alert workers', () => alertWorkers.close());
    channels.telegram = config.TELEGRAM_MODE;
  }

  let whatsapp: WhatsAppChannel | null = null;
  if (config.WHATSAPP_ENABLED) {
    // Loaded only when enabled: whatsapp-web.js and puppeteer are heavy to import.
    const { createWhatsAppChannel, staffNoticeSender } = await import('./channels/whatsapp/adapter.ts');
    whatsapp = createWhatsAppChannel({
      runtime,
      redis,
      keys,
      cipher,
      logger,
      ...(referrals.attachments ? { attachments: referrals.attachments } : {}),
      chromiumPath: config.WHATSAPP_CHROMIUM_PATH,
      dataDir: path.join(dataDir, 'whatsapp'),
      auth: config.WHATSAPP_AUTH,
      maxPerMinute: config.WHATSAPP_MAX_PER_MINUTE,
      globalGapMs: config.WHATSAPP_SEND_GAP_MS,
      ...(config.WHATSAPP_PAIRING_PHONE ? { pairingPhone: config.WHATSAPP_PAIRING_PHONE } : {}),
      // To the staff Telegram group(s) and the log; the console shows the same as a banner.
      notifyStaff: staffNoticeSender({
        groups: staffGroups.values(),
        send: (chatId, text) => (telegramBot ? telegramBot.api.sendMessage(chatId, text) : null),
        logger,
      }),
    });
    outbox.register('whatsapp', whatsapp);
    whatsapp.onStateChange((s) => metrics.setWhatsAppState(s.state));
    channels.whatsapp = 'starting';
  }

  const http = createHttpServer({
    config: { host: config.HOST, port: config.PORT },
    redis,
    keys,
    bundle,
    problems,
    referrals,
    alerts: staffAlerts({ broadcast, redis, keys }),
    audio,
    ...(telegram && config.TELEGRAM_MODE === 'webhook' ? { telegramWebhook: telegram.webhookHandler } : {}),
    telegramStatus: async () => ({ mode: telegram ? config.TELEGRAM_MODE : 'off' }),
    ...(whatsapp ? { whatsappState: () => whatsapp!.getState(), whatsappRetry: () => whatsapp!.retry() } : {}),
    health: async () => ({
      // Known to be away: 503 at once, without waiting for a ping to time out.
      redis:
        redisUp() &&
        (await redis.ping().then(
          (r) => r === 'PONG',
          () => false,
        )),
      channels: {
        // While shutting down, /healthz answers 503 so a load balancer stops sending here.
        ...(shutdown.stopping ? { service: 'stopping' } : {}),
        ...(telegram ? { telegram: config.TELEGRAM_MODE } : {}),
        ...(whatsapp ? { whatsapp: whatsapp.getState().state } : {}),
      },
    }),
    metrics,
    queues: [referrals.queue, broadcast.fanoutQueue, broadcast.sendQueue],
    logger,
    trustProxy: config.TRUST_PROXY,
    auditRetentionDays: config.AUDIT_RETENTION_DAYS,
    ...(referrals.attachments ? { caseFiles: referrals.attachments } : {}),
    ...(telegram && config.TELEGRAM_BOT_TOKEN
      ? {
          attachments: {
            telegram: telegramAttachments(() => telegram!.bot.api, {
              apiRoot: config.TELEGRAM_API_ROOT,
              token: config.TELEGRAM_BOT_TOKEN,
            }),
          },
        }
      : {}),
  });
  const { port } = await http.listen();
  shutdown.add('intake', 'http server', () => http.close());

  if (telegram) {
    const tg = telegram;
    shutdown.add('intake', 'telegram', () => tg.stop());
    const failure = await startTelegram(tg, logger);
    if (failure) {
      io.stderr.write(`${failure}\n`);
      await shutdown.shutdown('telegram refused', { failed: true });
      return 1;
    }
  }
  if (whatsapp) {
    await whatsapp.start();
    // stop() finishes the replies in progress, then closes Chromium: it belongs with "stop taking updates".
    shutdown.add('intake', 'whatsapp', () => whatsapp!.stop());
  }

  // Turns a process that died left half done (a referral committed, its confirmation unsent): finished now that
  // the channels can send, and every few seconds (see runtime/journal.ts).
  void runtime.recover();
  const recovery = setInterval(() => void runtime.recover(), 5_000);
  recovery.unref();
  shutdown.add('intake', 'journal recovery', () => clearInterval(recovery));
  logger.info({ redis: redisChoice.description, channels, port }, 'kunnafoni started');
  io.stdout.write(`Kunnafoni is ready: staff console on http://${config.HOST}:${port}/\n`);
  if (Object.keys(channels).length === 0) {
    io.stdout.write(
      'No channel is connected yet: set TELEGRAM_BOT_TOKEN (from @BotFather) or WHATSAPP_ENABLED=true in .env ' +
        'and restart. To try the bot right now: npx kunnafoni chat\n',
    );
  }
  // Stay alive until a signal (standard input is never read, so closing it does not stop the service).
  setInterval(() => undefined, 1 << 30);
  return 0;
}

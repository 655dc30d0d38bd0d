// Composition root of `npm start`: builds everything from the configuration and runs until SIGTERM/SIGINT.
import path from 'node:path';
import { GrammyError } from 'grammy';
import { AlertBroadcast } from './alerts/broadcast.ts';
import { startAlertWorkers } from './alerts/broadcast-worker.ts';
import { replyPriority } from './alerts/reply-priority.ts';
import { outboxAlertSender } from './alerts/sender.ts';
import { RedisSubscriptions } from './alerts/subscriptions.ts';
import { type Bundle, loadBundle } from './app/bundle.ts';
import { OutboxRouter } from './app/outbox-router.ts';
import { chooseRedis, redisChoiceOf } from './app/redis-target.ts';
import { GracefulShutdown } from './app/shutdown.ts';
import { createTelegramChannel, type TelegramChannel } from './channels/telegram/adapter.ts';
import type { WhatsAppChannel } from './channels/whatsapp/adapter.ts';
import type { CliIo } from './cli/io.ts';
import { formatProblem, type SourceProblem } from './common/source-problems.ts';
import { type Config, ConfigError, parseConfig } from './config.ts';
import { devDataKeys, PersonalDataCipher, parseDataKeys } from './infra/crypto.ts';
import { RedisFloodGate } from './infra/flood-gate.ts';
import { DEV_PSEUDONYM_SECRET, RedisKeys } from './infra/keys.ts';
import { createLogger, type Logger } from './infra/logger.ts';
import { createMetrics } from './infra/metrics.ts';
import { MissingRedisServerError } from './infra/private-redis.ts';
import { connectRedis, trackAvailability } from './infra/redis.ts';
import { RedisChatState } from './infra/redis-chat-state.ts';
import { RedisSessionStore } from './infra/redis-session-store.ts';
import { systemClock } from './ports/clock.ts';
import { partnersFromContacts } from './referrals/partners.ts';
import { createReferralService } from './referrals/service.ts';
import { fanOut, type StaffNotifier, silentNotifier } from './referrals/staff-notifier.ts';
import { createStaffComposer, createTelegramStaffNotifier, parseStaffGroups } from './referrals/telegram-staff.ts';
import { startReferralWorker } from './referrals/worker.ts';
import { createRuntime, errorSummary } from './runtime/runtime.ts';
import { staffAlerts } from './staff/alerts-adapter.ts';
import { createHttpServer } from './staff/server.ts';

/** Telegram answering 401 (a wrong token) is fatal with one clear line; Telegram unreachable is retried quietly. */
async function startTelegram(telegram: TelegramChannel, logger: Logger): Promise<string | null> {
  const started = telegram.start().then(
    () => null,
    (err: unknown) => err,
  );
  const outcome = await Promise.race([started, new Promise((r) => setTimeout(() => r('slow'), 10_000).unref())]);
  if (outcome === 'slow') {
    logger.warn('telegram: not reachable yet, still trying in the background');
    void started.then((err) => {
      if (err) logger.error({ err: errorSummary(err) }, 'telegram: could not start');
      else logger.info('telegram: connected');
    });
    return null;
  }
  if (outcome === null) return null;
  if (outcome instanceof GrammyError && outcome.error_code === 401) {
    return 'TELEGRAM_BOT_TOKEN was refused by Telegram (401 Unauthorized): check the token from @BotFather.';
  }
  return `Telegram could not start: ${errorSummary(outcome)}`;
}

export async function runService(io: CliIo): Promise<number> {
  let config: Config;
  try {
    config = parseConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const logger = createLogger({ level: config.LOG_LEVEL, logMessageText: config.LOG_MESSAGE_TEXT });
  // whatsapp-web.js leaves some of its own promises un-awaited: log such failures instead of dying.
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason instanceof Error ? reason.message : String(reason) }, 'unhandled rejection');
  });
  const root = path.resolve(io.cwd, config.KUNNAFONI_ROOT);
  const dataDir = path.resolve(io.cwd, config.KUNNAFONI_DATA_DIR);

  const { bundle, problems } = await loadBundle(root, {
    textParams: {
      session_days: String(config.SESSION_TTL_DAYS),
      retention_days: String(config.REFERRAL_RETENTION_DAYS),
    },
  });
  if (!bundle) {
    for (const p of problems.filter((p) => p.severity === 'error')) io.stderr.write(`${formatProblem(p)}\n`);
    io.stderr.write('The flows or content have errors: run `npx kunnafoni validate`.\n');
    return 1;
  }

  let redisChoice: Awaited<ReturnType<typeof chooseRedis>>;
  try {
    redisChoice = await chooseRedis(redisChoiceOf(config), dataDir);
  } catch (err) {
    io.stderr.write(`${err instanceof MissingRedisServerError ? err.message : String(err)}\n`);
    return 1;
  }
  const shutdown = new GracefulShutdown({ logger }).listen();
  try {
    return await startServices(io, config, bundle, problems, redisChoice, shutdown, logger, dataDir);
  } catch (err) {
    // Anything that fails while starting: one clear line, everything started so far stopped, exit 1.
    io.stderr.write(`Kunnafoni could not start: ${errorSummary(err)}\n`);
    await shutdown.shutdown('start failed', { failed: true });
    return 1;
  }
}

async function startServices(
  io: CliIo,
  config: Config,
  bundle: Bundle,
  problems: readonly SourceProblem[],
  redisChoice: Awaited<ReturnType<typeof chooseRedis>>,
  shutdown: GracefulShutdown,
  logger: Logger,
  dataDir: string,
): Promise<number> {
  const redis = connectRedis(redisChoice.target);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis error'));
  shutdown.add('connections', 'redis', () => redis.quit().catch(() => redis.disconnect()));
  if (redisChoice.privateRedis) shutdown.add('storage', 'private redis-server', () => redisChoice.privateRedis?.stop());

  // One secret names people everywhere (keys, referral and alert job ids): the CLI commands use the same one.
  const pseudonymSecret = config.KUNNAFONI_PSEUDONYM_SECRET ?? DEV_PSEUDONYM_SECRET;
  const keys = new RedisKeys(config.REDIS_PREFIX, pseudonymSecret);
  const cipher = new PersonalDataCipher(
    config.KUNNAFONI_DATA_KEY ? parseDataKeys(config.KUNNAFONI_DATA_KEY) : devDataKeys('development-only'),
  );
  if (!config.KUNNAFONI_DATA_KEY) logger.warn('KUNNAFONI_DATA_KEY is not set: personal data uses a development key');
  const metrics = createMetrics();
  const outbox = new OutboxRouter();
  const staffGroups = parseStaffGroups(config.REFERRAL_STAFF_GROUPS);
  let telegram: TelegramChannel | null = null;
  const notifiers: StaffNotifier[] = [];
  if (config.TELEGRAM_BOT_TOKEN && staffGroups.size > 0) {
    // The notifier needs the bot's API, which exists once the channel is built below.
    notifiers.push(createTelegramStaffNotifier(() => telegram!.bot.api, { groups: staffGroups, logger }));
  }

  const referrals = createReferralService({
    redis,
    keys,
    cipher,
    partners: partnersFromContacts(bundle.content.contacts.values()),
    outbox,
    notifier: notifiers.length > 0 ? fanOut(...notifiers) : silentNotifier,
    clock: systemClock,
    logger,
    options: {
      fallbackPartner: config.REFERRAL_FALLBACK_PARTNER,
      pseudonymSecret,
      remindAfterHours: config.REFERRAL_REMIND_HOURS,
      escalateAfterHours: config.REFERRAL_ESCALATE_HOURS,
      retentionDays: config.REFERRAL_RETENTION_DAYS,
    },
  });
  const referralWorker = await startReferralWorker({ service: referrals, redis, keys, logger });
  shutdown.add('services', 'referral worker', async () => {
    await referralWorker.close();
    await referrals.stop();
  });

  const subscriptions = new RedisSubscriptions(redis, keys, { pseudonymSecret });
  const broadcast = new AlertBroadcast(redis, keys, systemClock, { pseudonymSecret });
  shutdown.add('services', 'alert queues', () => broadcast.close());

  // The chat's lock and session together: lock + load in one round trip, then the compare-and-set save.
  const chatState = new RedisChatState(
    redis,
    keys,
    new RedisSessionStore(redis, keys, cipher, config.SESSION_TTL_DAYS * 86_400_000),
  );
  const runtime = createRuntime({
    flows: bundle.flows,
    catalog: bundle.catalog,
    presenter: bundle.presenter,
    store: chatState,
    lock: chatState,
    clock: systemClock,
    logger,
    referrals,
    subscriptions,
    flood: new RedisFloodGate(redis, keys, { maxPerWindow: config.FLOOD_MAX_PER_MINUTE, windowMs: 60_000 }),
    observe: (chat, replies, seconds) => {
      metrics.updates.inc({ channel: chat.channel });
      if (replies > 0) metrics.replies.inc({ channel: chat.channel, kind: 'reply' }, replies);
      metrics.latency.observe({ channel: chat.channel }, seconds);
    },
    // While Redis is known to be down, answer from memory at once instead of waiting for commands to time out.
    stateAvailable: trackAvailability(redis),
  });
  shutdown.add('drain', 'runtime', () => runtime.drain());

  const channels: Record<string, string> = {};
  if (config.TELEGRAM_BOT_TOKEN) {
    telegram = createTelegramChannel({
      token: config.TELEGRAM_BOT_TOKEN,
      apiRoot: config.TELEGRAM_API_ROOT,
      mode: config.TELEGRAM_MODE,
      ...(config.TELEGRAM_WEBHOOK_URL ? { webhookUrl: config.TELEGRAM_WEBHOOK_URL } : {}),
      ...(config.TELEGRAM_WEBHOOK_SECRET ? { webhookSecret: config.TELEGRAM_WEBHOOK_SECRET } : {}),
      runtime,
      redis,
      keys,
      subscriptions,
      logger,
      before: [createStaffComposer(referrals, { groups: staffGroups, logger })],
      // A 429 on a reply also pauses bulk alert sends for that long.
      retry: {
        onRateLimited: (_method, seconds) => {
          metrics.rateLimited.inc({ channel: 'telegram' });
          void broadcast.sendQueue.rateLimit(seconds * 1000);
        },
      },
    });
    // Replies to people go before bulk alert sends: they take their share of the bulk limiter's window.
    telegram.bot.api.config.use(replyPriority(redis, keys, { ratePerSecond: config.ALERTS_RATE_PER_SECOND }));
    outbox.register('telegram', telegram.outbox);
    const alertWorkers = await startAlertWorkers(
      {
        broadcast,
        redis,
        send: outboxAlertSender(telegram.bulkOutbox),
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
    const { createWhatsAppChannel } = await import('./channels/whatsapp/adapter.ts');
    whatsapp = createWhatsAppChannel({
      runtime,
      redis,
      keys,
      cipher,
      logger,
      chromiumPath: config.WHATSAPP_CHROMIUM_PATH,
      dataDir: path.join(dataDir, 'whatsapp'),
      auth: config.WHATSAPP_AUTH,
      maxPerMinute: config.WHATSAPP_MAX_PER_MINUTE,
      ...(config.WHATSAPP_PAIRING_PHONE ? { pairingPhone: config.WHATSAPP_PAIRING_PHONE } : {}),
      notifyStaff: (notice) => logger.warn({ whatsapp: notice }, 'whatsapp connection'),
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
    ...(telegram && config.TELEGRAM_MODE === 'webhook' ? { telegramWebhook: telegram.webhookHandler } : {}),
    telegramStatus: async () => ({ mode: telegram ? config.TELEGRAM_MODE : 'off' }),
    ...(whatsapp ? { whatsappState: () => whatsapp!.getState() } : {}),
    health: async () => ({
      redis: await redis.ping().then(
        (r) => r === 'PONG',
        () => false,
      ),
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

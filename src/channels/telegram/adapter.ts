// The Telegram channel: grammY bot -> parse -> runtime.handle -> render, in polling or webhook mode.
// - Polling runs on @grammyjs/runner: concurrent across chats, sequential within one chat (sequentialize).
// - Webhook mode exposes `webhookHandler` for the HTTP server; it answers at once and processes in the background,
//   through the same sequentialized middleware.
// - Every button press is answered (answerCallbackQuery), whatever happens next.
// - A failing update is logged and never blocks that chat's later updates.
import { type RunnerHandle, run, sequentialize } from '@grammyjs/runner';
import { Api, Bot, Context, type Middleware } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import type { Redis } from 'ioredis';
import { LANGUAGES } from '../../engine/types.ts';
import type { PersonalDataCipher } from '../../infra/crypto.ts';
import type { RedisKeys } from '../../infra/keys.ts';
import type { SendBudgetPort } from '../../ports/bulk-send.ts';
import type { ChatRef } from '../../ports/chat.ts';
import type { OutMessage } from '../../ports/out-message.ts';
import type { Outbox } from '../../ports/outbox.ts';
import type { Subscriptions } from '../../ports/services.ts';
import type { ChannelCapabilities } from '../../runtime/capabilities.ts';
import type { InputMeta } from '../../runtime/runtime.ts';
import { PersonActivity } from './activity.ts';
import { botApiFetch } from './bot-api-fetch.ts';
import { directJsonCalls } from './bot-api-json-call.ts';
import { type CommandMenus, DEFAULT_COMMANDS } from './commands.ts';
import { BlockedError, type RetryOptions, retryTransformer } from './errors.ts';
import { LeanComposer } from './lean-composer.ts';
import { BulkTelegramOutbox, TelegramOutbox } from './outbox.ts';
import { type ParsedUpdate, parseUpdate } from './parse.ts';
import { TELEGRAM_TEXT_LIMIT } from './render.ts';
import { budgetTransformer } from './send-budget.ts';
import { LongChoiceStore, type TelegramLogger, TelegramSender, type VoiceIds } from './sender.ts';
import { createWebhookHandler, type WebhookHandler } from './webhook.ts';
import { WebhookQueue } from './webhook-queue.ts';

/** Telegram draws choices as inline buttons and sends voice notes. */
export const TELEGRAM_CAPABILITIES: ChannelCapabilities = { buttons: true, maxText: TELEGRAM_TEXT_LIMIT, voice: true };

/** What the channel needs from the runtime (src/runtime/runtime.ts `Runtime` has this shape). */
export interface ConversationRuntime {
  handle(chat: ChatRef, input: ParsedUpdate['input'], meta?: InputMeta): Promise<OutMessage[]>;
}

export type TelegramMode = 'polling' | 'webhook';

export type TelegramChannelOptions = {
  token: string;
  /** Defaults to https://api.telegram.org; tests point it at a loopback server. No trailing slash. */
  apiRoot?: string;
  mode: TelegramMode;
  /** Public URL Telegram posts to (webhook mode), e.g. https://bot.example.org/telegram/webhook. */
  webhookUrl?: string;
  /** Required in webhook mode: Telegram sends it back in X-Telegram-Bot-Api-Secret-Token. */
  webhookSecret?: string;
  runtime: ConversationRuntime;
  redis: Redis;
  keys: RedisKeys;
  /** Seals webhook updates while they wait in Redis (they hold message texts and names). */
  cipher?: PersonalDataCipher;
  subscriptions?: Subscriptions;
  logger: TelegramLogger;
  /** Keeps the file_id of an uploaded recording, so it is sent again by id (issue 18). */
  voiceIds?: VoiceIds;
  /** Command menus per language; defaults to DEFAULT_COMMANDS. */
  commands?: CommandMenus;
  /** Skips getMe at start (tests, or a known bot). */
  botInfo?: UserFromGetMe;
  retry?: RetryOptions;
  /** The platform's send budget shared with alerts: every attempt of every message the bot sends takes its share. */
  budget?: SendBudgetPort;
  /** Long-poll timeout in seconds (default 25). */
  pollTimeoutSeconds?: number;
  /** Updates processed at once across chats (default 500, the runner's default). */
  concurrency?: number;
  /**
   * Installed before the conversation handler, after per-chat ordering (e.g. the referrals staff composer, which
   * handles staff groups and staff commands and passes everything else on with `next()`).
   */
  before?: Middleware<Context>[];
};

export type TelegramChannel = {
  bot: Bot;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** For the HTTP server, at /telegram/webhook (webhook mode). */
  webhookHandler: WebhookHandler;
  /** Proactive sends (referral relay, case updates): waits out 429s, retries 5xx, throws BlockedError on 403. */
  outbox: Outbox;
  /** For rate-limited queues (alerts): a 429 throws RateLimitedError at once so the queue can pause. */
  bulkOutbox: Outbox;
  activity: PersonActivity;
};

const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

export type TelegramBotOptions = Pick<
  TelegramChannelOptions,
  'token' | 'apiRoot' | 'botInfo' | 'retry' | 'logger' | 'budget'
>;

/**
 * The grammY bot (its API client with retries), built before the channel so that services needing the Bot API
 * (the staff notifier) can be built first and the channel last, without a construction cycle.
 */
export function createTelegramBot(options: TelegramBotOptions): Bot {
  const client = clientOptions(options);
  const bot = new Bot(options.token, options.botInfo ? { client, botInfo: options.botInfo } : { client });
  // Innermost of all: the reply's JSON calls skip grammY's per-call machinery (bot-api-json-call.ts).
  bot.api.config.use(
    directJsonCalls({ token: options.token, apiRoot: client.apiRoot, timeoutSeconds: client.timeoutSeconds }),
  );
  // Next, so each attempt (a retry after a 429 too) is counted, and a 429 to any attempt pauses alerts.
  if (options.budget) bot.api.config.use(budgetTransformer(options.budget));
  bot.api.config.use(
    retryTransformer({
      ...options.retry,
      onRateLimited: (method, retryAfter) => {
        options.logger.warn({ method, retryAfter }, 'telegram: rate limited, waiting');
        options.retry?.onRateLimited?.(method, retryAfter);
      },
    }),
  );
  return bot;
}

function clientOptions(options: Pick<TelegramChannelOptions, 'apiRoot'>) {
  // grammY refuses a trailing slash; a URL validator may have added one.
  const apiRoot = (options.apiRoot ?? 'https://api.telegram.org').replace(/\/+$/, '');
  // `fetch`: the Bot API client's own keep-alive connections (see bot-api-fetch.ts).
  return { apiRoot, timeoutSeconds: 60, fetch: botApiFetch as unknown as typeof fetch };
}

export function createTelegramChannel(options: TelegramChannelOptions & { bot?: Bot }): TelegramChannel {
  const { runtime, redis, keys, logger } = options;
  const client = clientOptions(options);
  const bot = options.bot ?? createTelegramBot(options);
  const bulkApi = new Api(options.token, client);
  bulkApi.config.use(retryTransformer({ ...options.retry, waitOnRateLimit: false }));

  const activity = new PersonActivity(redis, keys, options.subscriptions);
  const longChoices = new LongChoiceStore(redis, keys);
  const sender = new TelegramSender(bot.api, longChoices, activity, logger, options.voiceIds);
  const bulkSender = new TelegramSender(bulkApi, longChoices, activity, logger, options.voiceIds);
  const inFlight = new Set<Promise<void>>();

  async function processUpdate(update: Update): Promise<void> {
    const query = update.callback_query;
    // Answer the press first so the button stops spinning; its outcome never holds up the reply.
    const answered = query
      ? bot.api.answerCallbackQuery(query.id).catch((error: unknown) => {
          logger.warn({ updateId: update.update_id, err: describe(error) }, 'telegram: answerCallbackQuery failed');
        })
      : undefined;
    try {
      if (update.my_chat_member) return await membershipChanged(update);
      const parsed = parseUpdate(update);
      if (!parsed) return;
      if (parsed.longChoice) {
        // Redis unreachable: treated as a stale press (the runtime then answers without the session).
        const id = await longChoices.resolve(parsed.longChoice.digest).catch(() => null);
        // Unknown digest (expired): a stale press, so the current question is shown again.
        parsed.input = id
          ? { kind: 'choice', id, version: parsed.longChoice.version }
          : { kind: 'choice', id: '', version: -1 };
      }
      // Not waited for: with Redis unreachable, /start must still reach the runtime (and its answers from memory).
      if (parsed.input.kind === 'start') {
        activity.markActive(parsed.chat).catch((error: unknown) => {
          logger.debug({ updateId: update.update_id, err: describe(error) }, 'telegram: could not mark active');
        });
      }
      const meta = {
        capabilities: TELEGRAM_CAPABILITIES,
        ...(parsed.platformLang ? { platformLang: parsed.platformLang } : {}),
      };
      const messages = await runtime.handle(parsed.chat, parsed.input, meta);
      await sender.deliver(parsed.chat, messages);
    } catch (error) {
      if (error instanceof BlockedError) {
        logger.info({ updateId: update.update_id }, 'telegram: person blocked the bot, marked inactive');
      } else {
        logger.error({ updateId: update.update_id, err: describe(error) }, 'telegram: update failed');
      }
    } finally {
      await answered;
    }
  }

  /** Telegram tells us when a person blocks (kicked) or unblocks (member) the bot in their private chat. */
  async function membershipChanged(update: Update): Promise<void> {
    const change = update.my_chat_member;
    if (change?.chat.type !== 'private') return;
    const chat: ChatRef = { channel: 'telegram', id: String(change.chat.id) };
    const status = change.new_chat_member.status;
    if (status === 'kicked') await activity.markInactive(chat);
    else if (status === 'member') await activity.markActive(chat);
  }

  // Process everything through one sequentialized middleware: updates of one chat run one after the other
  // (a failed one included: sequentialize moves on after it), different chats run concurrently.
  // Tracked from entry (including time spent waiting behind the same chat), so stop() can drain everything.
  // One lean chain (lean-composer.ts): the steps add no layer of closures per update.
  bot.use(
    new LeanComposer<Context>(
      (_ctx, next) => track(next()),
      sequentialize(orderKey),
      ...(options.before ?? []),
      (ctx) => processUpdate(ctx.update),
    ),
  );
  bot.catch((error) => logger.error({ err: describe(error.error) }, 'telegram: middleware error'));

  function track(work: Promise<void>): Promise<void> {
    inFlight.add(work);
    return work.finally(() => inFlight.delete(work));
  }

  let runner: RunnerHandle | null = null;
  let ready = false;

  const handleWebhookUpdate = (update: Update) =>
    bot.handleUpdate(update).catch((error: unknown) => {
      logger.error({ updateId: update.update_id, err: describe(error) }, 'telegram: webhook update failed');
    });
  // Webhook updates go through a per-chat queue in Redis, so one chat stays in order across processes.
  const webhookQueue = new WebhookQueue({
    redis,
    keys,
    logger,
    ...(options.cipher ? { cipher: options.cipher } : {}),
    chatOf: (update) => orderKey(new Context(update, bot.api, bot.botInfo)),
    process: handleWebhookUpdate,
  });
  const webhookHandler = createWebhookHandler({
    secret: options.webhookSecret ?? '',
    redis,
    keys,
    ready: () => ready,
    logger,
    dispatch: (update) => void handleWebhookUpdate(update),
    accept: (update) => webhookQueue.accept(update),
  });

  async function setCommands(): Promise<void> {
    const menus = options.commands ?? DEFAULT_COMMANDS;
    const calls = [
      bot.api.setMyCommands(menus.fr),
      ...LANGUAGES.map((lang) => bot.api.setMyCommands(menus[lang], { language_code: lang })),
    ];
    const results = await Promise.allSettled(calls);
    for (const result of results) {
      if (result.status === 'rejected') {
        logger.warn({ err: describe(result.reason) }, 'telegram: setMyCommands failed (the command menu may be stale)');
      }
    }
  }

  async function start(): Promise<void> {
    await bot.init();
    if (options.mode === 'webhook') {
      if (!options.webhookUrl || !options.webhookSecret) {
        throw new Error('TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET');
      }
      await bot.api.setWebhook(options.webhookUrl, {
        secret_token: options.webhookSecret,
        allowed_updates: [...ALLOWED_UPDATES],
      });
      webhookQueue.startSweeping();
      ready = true;
    } else {
      await bot.api.deleteWebhook();
      runner = run(bot, {
        runner: {
          fetch: { timeout: options.pollTimeoutSeconds ?? 25, allowed_updates: [...ALLOWED_UPDATES] },
          silent: true,
          retryInterval: 'exponential',
        },
        sink: { concurrency: options.concurrency ?? 500 },
      });
      runner.task()?.catch((error: unknown) => {
        logger.error({ err: describe(error) }, 'telegram: polling stopped');
      });
    }
    await setCommands();
    logger.info({ mode: options.mode, bot: bot.botInfo.username }, 'telegram channel started');
  }

  async function stop(): Promise<void> {
    ready = false;
    const polling = runner;
    runner = null;
    if (polling?.isRunning()) await polling.stop();
    await webhookQueue.stop();
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  return {
    bot,
    start,
    stop,
    webhookHandler,
    outbox: new TelegramOutbox(sender),
    bulkOutbox: new BulkTelegramOutbox(bulkSender),
    activity,
  };
}

/** Updates of one chat are processed in order; a press without a message falls back to the person's id. */
function orderKey(ctx: Context): string | undefined {
  const id = ctx.chat?.id ?? ctx.from?.id;
  return id === undefined ? undefined : String(id);
}

/** Error summaries for logs: codes and Telegram's descriptions, never message contents. */
function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'error_code' in error) {
    const e = error as { error_code: number; description?: string; method?: string };
    return `${e.method ?? 'api'} ${e.error_code}: ${e.description ?? ''}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

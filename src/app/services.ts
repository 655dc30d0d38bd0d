// The bot's services, built from the configuration in one order with no construction cycle:
//   openRedis            the Redis connection (closed by the shutdown), and the private redis-server's stop
//   createStores         keys, personal-data cipher, alert subscriptions and queues (no platform needed)
//   startConversation    referrals (service + worker), flood gate, chat state and the runtime
// `npm start` (main.ts) builds channels around them; `kunnafoni chat` (cli/chat.ts) puts the terminal in front of
// the very same services, so a person trying the bot locally walks every path to its real end.
import type { Redis } from 'ioredis';
import { AlertBroadcast } from '../alerts/broadcast.ts';
import { RedisSubscriptions } from '../alerts/subscriptions.ts';
import type { Config } from '../config.ts';
import { devDataKeys, PersonalDataCipher, parseDataKeys } from '../infra/crypto.ts';
import { RedisFloodGate } from '../infra/flood-gate.ts';
import { DiskHeldSpool } from '../infra/held-spool.ts';
import { DEV_PSEUDONYM_SECRET, RedisKeys } from '../infra/keys.ts';
import type { Logger } from '../infra/logger.ts';
import type { PrivateRedis } from '../infra/private-redis.ts';
import { connectRedis, describeRedisTarget, type RedisTarget, trackAvailability } from '../infra/redis.ts';
import { RedisChatState } from '../infra/redis-chat-state.ts';
import { RedisDeliveryMarks } from '../infra/redis-delivery-marks.ts';
import { RedisOutageLog } from '../infra/redis-outage.ts';
import { RedisSessionStore } from '../infra/redis-session-store.ts';
import type { ChatRef } from '../ports/chat.ts';
import { systemClock } from '../ports/clock.ts';
import type { Outbox } from '../ports/outbox.ts';
import type { SessionStore } from '../ports/session-store.ts';
import { partnersFromContacts } from '../referrals/partners.ts';
import { createReferralService, type ReferralService } from '../referrals/service.ts';
import { fanOut, type StaffNotifier, silentNotifier } from '../referrals/staff-notifier.ts';
import { startReferralWorker } from '../referrals/worker.ts';
import { noticePresenter } from '../runtime/present-results.ts';
import { createRuntime, type RuntimeDeps, type ServiceRuntime } from '../runtime/runtime.ts';
import { AuditLog } from '../staff/audit-log.ts';
import type { Bundle } from './bundle.ts';
import { personPrompter } from './person-prompter.ts';
import type { GracefulShutdown } from './shutdown.ts';

export type RedisChoiceMade = { target: RedisTarget; privateRedis: PrivateRedis | null; description: string };

/** Connects to the chosen Redis; the shutdown closes the connection, then stops a private redis-server. */
export function openRedis(options: { choice: RedisChoiceMade; shutdown: GracefulShutdown; logger: Logger }): Redis {
  const { choice, shutdown, logger } = options;
  const redis = connectRedis(choice.target);
  // One line when Redis goes away, one when it is back, at most one a minute in between (see redis-outage.ts).
  new RedisOutageLog(logger, describeRedisTarget(choice.target)).watch(redis);
  shutdown.add('connections', 'redis', () => redis.quit().catch(() => redis.disconnect()));
  const privateRedis = choice.privateRedis;
  if (privateRedis) shutdown.add('storage', 'private redis-server', () => privateRedis.stop());
  return redis;
}

export type Stores = {
  keys: RedisKeys;
  cipher: PersonalDataCipher;
  /** One secret names people everywhere (keys, referral and alert job ids): the CLI commands use the same one. */
  pseudonymSecret: string;
  subscriptions: RedisSubscriptions;
  broadcast: AlertBroadcast;
};

export function createStores(options: {
  config: Config;
  redis: Redis;
  shutdown: GracefulShutdown;
  logger: Logger;
}): Stores {
  const { config, redis, shutdown, logger } = options;
  const pseudonymSecret = config.KUNNAFONI_PSEUDONYM_SECRET ?? DEV_PSEUDONYM_SECRET;
  const keys = new RedisKeys(config.REDIS_PREFIX, pseudonymSecret);
  const cipher = new PersonalDataCipher(
    config.KUNNAFONI_DATA_KEY ? parseDataKeys(config.KUNNAFONI_DATA_KEY) : devDataKeys('development-only'),
  );
  if (!config.KUNNAFONI_DATA_KEY) logger.warn('KUNNAFONI_DATA_KEY is not set: personal data uses a development key');
  const subscriptions = new RedisSubscriptions(redis, keys, { pseudonymSecret, cipher });
  const broadcast = new AlertBroadcast(redis, keys, systemClock, { pseudonymSecret });
  shutdown.add('services', 'alert queues', () => broadcast.close());
  return { keys, cipher, pseudonymSecret, subscriptions, broadcast };
}

export type ConversationOptions = {
  config: Config;
  bundle: Bundle;
  redis: Redis;
  stores: Stores;
  shutdown: GracefulShutdown;
  logger: Logger;
  /** Where services send messages to people (staff replies, case updates): each channel registers on it. */
  outbox: Outbox;
  /** Staff told of new cases, reminders... (none: the staff console lists the cases). */
  notifiers?: readonly StaffNotifier[];
  /** Called after each input (metrics). */
  observe?: (chat: ChatRef, replies: number, seconds: number) => void;
  /** Called with the messages the runtime sent itself through the outbox (metrics). */
  observeSent?: (chat: ChatRef, messages: number) => void;
  /** More stores holding something about a person (a channel's held messages...), erased with "EFFACER". */
  erasers?: RuntimeDeps['erasers'];
  /** Approved recordings: 🔊 offered and voice notes sent where one exists (the terminal chat has none). */
  voices?: RuntimeDeps['voices'];
  /** Answers kept while Redis is down are sealed there (`<data dir>/held`), so a restart keeps them; absent: memory. */
  heldDir?: string;
  /** Files people send with their case are kept there, sealed (`<data dir>/attachments`); absent: not kept. */
  attachmentsDir?: string;
};

export type Conversation = {
  referrals: ReferralService;
  runtime: ServiceRuntime;
  /** The sessions the runtime reads (e.g. the terminal chat starts one in the language given by --lang). */
  sessions: SessionStore;
  /** False while Redis is known to be unreachable. */
  redisUp: () => boolean;
};

/** Referrals (with their worker) and the runtime over the chat state in Redis. */
export async function startConversation(options: ConversationOptions): Promise<Conversation> {
  const { config, bundle, redis, stores, shutdown, logger } = options;
  const { keys, cipher, pseudonymSecret, subscriptions } = stores;
  const notifiers = options.notifiers ?? [];
  let runtimeRef: ServiceRuntime | undefined;
  const referrals = createReferralService({
    redis,
    keys,
    cipher,
    partners: partnersFromContacts(bundle.content.contacts.values()),
    outbox: options.outbox,
    notifier: notifiers.length > 0 ? fanOut(...notifiers) : silentNotifier,
    clock: systemClock,
    logger,
    // A proposed transfer is asked through the person's conversation, so their answer is understood.
    prompter: personPrompter(() => runtimeRef, options.outbox),
    notices: noticePresenter(bundle.presenter),
    // The partners' audit log (views of personal data, claims, transfers, closes), read in the staff console.
    audit: new AuditLog(redis, keys, systemClock, { retentionDays: config.AUDIT_RETENTION_DAYS }),
    ...(options.attachmentsDir ? { attachmentsDir: options.attachmentsDir } : {}),
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

  // The chat's lock, session and effects journal together: lock + load in one round trip, then the compare-and-set
  // save with the journal. `sessions` reads and writes the same session records (e.g. `chat --lang` seeds one).
  const sessionTtlMs = config.SESSION_TTL_DAYS * 86_400_000;
  const sessions = new RedisSessionStore(redis, keys, cipher, sessionTtlMs);
  const chatState = new RedisChatState(redis, keys, cipher, { sessionTtlMs });
  const redisUp = trackAvailability(redis);
  const runtime = createRuntime({
    flows: bundle.flows,
    catalog: bundle.catalog,
    presenter: bundle.presenter,
    state: chatState,
    outbox: options.outbox,
    marks: new RedisDeliveryMarks(redis, keys),
    ...(options.heldDir ? { heldSpool: new DiskHeldSpool(options.heldDir, cipher, logger) } : {}),
    clock: systemClock,
    logger,
    referrals,
    subscriptions,
    flood: new RedisFloodGate(redis, keys, { maxPerWindow: config.FLOOD_MAX_PER_MINUTE, windowMs: 60_000 }),
    ...(options.observe ? { observe: options.observe } : {}),
    ...(options.observeSent ? { observeSent: options.observeSent } : {}),
    ...(options.erasers ? { erasers: options.erasers } : {}),
    ...(options.voices ? { voices: options.voices } : {}),
    // While Redis is known to be down, answer from memory at once instead of waiting for commands to time out.
    stateAvailable: redisUp,
  });
  runtimeRef = runtime;
  shutdown.add('drain', 'runtime', () => runtime.drain());
  return { referrals, runtime, sessions, redisUp };
}

/** Values texts use (how long data is kept), from the configuration. */
export function textParamsOf(config: Config): Record<string, string> {
  return { session_days: String(config.SESSION_TTL_DAYS), retention_days: String(config.REFERRAL_RETENTION_DAYS) };
}

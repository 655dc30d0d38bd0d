// The WhatsApp channel, composed: the connection (state machine on an injectable clock: lease, pairing, dead
// browser, backoff, bans; connection.ts), the message side (inbound.ts), the sending side (outbound.ts, pacing.ts),
// the kept pairing (session-auth.ts, redis-auth-store.ts) and a clean Chromium start (chromium-cleanup.ts).
// Chat ids are phone numbers: they never go into logs, notices or Redis key names.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { PersonalDataCipher } from '../../infra/crypto.ts';
import type { RedisKeys } from '../../infra/keys.ts';
import type { OutMessage } from '../../ports/out-message.ts';
import type { Outbox } from '../../ports/outbox.ts';
import { cleanStaleChromium } from './chromium-cleanup.ts';
import {
  buildClientOptions,
  loadWhatsAppLibrary,
  profileDir,
  realClientFactory,
  remoteAuthDataPath,
  type WaClientFactory,
  type WhatsAppLibrary,
} from './client.ts';
import { realClock, type WaClock } from './clock.ts';
import { WhatsAppConnection } from './connection.ts';
import { describeError } from './describe-error.ts';
import { HeldMessages } from './held-messages.ts';
import { type HandlesInput, type HoldsFiles, WhatsAppInbound } from './inbound.ts';
import { RedisWhatsAppLease, type WhatsAppLease } from './lease.ts';
import { WhatsAppOutbound } from './outbound.ts';
import { type TypingPause, WhatsAppPacer } from './pacing.ts';
import { RedisAuthStore } from './redis-auth-store.ts';
import { savesSession } from './session-auth.ts';
import type { WhatsAppNotice, WhatsAppState } from './states.ts';

export { describeError } from './describe-error.ts';
export type { HandlesInput } from './inbound.ts';
export { WhatsAppDeliveryDeferred, WhatsAppSendRefused } from './outbound.ts';
export { staffNoticeSender } from './staff-notices.ts';
export type { WhatsAppConnectionState, WhatsAppNotice, WhatsAppState } from './states.ts';

export type WhatsAppChannelOptions = {
  runtime: HandlesInput;
  redis: Redis;
  keys: RedisKeys;
  /** WHATSAPP_CHROMIUM_PATH. */
  chromiumPath: string;
  /** More Chromium flags (a proxy, for instance). */
  extraChromiumArgs?: string[];
  /** WhatsApp's folder inside the data folder. */
  dataDir: string;
  /** WHATSAPP_AUTH: session on disk (default) or in Redis. */
  auth: 'local' | 'remote';
  /** WHATSAPP_PAIRING_PHONE: pair by code typed on this phone instead of scanning a QR code. */
  pairingPhone?: string;
  /** WHATSAPP_MAX_PER_MINUTE: global outbound cap. */
  maxPerMinute?: number;
  minGapMs?: number;
  replyWindowMs?: number;
  notifyStaff?: (notice: WhatsAppNotice) => void | Promise<void>;
  logger: Logger;
  /** Keeps the files people send (voice notes, photos...) for their case; absent: only references. */
  attachments?: HoldsFiles;
  /** Seals the RemoteAuth session and held messages in Redis; without it, nothing is held for later. */
  cipher?: PersonalDataCipher;
  /** Tests inject a fake Client here; the default builds whatsapp-web.js's Client. */
  clientFactory?: WaClientFactory;
  /** Draws the QR code for the operator; default: qrcode-terminal on stdout. */
  showQr?: (qr: string) => void;
  /** Shows the pairing code for the operator; default: stdout. */
  showPairingCode?: (code: string) => void;
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** A start that shows no QR code, no session progress and no "ready" within this time is abandoned and retried. */
  startTimeoutMs?: number;
  /** How often a ready client is asked for WhatsApp's state (a dead browser does not answer). */
  probeIntervalMs?: number;
  /** Staff are told when WhatsApp stays down longer than this (default 10 minutes). */
  downNoticeMs?: number;
  /** Least time between any two sends, all chats together. */
  globalGapMs?: number;
  /** "typing…" pause before each message, scaled to its length. */
  typing?: Partial<TypingPause>;
  /** In [0, 1): the little randomness of the typing pause; tests give a constant. */
  random?: () => number;
  /** Time; tests move it by hand. */
  clock?: WaClock;
  /** One process per number; default: a lease in Redis. */
  lease?: WhatsAppLease;
  /** Ends Chromium left on the profile by an earlier run and removes its locks; default true. */
  cleanStaleChromium?: boolean;
  /** The text sent after declining a call. */
  callReply?: OutMessage;
  /** How long a reply waits for the connection to come back before it is dropped. */
  sendWaitMs?: number;
  splitAt?: number;
};

export type WhatsAppChannel = Outbox & {
  /** Starts the client in the background; never throws (failures are logged, told to staff and retried). */
  start(): Promise<void>;
  /** Stops reconnecting, lets answers in progress finish (bounded), saves the session and closes Chromium. */
  stop(): Promise<void>;
  /** An administrator's "try again" after a ban, a library update or a long outage. */
  retry(): Promise<void>;
  getState(): WhatsAppState;
  /** Calls `listener` on every state change; returns the unsubscribe function. */
  onStateChange(listener: (state: WhatsAppState) => void): () => void;
};

function defaultShowQr(qr: string): void {
  void import('qrcode-terminal').then(({ default: qrcode }) => {
    process.stdout.write('WhatsApp: scan this code with the phone (Linked devices > Link a device):\n');
    qrcode.generate(qr, { small: true });
  });
}

function defaultShowPairingCode(code: string): void {
  process.stdout.write(`WhatsApp: on the phone, Linked devices > Link with phone number, enter: ${code}\n`);
}

export function createWhatsAppChannel(options: WhatsAppChannelOptions): WhatsAppChannel {
  const { runtime, redis, keys, logger } = options;
  const log = logger.child({ channel: 'whatsapp' });
  const clock = options.clock ?? realClock;
  let lib: WhatsAppLibrary | null = null;

  function notify(notice: WhatsAppNotice): void {
    if (!options.notifyStaff) return;
    const failed = (error: unknown) =>
      log.warn({ error: describeError(error), kind: notice.kind }, 'staff notice failed');
    try {
      const pending = options.notifyStaff(notice);
      if (pending) pending.catch(failed);
    } catch (error) {
      failed(error);
    }
  }

  const connection: WhatsAppConnection = new WhatsAppConnection({
    clock,
    log,
    notify,
    showQr: options.showQr ?? defaultShowQr,
    showPairingCode: options.showPairingCode ?? defaultShowPairingCode,
    lease: options.lease ?? new RedisWhatsAppLease(redis, keys),
    ...(options.reconnect?.initialDelayMs !== undefined ? { initialDelayMs: options.reconnect.initialDelayMs } : {}),
    ...(options.reconnect?.maxDelayMs !== undefined ? { maxDelayMs: options.reconnect.maxDelayMs } : {}),
    ...(options.startTimeoutMs !== undefined ? { startTimeoutMs: options.startTimeoutMs } : {}),
    ...(options.probeIntervalMs !== undefined ? { probeIntervalMs: options.probeIntervalMs } : {}),
    ...(options.downNoticeMs !== undefined ? { downNoticeMs: options.downNoticeMs } : {}),
    beforeStart: async () => {
      if (options.cleanStaleChromium === false) return;
      try {
        const report = await cleanStaleChromium(profileDir(options.dataDir, options.auth));
        if (report.ended > 0 || report.locksRemoved > 0) log.warn(report, 'whatsapp: cleaned up after an earlier run');
      } catch (error) {
        log.warn({ error: describeError(error) }, 'whatsapp: could not clean up after an earlier run');
      }
    },
    createClient: async () => {
      lib ??= await loadWhatsAppLibrary();
      const store =
        options.auth === 'remote'
          ? new RedisAuthStore(redis, keys, remoteAuthDataPath(options.dataDir), options.cipher)
          : undefined;
      const clientOptions = buildClientOptions(lib, {
        chromiumPath: options.chromiumPath,
        extraChromiumArgs: options.extraChromiumArgs,
        dataDir: options.dataDir,
        auth: options.auth,
        store,
        pairingPhone: options.pairingPhone,
      });
      return (options.clientFactory ?? realClientFactory(lib))(clientOptions);
    },
    // A last save of the RemoteAuth session, so a restart does not depend on the last periodic backup.
    beforeClose: async (client) => {
      const strategy = client.options?.authStrategy;
      if (savesSession(strategy) && (await strategy.saveNow())) log.info('whatsapp session saved');
    },
    onClient: (client) => inbound.attach(client),
  });

  const pacer = new WhatsAppPacer({
    redis,
    keys,
    clock,
    minGapMs: options.minGapMs,
    maxPerMinute: options.maxPerMinute,
    replyWindowMs: options.replyWindowMs,
    ...(options.globalGapMs !== undefined ? { globalGapMs: options.globalGapMs } : {}),
    ...(options.typing ? { typing: options.typing } : {}),
    ...(options.random ? { random: options.random } : {}),
  });
  const outbound = new WhatsAppOutbound({
    connection,
    pacer,
    library: () => lib,
    held: options.cipher ? new HeldMessages(redis, keys, options.cipher) : null,
    log,
    sendWaitMs: options.sendWaitMs ?? 120_000,
    ...(options.splitAt !== undefined ? { splitAt: options.splitAt } : {}),
  });
  const inbound = new WhatsAppInbound({
    runtime,
    redis,
    keys,
    log,
    connection,
    pacer,
    outbound,
    ...(options.callReply ? { callReply: options.callReply } : {}),
    ...(options.attachments ? { attachments: options.attachments } : {}),
  });

  return {
    start: () => connection.start(),
    // Answers in progress get a moment to go out; new ones are refused by whenReady.
    stop: () => connection.stop(() => Promise.all([inbound.idle(), pacer.idle()])),
    retry: () => connection.retry(),
    getState: () => connection.getState(),
    onStateChange: (listener) => connection.onStateChange(listener),
    send: (chat, messages, progress) => outbound.send(chat, messages, progress),
  };
}

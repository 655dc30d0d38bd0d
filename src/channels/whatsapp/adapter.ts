// The WhatsApp channel: runs a whatsapp-web.js client, turns people's messages into runtime inputs (in order per
// chat, each once), sends the replies at a ban-safe pace, and keeps the connection alive: QR or code pairing,
// staff told of outages, reconnection with exponential backoff, Chromium closed on stop.
// Chat ids are phone numbers: they never go into logs, notices or Redis key names beyond the session schema.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { MessageMedia } from 'whatsapp-web.js';
import type { Input } from '../../engine/types.ts';
import type { PersonalDataCipher } from '../../infra/crypto.ts';
import type { RedisKeys } from '../../infra/keys.ts';
import type { ChatRef } from '../../ports/chat.ts';
import type { OutMessage } from '../../ports/out-message.ts';
import type { Outbox } from '../../ports/outbox.ts';
import type { ChannelCapabilities } from '../../runtime/capabilities.ts';
import type { InputMeta } from '../../runtime/runtime.ts';
import {
  buildClientOptions,
  loadWhatsAppLibrary,
  realClientFactory,
  remoteAuthDataPath,
  type WaClient,
  type WaClientFactory,
  type WhatsAppLibrary,
} from './client.ts';
import { type Delivery, WhatsAppPacer } from './pacing.ts';
import { isIgnored, type ParsedWhatsAppMessage, parseWhatsAppMessage, type WaIncomingMessage } from './parse.ts';
import { RedisAuthStore } from './redis-auth-store.ts';
import { renderForWhatsApp, type WaOutgoing, WHATSAPP_SPLIT_AT } from './render.ts';

/** WhatsApp Web has no working buttons any more: numbered menus; voice notes work. */
const WHATSAPP_CAPABILITIES: ChannelCapabilities = { buttons: false, maxText: WHATSAPP_SPLIT_AT, voice: true };

/** What the channel needs from the runtime (src/runtime/runtime.ts's `Runtime` has this shape). */
export type HandlesInput = {
  handle(chat: ChatRef, input: Input, meta?: InputMeta): Promise<OutMessage[]>;
};

export type WhatsAppConnectionState = 'starting' | 'qr' | 'ready' | 'disconnected' | 'failed';

export type WhatsAppState = {
  state: WhatsAppConnectionState;
  /** The QR code to scan (text to draw as a QR image), while pairing by QR. */
  qr?: string;
  /** The code to type on the phone, while pairing by phone number. */
  pairingCode?: string;
  /** Why the last outage happened (a WhatsApp state name such as CONFLICT, or a short error), no personal data. */
  reason?: string;
  /** Milliseconds since epoch when this state began. */
  since: number;
};

/** Something staff should know about the WhatsApp connection (for the staff console and the staff group). */
export type WhatsAppNotice = {
  kind: 'pairing_needed' | 'start_failed' | 'disconnected' | 'auth_failure' | 'blocked' | 'reconnected';
  /** One English sentence for staff; `kind` lets the staff side translate. */
  text: string;
  reason?: string;
};

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
  /** Seals the RemoteAuth session in Redis (it holds the linked device's keys). */
  cipher?: PersonalDataCipher;
  /** Tests inject a fake Client here; the default builds whatsapp-web.js's Client. */
  clientFactory?: WaClientFactory;
  /** Draws the QR code for the operator; default: qrcode-terminal on stdout. */
  showQr?: (qr: string) => void;
  /** Shows the pairing code for the operator; default: stdout. */
  showPairingCode?: (code: string) => void;
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** A start that shows neither QR nor "ready" within this time is abandoned and retried. */
  startTimeoutMs?: number;
  /** How long a reply waits for the connection to come back before it is dropped. */
  sendWaitMs?: number;
  splitAt?: number;
};

export type WhatsAppChannel = Outbox & {
  /** Starts the client in the background; never throws (failures are logged, told to staff and retried). */
  start(): Promise<void>;
  /** Stops reconnecting, lets answers in progress finish (bounded) and closes Chromium. */
  stop(): Promise<void>;
  getState(): WhatsAppState;
  /** Calls `listener` on every state change; returns the unsubscribe function. */
  onStateChange(listener: (state: WhatsAppState) => void): () => void;
};

/** Thrown by `send` when WhatsApp must not be written to (the person did not write within the reply window). */
export class WhatsAppSendRefused extends Error {
  constructor(readonly reason: 'not-a-person' | 'did-not-write-first') {
    super(`WhatsApp send refused: ${reason}`);
    this.name = 'WhatsAppSendRefused';
  }
}

const SEEN_TTL_SECONDS = 3 * 24 * 60 * 60;
const STOP_GRACE_MS = 5_000;

const BLOCK_STATES = new Set(['TOS_BLOCK', 'SMB_TOS_BLOCK', 'PROXYBLOCK', 'DEPRECATED_VERSION']);

/** A short error description without personal data: long digit runs (phone numbers) and chat ids removed. */
export function describeError(error: unknown): string {
  const raw =
    error instanceof Error ? `${error.name}: ${error.message}` : typeof error === 'string' ? error : 'unknown error';
  return raw
    .replace(/\S+@(?:c\.us|lid|g\.us|s\.whatsapp\.net|broadcast|newsletter)\b/g, '[chat]')
    .replace(/\+?\d[\d ]{5,}\d/g, '[number]')
    .slice(0, 200);
}

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
  const pacer = new WhatsAppPacer({
    redis,
    keys,
    minGapMs: options.minGapMs,
    maxPerMinute: options.maxPerMinute,
    replyWindowMs: options.replyWindowMs,
  });
  const initialDelayMs = options.reconnect?.initialDelayMs ?? 2_000;
  const maxDelayMs = options.reconnect?.maxDelayMs ?? 5 * 60_000;
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;
  const sendWaitMs = options.sendWaitMs ?? 120_000;
  const showQr = options.showQr ?? defaultShowQr;
  const showPairingCode = options.showPairingCode ?? defaultShowPairingCode;

  let lib: WhatsAppLibrary | null = null;
  let client: WaClient | null = null;
  /** Incremented per client, so late events of a replaced client cannot change the state. */
  let generation = 0;
  /** The generation whose client already failed or disconnected: its later events are echoes of the same end. */
  let endedGeneration = -1;
  let attempt = 0;
  let stopped = false;
  let initializing: Promise<void> | null = null;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let watchdog: NodeJS.Timeout | null = null;
  /** Staff were told about an outage and have not yet been told it is over. */
  let inOutage = false;
  let pairingNoticeSent = false;
  let ownId: string | undefined;
  let state: WhatsAppState = { state: 'disconnected', since: Date.now() };
  const listeners = new Set<(state: WhatsAppState) => void>();
  /** Tail of each chat's incoming work: one message is handled and answered before the next one starts. */
  const inbound = new Map<string, Promise<void>>();

  function setState(next: Omit<WhatsAppState, 'since'>): void {
    state = { ...next, since: Date.now() };
    for (const listener of listeners) {
      try {
        listener(state);
      } catch (error) {
        log.warn({ error: describeError(error) }, 'whatsapp state listener failed');
      }
    }
  }

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

  /** Tells staff about an outage once, however many retries follow. */
  function reportOutage(notice: WhatsAppNotice): void {
    if (inOutage) return;
    inOutage = true;
    notify(notice);
  }

  function clearWatchdog(): void {
    if (watchdog) clearTimeout(watchdog);
    watchdog = null;
  }

  async function destroyClient(c: WaClient | null): Promise<void> {
    if (!c) return;
    try {
      await c.destroy();
    } catch (error) {
      log.warn({ error: describeError(error) }, 'whatsapp client did not close cleanly');
    }
  }

  function scheduleReconnect(): void {
    if (stopped || reconnectTimer) return;
    const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** attempt);
    attempt++;
    log.info({ attempt, delayMs: delay }, 'whatsapp reconnecting after a pause');
    const old = client;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      // The library closes its own browser after most disconnects; closing again here is harmless and covers the
      // rest. Done after the pause so the two closings never race.
      void destroyClient(old).then(() => connect());
    }, delay);
  }

  const isCurrent = (gen: number) => gen === generation && gen !== endedGeneration && !stopped;

  function fail(gen: number, kind: 'start_failed' | 'auth_failure', error: unknown): void {
    if (!isCurrent(gen)) return;
    endedGeneration = gen;
    clearWatchdog();
    const reason = describeError(error);
    if (inOutage) log.warn({ kind, reason, attempt }, 'whatsapp still not connected');
    else log.error({ kind, reason }, 'whatsapp connection failed');
    setState({ state: 'failed', reason });
    reportOutage({
      kind,
      reason,
      text:
        kind === 'auth_failure'
          ? 'WhatsApp rejected the saved session: pair the bot again (QR code in the staff console).'
          : 'WhatsApp could not start; retrying with increasing pauses.',
    });
    const c = client;
    // After a failed start the library leaves Chromium open: close it now.
    if (kind === 'start_failed') void destroyClient(c);
    scheduleReconnect();
  }

  function wire(c: WaClient, gen: number): void {
    const current = () => isCurrent(gen);
    c.on('qr', (qr) => {
      if (!current()) return;
      clearWatchdog();
      setState({ state: 'qr', qr });
      showQr(qr);
      if (!pairingNoticeSent) {
        pairingNoticeSent = true;
        log.info('whatsapp needs pairing: scan the QR code');
        notify({ kind: 'pairing_needed', text: 'WhatsApp needs pairing: scan the QR code in the staff console.' });
      }
    });
    c.on('code', (code) => {
      if (!current()) return;
      clearWatchdog();
      setState({ state: 'qr', pairingCode: code });
      showPairingCode(code);
      if (!pairingNoticeSent) {
        pairingNoticeSent = true;
        log.info('whatsapp needs pairing: enter the pairing code on the phone');
        notify({ kind: 'pairing_needed', text: 'WhatsApp needs pairing: enter the code shown in the staff console.' });
      }
    });
    c.on('ready', () => {
      if (!current()) return;
      clearWatchdog();
      attempt = 0;
      pairingNoticeSent = false;
      ownId = c.info?.wid?._serialized;
      setState({ state: 'ready' });
      log.info('whatsapp ready');
      if (inOutage) {
        inOutage = false;
        notify({ kind: 'reconnected', text: 'WhatsApp is connected again.' });
      }
    });
    c.on('auth_failure', () => {
      // The payload is the auth strategy's message; not logged in case it carries account details.
      fail(gen, 'auth_failure', 'authentication failure');
    });
    c.on('change_state', (waState) => {
      if (!current()) return;
      log.info({ waState }, 'whatsapp state changed');
      if (BLOCK_STATES.has(waState)) {
        log.error({ waState }, 'whatsapp blocked this session');
        reportOutage({
          kind: 'blocked',
          reason: waState,
          text: `WhatsApp refused the session (${waState}); check the phone and the number's status.`,
        });
      }
    });
    c.on('disconnected', (reason) => {
      if (!current()) return;
      endedGeneration = gen;
      clearWatchdog();
      const why = describeError(String(reason));
      log.warn({ reason: why }, 'whatsapp disconnected');
      setState({ state: 'disconnected', reason: why });
      reportOutage({ kind: 'disconnected', reason: why, text: `WhatsApp disconnected (${why}); reconnecting.` });
      scheduleReconnect();
    });
    c.on('message', (message) => onMessage(message));
  }

  async function connect(): Promise<void> {
    if (stopped) return;
    const gen = ++generation;
    setState({ state: 'starting' });
    let c: WaClient;
    try {
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
      c = (options.clientFactory ?? realClientFactory(lib))(clientOptions);
    } catch (error) {
      fail(gen, 'start_failed', error);
      return;
    }
    if (stopped || gen !== generation) {
      await destroyClient(c);
      return;
    }
    client = c;
    wire(c, gen);
    const timeout = new Error('no QR code or session within the start timeout');
    watchdog = setTimeout(() => fail(gen, 'start_failed', timeout), startTimeoutMs);
    // Not awaited: the real initialize() takes seconds (page load), and the outcome arrives as events anyway.
    initializing = c.initialize().then(
      () => undefined,
      (error: unknown) => fail(gen, 'start_failed', error),
    );
  }

  function onMessage(message: WaIncomingMessage): void {
    if (stopped) return;
    let parsed: ReturnType<typeof parseWhatsAppMessage>;
    try {
      parsed = parseWhatsAppMessage(message, ownId);
    } catch (error) {
      log.warn({ error: describeError(error) }, 'whatsapp message could not be read');
      return;
    }
    if (isIgnored(parsed)) {
      log.debug({ reason: parsed.ignored, type: message.type }, 'whatsapp message ignored');
      return;
    }
    const chatId = parsed.chat.id;
    const previous = inbound.get(chatId) ?? Promise.resolve();
    const tail = previous
      .then(() => handleMessage(parsed))
      .catch((error) => {
        log.error({ error: describeError(error) }, 'whatsapp message handling failed');
      });
    inbound.set(chatId, tail);
    void tail.then(() => {
      if (inbound.get(chatId) === tail) inbound.delete(chatId);
    });
  }

  /** True the first time a message id is seen (a reconnect may deliver a message again). */
  async function firstDelivery(messageId: string): Promise<boolean> {
    const digest = createHash('sha256').update(messageId).digest('base64url').slice(0, 22);
    try {
      const set = await redis.set(keys.key('wa', 'seen', digest), '1', 'EX', SEEN_TTL_SECONDS, 'NX');
      return set === 'OK';
    } catch (error) {
      // Better to risk answering twice than not at all.
      log.warn({ error: describeError(error) }, 'whatsapp de-duplication unavailable');
      return true;
    }
  }

  async function handleMessage(parsed: ParsedWhatsAppMessage): Promise<void> {
    if (!(await firstDelivery(parsed.messageId))) {
      log.debug({ kind: parsed.input.kind }, 'whatsapp message already handled');
      return;
    }
    if (!(await pacer.noteInbound(parsed.chat.id))) log.warn('whatsapp reply window not recorded in redis');
    const reply = await runtime.handle(parsed.chat, parsed.input, { capabilities: WHATSAPP_CAPABILITIES });
    const delivery = await deliver(parsed.chat.id, reply);
    logDelivery(delivery, parsed.input.kind);
  }

  function logDelivery(delivery: Delivery, inputKind: string): void {
    if (delivery.status === 'sent') log.debug({ inputKind, sent: delivery.sent }, 'whatsapp reply sent');
    else if (delivery.status === 'refused') log.warn({ reason: delivery.reason }, 'whatsapp reply refused');
    else log.error({ sent: delivery.sent, error: describeError(delivery.error) }, 'whatsapp reply failed');
  }

  type Sendable = { kind: 'text'; text: string } | { kind: 'voice'; media: MessageMedia };

  /** Loads voice notes before pacing starts; a missing audio file costs the voice note, never the text. */
  function prepare(parts: WaOutgoing[]): Sendable[] {
    const out: Sendable[] = [];
    for (const part of parts) {
      if (part.kind === 'text') {
        out.push(part);
        continue;
      }
      try {
        if (!lib) throw new Error('library not loaded');
        out.push({ kind: 'voice', media: lib.MessageMedia.fromFilePath(part.path) });
      } catch (error) {
        log.warn({ error: describeError(error) }, 'whatsapp voice note skipped');
      }
    }
    return out;
  }

  function deliver(chatId: string, messages: OutMessage[]): Promise<Delivery> {
    const parts = prepare(renderForWhatsApp(messages, options.splitAt));
    if (parts.length === 0) return Promise.resolve({ status: 'sent', sent: 0 });
    return pacer.deliver(chatId, parts, {
      send: async (part) => {
        if (!(await whenReady(sendWaitMs)) || !client) throw new Error('WhatsApp is not connected');
        if (part.kind === 'text') await client.sendMessage(chatId, part.text);
        else await client.sendMessage(chatId, part.media, { sendAudioAsVoice: true });
      },
      typing: async () => {
        if (state.state !== 'ready' || !client) return;
        await (await client.getChatById(chatId)).sendStateTyping();
      },
    });
  }

  function whenReady(timeoutMs: number): Promise<boolean> {
    if (state.state === 'ready') return Promise.resolve(true);
    if (stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        unsubscribe();
        resolve(false);
      }, timeoutMs);
      const unsubscribe = onStateChange((s) => {
        if (s.state !== 'ready' && !stopped) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(s.state === 'ready');
      });
    });
  }

  function onStateChange(listener: (state: WhatsAppState) => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  async function settle(work: Promise<unknown>, ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  return {
    async start() {
      // Once only: later connections are the reconnect timer's job.
      if (stopped || generation > 0) return;
      await connect();
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      clearWatchdog();
      // Answers in progress get a moment to go out; new ones are refused by whenReady.
      await settle(Promise.all([...inbound.values(), pacer.idle()]), STOP_GRACE_MS);
      const c = client;
      client = null;
      await destroyClient(c);
      // A start still launching Chromium may only now have a browser to close.
      if (initializing) {
        await settle(initializing, STOP_GRACE_MS);
        await destroyClient(c);
      }
      setState({ state: 'disconnected', reason: 'stopped' });
      log.info('whatsapp stopped');
    },

    getState: () => ({ ...state }),

    onStateChange,

    async send(chat, messages) {
      if (chat.channel !== 'whatsapp') throw new Error(`not a WhatsApp chat: ${chat.channel}`);
      const delivery = await deliver(chat.id, messages);
      if (delivery.status === 'refused') throw new WhatsAppSendRefused(delivery.reason);
      if (delivery.status === 'failed') throw new Error(`WhatsApp send failed: ${describeError(delivery.error)}`);
    },
  };
}

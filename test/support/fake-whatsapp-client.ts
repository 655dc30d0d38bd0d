// A stand-in for whatsapp-web.js 1.34.7's Client at the library boundary: same methods and events, no browser.
// It records what the bot sends and lets a test play the WhatsApp side (pairing, messages, calls, outages).
// It uses the auth strategy it is given exactly as the real Client does, so tests that build the channel's real
// RemoteAuth/LocalAuth see the library's own session handling.
//
// Each behaviour below is the real library's (node_modules/whatsapp-web.js/src/...), and a test covers it:
//
// | real behaviour                                                        | library source                                   | test |
// |-----------------------------------------------------------------------|--------------------------------------------------|------|
// | constructor calls `authStrategy.setup(this)`                          | Client.js constructor (`this.authStrategy.setup`) | session.test.ts |
// | initialize(): beforeBrowserInitialized, Chromium launch, pupBrowser,  | Client.js initialize() (442-480)                 | lifecycle.test.ts (slow restore) |
// |   afterBrowserInitialized, then page load: it takes time              |                                                  |      |
// | initialize() rejects with an Error (launch) or a string ('auth        | Client.js inject(): `throw 'auth timeout'`;      | restart.test.ts |
// |   timeout', 'ready timeout')                                          |   puppeteer launch errors                        |      |
// | `authenticated` then `ready`; afterAuthReady() not awaited            | Client.js onAppStateHasSyncedEvent (300-376)     | connection.test.ts, session.test.ts |
// | `loading_screen` (percent, 'WhatsApp') while restoring                | Client.js onOfflineProgressUpdateEvent (386)     | lifecycle.test.ts (slow restore) |
// | `change_state`; then for states not in CONNECTED/OPENING/PAIRING/     | Client.js onAppStateChangedEvent (822-855)       | session.test.ts, lifecycle.test.ts |
// |   TIMEOUT: `await authStrategy.disconnect()`, `disconnected`, destroy |                                                  |      |
// | RemoteAuth.disconnect() deletes the stored session                    | authStrategies/RemoteAuth.js disconnect()        | session.test.ts |
// | LOGOUT: `disconnected('LOGOUT')`, authStrategy.logout(), strategy set | Client.js framenavigated handler (495-502)       | session.test.ts, lifecycle.test.ts |
// |   up again; the client stays (a new QR follows)                       |                                                  |      |
// | getChatById() resolves undefined for an unknown chat                  | Client.js getChatById (1693-1698)                | messages.test.ts (dropped send) |
// | sendMessage() resolves undefined, no error, for an unknown chat       | Client.js sendMessage (`if (!chat) return null`) | messages.test.ts (dropped send) |
// | own messages: `message_create` only, never `message`                  | Client.js onAddMessageEvent (`if (msg.id.fromMe) return`) | messages.test.ts |
// | a media message's caption is its `body`; hasMedia from directPath     | structures/Message.js (49-57)                    | messages.test.ts |
// | downloadMedia(): undefined without media, else MessageMedia (mimetype, | structures/Message.js downloadMedia (513-597)    | attachments.test.ts |
// |   base64 data, filename)                                              |                                                  |      |
// | getState() reads the page; after Chromium died every page call        | Client.js getState (1975); puppeteer             | lifecycle.test.ts (dead browser) |
// |   rejects ("Session closed"), the browser emits `disconnected`        |                                                  |      |
// | destroy(): closes the browser if connected, then authStrategy.destroy | Client.js destroy (1277-1284)                    | connection.test.ts, lifecycle.test.ts |
// | `incoming_call` with a Call whose reject() declines it                | Client.js onIncomingCall, structures/Call.js     | messages.test.ts |
// | getContactLidAndPhone([id]) -> [{ lid, pn }]                          | Client.js getContactLidAndPhone (3307)           | messages.test.ts |
import { EventEmitter } from 'node:events';
import type { ClientOptions } from 'whatsapp-web.js';
import type { WaCall, WaChat, WaClient, WaSendOptions } from '../../src/channels/whatsapp/client.ts';
import type { WaIncomingMessage } from '../../src/channels/whatsapp/parse.ts';

export type SentRecord = { chatId: string; content: unknown; options?: WaSendOptions; at: number };
export type TypingRecord = { chatId: string; at: number };

export const BOT_ID = '22300000001@c.us';

/** whatsapp-web.js's ACCEPTED_STATES (Client.js): the client keeps running in these. */
const ACCEPTED = new Set(['CONNECTED', 'OPENING', 'PAIRING', 'TIMEOUT']);

/** puppeteer's error once the browser is gone. */
export const SESSION_CLOSED =
  'Protocol error (Runtime.callFunctionOn): Session closed. Most likely the page has been closed.';

let messageCounter = 0;

/** An incoming message as the library would emit it; `from` defaults to a person's private chat. */
export function waMessage(
  from: string,
  fields: Partial<WaIncomingMessage> & { body?: string; file?: WaFile } = {},
): WaIncomingMessage {
  const id = fields.id?.id ?? `3EB0${(++messageCounter).toString(16).toUpperCase().padStart(16, '0')}`;
  const { file, ...rest } = fields;
  const hasMedia = rest.hasMedia ?? false;
  return {
    // Message.js downloadMedia: undefined without media (or once WhatsApp no longer has it), else a MessageMedia.
    downloadMedia: async () =>
      hasMedia && file
        ? { mimetype: file.mimetype, data: file.bytes.toString('base64'), filename: file.filename ?? null }
        : undefined,
    type: 'chat',
    body: '',
    fromMe: false,
    isStatus: false,
    broadcast: false,
    hasMedia: false,
    ...rest,
    from,
    id: { id, fromMe: fields.fromMe ?? false, _serialized: `${fields.fromMe ? 'true' : 'false'}_${from}_${id}` },
  };
}

/** A file as downloadMedia gives it (MessageMedia: mimetype, base64 data, filename). */
export type WaFile = { mimetype: string; bytes: Buffer; filename?: string };

const SAMPLE_FILES: Record<string, WaFile> = {
  image: { mimetype: 'image/jpeg', bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46]) },
  ptt: { mimetype: 'audio/ogg; codecs=opus', bytes: Buffer.from('OggS\0\x02sample-voice-note') },
  document: { mimetype: 'application/pdf', bytes: Buffer.from('%PDF-1.4 sample'), filename: 'convocation.pdf' },
};

/**
 * A photo, video, voice note or document as the library builds it: `hasMedia`, the caption (maybe empty) in `body`,
 * and its file for downloadMedia (a small sample of the type unless given).
 */
export function waMedia(from: string, type: string, caption = '', file?: WaFile): WaIncomingMessage {
  const sample = file ?? SAMPLE_FILES[type] ?? { mimetype: 'application/octet-stream', bytes: Buffer.from('file') };
  return waMessage(from, { type, hasMedia: true, body: caption, file: sample });
}

type Strategy = {
  setup?(client: unknown): void;
  beforeBrowserInitialized?(): Promise<void>;
  afterBrowserInitialized?(): Promise<void>;
  afterAuthReady?(): Promise<void>;
  disconnect?(): Promise<void>;
  logout?(): Promise<void>;
  destroy?(): Promise<void>;
};

/** puppeteer's Browser as far as the channel sees it. */
export class FakeBrowser extends EventEmitter {
  connected = true;
  isConnected(): boolean {
    return this.connected;
  }
  async close(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    this.emit('disconnected');
  }
  /** Chromium crashed or was killed: puppeteer emits `disconnected`, nothing else happens. */
  crash(): void {
    this.connected = false;
    this.emit('disconnected');
  }
}

export class FakeCall implements WaCall {
  rejected = false;
  fromMe = false;
  isGroup = false;
  constructor(readonly from: string) {}
  async reject(): Promise<void> {
    this.rejected = true;
  }
}

export class FakeWhatsAppClient extends EventEmitter implements WaClient {
  info: { wid: { _serialized: string } } | null = null;
  pupBrowser: FakeBrowser | null = null;
  readonly sent: SentRecord[] = [];
  readonly typing: TypingRecord[] = [];
  readonly pairingRequests: string[] = [];
  /** Chats WhatsApp Web knows: everyone who wrote, plus these. */
  readonly knownChats = new Set<string>();
  /** What getContactLidAndPhone answers, by id. */
  readonly lidPairs = new Map<string, { lid: string; pn: string }>();
  initializeCalls = 0;
  destroyCalls = 0;
  destroyed = false;
  /** WhatsApp Web's socket state, as getState() reads it. */
  waState: string | null = null;
  /** When set, initialize() rejects with it: an Error at Chromium's launch, a string (e.g. 'auth timeout') after. */
  failInitialize: unknown = null;
  /** When set, sendMessage() rejects with it. */
  failSend: unknown = null;
  /** Resolves once initialize() has finished (the page is loaded and injected). */
  readonly initialized: Promise<void>;
  private markInitialized!: () => void;
  private launchGate: Promise<void> | null = null;
  private clock: () => number;

  constructor(
    readonly options: ClientOptions,
    now: () => number = () => Date.now(),
  ) {
    super();
    this.clock = now;
    this.initialized = new Promise((resolve) => (this.markInitialized = resolve));
    this.strategy()?.setup?.(this);
  }

  private strategy(): Strategy | undefined {
    return this.options.authStrategy as Strategy | undefined;
  }

  /** Makes the next initialize() wait at the browser launch until the returned function is called. */
  holdLaunch(): () => void {
    let release!: () => void;
    this.launchGate = new Promise((resolve) => (release = resolve));
    return release;
  }

  async initialize(): Promise<void> {
    this.initializeCalls++;
    await this.strategy()?.beforeBrowserInitialized?.();
    // Launching Chromium and loading WhatsApp Web take time: never within the caller's turn.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.launchGate) await this.launchGate;
    if (this.failInitialize instanceof Error) throw this.failInitialize;
    this.pupBrowser = new FakeBrowser();
    await this.strategy()?.afterBrowserInitialized?.();
    await new Promise((resolve) => setImmediate(resolve));
    if (this.failInitialize !== null) throw this.failInitialize;
    this.markInitialized();
  }

  private page(): void {
    if (!this.pupBrowser) throw new TypeError("Cannot read properties of null (reading 'evaluate')");
    if (!this.pupBrowser.connected) throw new Error(SESSION_CLOSED);
  }

  async sendMessage(chatId: string, content: unknown, options?: WaSendOptions): Promise<unknown> {
    this.page();
    if (this.failSend) throw this.failSend;
    if (!this.knownChats.has(chatId)) return undefined;
    this.sent.push({ chatId, content, options, at: this.clock() });
    return { id: { _serialized: `true_${chatId}_${this.sent.length}` } };
  }

  async getChatById(chatId: string): Promise<WaChat | undefined> {
    this.page();
    if (!this.knownChats.has(chatId)) return undefined;
    return {
      sendStateTyping: async () => {
        this.typing.push({ chatId, at: this.clock() });
        return true;
      },
    };
  }

  async getState(): Promise<string | null> {
    this.page();
    return this.waState;
  }

  async getContactLidAndPhone(userIds: string[]): Promise<{ lid?: string; pn?: string }[]> {
    this.page();
    return userIds.map((id) => this.lidPairs.get(id) ?? { lid: undefined, pn: undefined });
  }

  async requestPairingCode(phoneNumber: string): Promise<string> {
    this.pairingRequests.push(phoneNumber);
    const code = 'KFNA4321';
    this.emit('code', code);
    return code;
  }

  async destroy(): Promise<void> {
    this.destroyCalls++;
    this.destroyed = true;
    if (this.pupBrowser?.isConnected()) await this.pupBrowser.close();
    await this.strategy()?.destroy?.();
  }

  // --- the WhatsApp side, driven by tests ---

  showQr(qr = '2@fakeQrReference,abc,def,ghi'): void {
    this.emit('qr', qr);
  }

  /** A saved session being restored: `loading_screen` with a percentage. */
  loading(percent: number): void {
    this.emit('loading_screen', percent, 'WhatsApp');
  }

  authenticate(): void {
    this.emit('authenticated');
  }

  becomeReady(): void {
    this.info = { wid: { _serialized: BOT_ID } };
    this.waState = 'CONNECTED';
    this.emit('authenticated');
    this.emit('ready');
    void this.strategy()?.afterAuthReady?.();
  }

  /** WhatsApp Web's socket changes state, with everything the library does after it. */
  async changeState(state: string): Promise<void> {
    this.waState = state;
    this.emit('change_state', state);
    if (ACCEPTED.has(state)) return;
    await this.strategy()?.disconnect?.();
    this.emit('disconnected', state);
    void this.destroy();
  }

  /** The phone removed the linked device (Linked devices > Log out). */
  async logoutFromPhone(): Promise<void> {
    this.waState = 'UNPAIRED';
    this.emit('disconnected', 'LOGOUT');
    await this.strategy()?.logout?.();
    await this.strategy()?.beforeBrowserInitialized?.();
    await this.strategy()?.afterBrowserInitialized?.();
  }

  receive(message: WaIncomingMessage): void {
    this.knownChats.add(message.from);
    this.emit('message_create', message);
    if (message.id.fromMe) return;
    this.emit('message', message);
  }

  call(from: string): FakeCall {
    const call = new FakeCall(from);
    this.emit('incoming_call', call);
    return call;
  }

  /** Texts sent to one chat, in order. */
  textsTo(chatId: string): string[] {
    return this.sent
      .filter((s) => s.chatId === chatId && typeof s.content === 'string')
      .map((s) => s.content as string);
  }
}

/** A client factory that keeps every client it made (a reconnect makes a new one). */
export function fakeClientFactory(setup?: (client: FakeWhatsAppClient, index: number) => void, now?: () => number) {
  const clients: FakeWhatsAppClient[] = [];
  const factory = (options: ClientOptions) => {
    const client = new FakeWhatsAppClient(options, now);
    setup?.(client, clients.length);
    clients.push(client);
    return client;
  };
  return { factory, clients, latest: () => clients[clients.length - 1]! };
}

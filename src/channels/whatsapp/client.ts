// The boundary with whatsapp-web.js: the part of its Client the channel uses (so tests can put a fake in its
// place), and the options the real Client is built with (Debian's Chromium, auth strategy, pairing by code).
// The library (and puppeteer behind it) is loaded lazily, so a bot without WhatsApp never pays for it.
import { join, resolve } from 'node:path';
import type { ClientOptions, MessageMedia } from 'whatsapp-web.js';
import type { WaIncomingMessage } from './parse.ts';
import { keepingRemoteAuthClass } from './session-auth.ts';

export type WaChat = { sendStateTyping(): Promise<unknown> };

export type WaSendOptions = { sendAudioAsVoice?: boolean };

/** The part of whatsapp-web.js's `Call` (src/structures/Call.js) the channel uses. */
export type WaCall = { from?: string; fromMe?: boolean; isGroup?: boolean; reject(): Promise<unknown> };

/** The part of puppeteer's Browser the channel watches (`client.pupBrowser`, set during initialize()). */
export type WaBrowser = { on(event: 'disconnected', listener: () => void): unknown; isConnected?(): boolean };

/** What the channel needs from whatsapp-web.js's `Client`. */
export interface WaClient {
  info?: { wid?: { _serialized?: string } } | null;
  /** The Client's options; `authStrategy` is the strategy instance it was built with. */
  options?: { authStrategy?: unknown };
  /** Null until initialize() has launched Chromium. */
  pupBrowser?: WaBrowser | null;
  on(event: 'message', listener: (message: WaIncomingMessage) => void): unknown;
  on(event: 'incoming_call', listener: (call: WaCall) => void): unknown;
  on(
    event: 'qr' | 'code' | 'disconnected' | 'change_state' | 'authenticated' | 'loading_screen',
    listener: (value: string) => void,
  ): unknown;
  on(event: 'ready', listener: () => void): unknown;
  initialize(): Promise<void>;
  /** Resolves undefined when WhatsApp Web has no such chat (Client.js: `if (!chat) return null`). */
  sendMessage(chatId: string, content: string | MessageMedia, options?: WaSendOptions): Promise<unknown>;
  /** Resolves undefined for an unknown chat. */
  getChatById(chatId: string): Promise<WaChat | undefined>;
  /** WhatsApp Web's socket state (CONNECTED, TIMEOUT...); rejects once the browser is gone. */
  getState(): Promise<string | null>;
  getContactLidAndPhone(userIds: string[]): Promise<{ lid?: string; pn?: string }[]>;
  requestPairingCode(phoneNumber: string, showNotification?: boolean, intervalMs?: number): Promise<string>;
  destroy(): Promise<void>;
}

export type WaClientFactory = (options: ClientOptions) => WaClient;

export type WhatsAppLibrary = typeof import('whatsapp-web.js');

export async function loadWhatsAppLibrary(): Promise<WhatsAppLibrary> {
  const mod = (await import('whatsapp-web.js')) as WhatsAppLibrary & { default?: WhatsAppLibrary };
  // CommonJS module: its exports are the default export under ESM.
  return mod.default ?? mod;
}

/** Flags Chromium needs as root in a container, minus everything that phones home or downloads. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The RemoteAuth store interface (sessionExists, save, extract, delete). */
export type RemoteSessionStore = ConstructorParameters<WhatsAppLibrary['RemoteAuth']>[0] extends infer O
  ? O extends { store: infer S }
    ? S
    : never
  : never;

export type ClientSettings = {
  chromiumPath: string;
  /** WhatsApp's own folder inside the data folder: session (LocalAuth), RemoteAuth's work files, web page cache. */
  dataDir: string;
  auth: 'local' | 'remote';
  /** Required for `auth: 'remote'`. */
  store?: RemoteSessionStore;
  /** International number without "+" or spaces; when set, pairing is by code instead of QR. */
  pairingPhone?: string;
  /** How often RemoteAuth re-saves the session (the library's minimum is one minute). */
  remoteBackupMs?: number;
  /** More Chromium flags, e.g. `--proxy-server=...` where WhatsApp is only reachable through a proxy. */
  extraChromiumArgs?: string[];
};

/** Where RemoteAuth writes the session zip before handing it to the store. */
export function remoteAuthDataPath(dataDir: string): string {
  return join(dataDir, 'remote-auth');
}

/** Chromium's profile folder for this data folder (what LocalAuth and RemoteAuth give as --user-data-dir). */
export function profileDir(dataDir: string, auth: 'local' | 'remote'): string {
  return auth === 'remote'
    ? resolve(remoteAuthDataPath(dataDir), 'RemoteAuth')
    : resolve(dataDir, 'local-auth', 'session');
}

export function buildClientOptions(lib: WhatsAppLibrary, settings: ClientSettings): ClientOptions {
  const authStrategy =
    settings.auth === 'remote'
      ? new (keepingRemoteAuthClass(lib))({
          store: requireStore(settings.store),
          dataPath: remoteAuthDataPath(settings.dataDir),
          backupSyncIntervalMs: Math.max(60_000, settings.remoteBackupMs ?? 5 * 60_000),
        })
      : new lib.LocalAuth({ dataPath: join(settings.dataDir, 'local-auth') });
  const options: ClientOptions = {
    authStrategy,
    puppeteer: {
      executablePath: settings.chromiumPath,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(settings.extraChromiumArgs ?? [])],
    },
    // The library caches WhatsApp Web's page under the working directory by default: keep it in the data folder.
    webVersionCache: { type: 'local', path: join(settings.dataDir, 'web-cache') },
    deviceName: 'Kunnafoni',
  };
  // The library asks for the code itself once the page is ready (calling requestPairingCode on an instance that
  // started in QR mode is known to hang in 1.34.x); the code arrives as the `code` event.
  if (settings.pairingPhone) {
    options.pairWithPhoneNumber = { phoneNumber: settings.pairingPhone.replace(/\D/g, ''), showNotification: true };
  }
  return options;
}

function requireStore(store: RemoteSessionStore | undefined): RemoteSessionStore {
  if (!store) throw new Error('WHATSAPP_AUTH=remote needs a session store');
  return store;
}

export function realClientFactory(lib: WhatsAppLibrary): WaClientFactory {
  return (options) => new lib.Client(options);
}

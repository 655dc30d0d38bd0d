// The boundary with whatsapp-web.js: the part of its Client the channel uses (so tests can put a fake in its
// place), and the options the real Client is built with (Debian's Chromium, auth strategy, pairing by code).
// The library (and puppeteer behind it) is loaded lazily, so a bot without WhatsApp never pays for it.
import { unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ClientOptions, MessageMedia } from 'whatsapp-web.js';
import type { WaIncomingMessage } from './parse.ts';

export type WaChat = { sendStateTyping(): Promise<unknown> };

export type WaSendOptions = { sendAudioAsVoice?: boolean };

/** What the channel needs from whatsapp-web.js's `Client`. */
export interface WaClient {
  info?: { wid?: { _serialized?: string } } | null;
  on(event: 'message', listener: (message: WaIncomingMessage) => void): unknown;
  on(
    event: 'qr' | 'code' | 'auth_failure' | 'disconnected' | 'change_state',
    listener: (value: string) => void,
  ): unknown;
  on(event: 'ready', listener: () => void): unknown;
  initialize(): Promise<void>;
  sendMessage(chatId: string, content: string | MessageMedia, options?: WaSendOptions): Promise<unknown>;
  getChatById(chatId: string): Promise<WaChat>;
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

export function buildClientOptions(lib: WhatsAppLibrary, settings: ClientSettings): ClientOptions {
  const authStrategy =
    settings.auth === 'remote'
      ? new (remoteAuthClass(lib))({
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

type UnzipperOpen = {
  Open: { file(path: string): Promise<{ extract(options: { path: string; concurrency?: number }): Promise<unknown> }> };
};

/**
 * RemoteAuth, except that restoring the session waits until every file is on disk. The library resolves on the
 * unzip stream's "finish", which comes before the files are written, so Chromium could start on a half-restored
 * profile and ask for a new QR scan (a known whatsapp-web.js issue, "RemoteAuth failed to load existing session").
 */
function remoteAuthClass(lib: WhatsAppLibrary): WhatsAppLibrary['RemoteAuth'] {
  // unzipper is the library's own (optional, pinned) dependency: resolve it the way the library does.
  const unzipper = createRequire(createRequire(import.meta.url).resolve('whatsapp-web.js'))('unzipper') as UnzipperOpen;
  return class ReliableRemoteAuth extends lib.RemoteAuth {
    async unCompressSession(compressedSessionPath: string): Promise<void> {
      const { userDataDir } = this as unknown as { userDataDir: string };
      const zip = await unzipper.Open.file(compressedSessionPath);
      await zip.extract({ path: userDataDir, concurrency: 4 });
      await unlink(compressedSessionPath);
    }
  };
}

function requireStore(store: RemoteSessionStore | undefined): RemoteSessionStore {
  if (!store) throw new Error('WHATSAPP_AUTH=remote needs a session store');
  return store;
}

export function realClientFactory(lib: WhatsAppLibrary): WaClientFactory {
  return (options) => new lib.Client(options);
}

// The auth strategy for WHATSAPP_AUTH=remote: whatsapp-web.js's RemoteAuth (session zip in Redis) that keeps the
// pairing through every disconnect except a real logout from the phone.
// The library calls `authStrategy.disconnect()` for every state but CONNECTED/OPENING/PAIRING/TIMEOUT
// (Client.js, onAppStateChangedEvent) and RemoteAuth.disconnect() deletes the stored session, so a CONFLICT, a
// proxy hiccup or UNLAUNCHED used to mean scanning a QR code again. Here only UNPAIRED/UNPAIRED_IDLE (WhatsApp
// forgot the device) and LOGOUT (Client.js calls `authStrategy.logout()`) delete it.
// Saves happen only while WhatsApp says CONNECTED, so a broken profile never overwrites the last good one.
import { unlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Client } from 'whatsapp-web.js';
import { meaningOf } from './states.ts';

type WhatsAppLibrary = typeof import('whatsapp-web.js');

type UnzipperOpen = {
  Open: { file(path: string): Promise<{ extract(options: { path: string; concurrency?: number }): Promise<unknown> }> };
};

/** RemoteAuth as a class with the members used here (the library declares some, as properties, not methods). */
interface RemoteAuthMethods {
  setup(client: Client): void;
  disconnect(): Promise<void>;
  logout(): Promise<void>;
  storeRemoteSession(options?: { emit?: boolean }): Promise<void>;
  backupSync?: NodeJS.Timeout;
}
type RemoteAuthOptions = ConstructorParameters<WhatsAppLibrary['RemoteAuth']>[0];
type RemoteAuthBase = new (options: RemoteAuthOptions) => RemoteAuthMethods;

/** What the channel calls on the strategy: a last save before a graceful stop. */
export interface SavesSession {
  saveNow(): Promise<boolean>;
}

export function savesSession(strategy: unknown): strategy is SavesSession {
  return typeof (strategy as Partial<SavesSession> | null)?.saveNow === 'function';
}

export function keepingRemoteAuthClass(lib: WhatsAppLibrary): WhatsAppLibrary['RemoteAuth'] {
  // unzipper is the library's own (optional, pinned) dependency: resolve it the way the library does.
  const unzipper = createRequire(createRequire(import.meta.url).resolve('whatsapp-web.js'))('unzipper') as UnzipperOpen;
  const Base = lib.RemoteAuth as unknown as RemoteAuthBase;
  const Keeping = class KeepingRemoteAuth extends Base implements SavesSession {
    /** The last state WhatsApp Web reported (`change_state` comes before the library's `disconnect()` call). */
    private lastWaState = '';
    private connected = false;

    override setup(client: Client): void {
      super.setup(client);
      client.on('ready', () => {
        this.connected = true;
      });
      client.on('change_state', (state: string) => {
        this.lastWaState = state;
        this.connected = state === 'CONNECTED';
      });
    }

    override async disconnect(): Promise<void> {
      if (meaningOf(this.lastWaState) === 'logged_out') return super.disconnect();
      // Keep the stored session; only stop the periodic backup of a client that is going away.
      clearInterval(this.backupSync);
      this.connected = false;
    }

    /** LOGOUT (the phone removed the linked device): the saved session is worthless. */
    override async logout(): Promise<void> {
      this.connected = false;
      await super.disconnect();
    }

    override async storeRemoteSession(options?: { emit?: boolean }): Promise<void> {
      if (!this.connected) return;
      await super.storeRemoteSession(options);
    }

    async saveNow(): Promise<boolean> {
      if (!this.connected) return false;
      await super.storeRemoteSession();
      return true;
    }

    /**
     * Restoring waits until every file is on disk. The library resolves on the unzip stream's "finish", which comes
     * before the files are written, so Chromium could start on a half-restored profile and ask for a new QR scan.
     */
    async unCompressSession(compressedSessionPath: string): Promise<void> {
      const { userDataDir } = this as unknown as { userDataDir: string };
      const zip = await unzipper.Open.file(compressedSessionPath);
      await zip.extract({ path: userDataDir, concurrency: 4 });
      await unlink(compressedSessionPath);
    }
  };
  return Keeping as unknown as WhatsAppLibrary['RemoteAuth'];
}

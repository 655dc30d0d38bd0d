// RemoteAuth with the session kept in Redis: a bot on a host without a persistent disk restarts paired.
import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from 'whatsapp-web.js';
import { buildClientOptions, loadWhatsAppLibrary, remoteAuthDataPath } from '../../../src/channels/whatsapp/client.ts';
import { RedisAuthStore } from '../../../src/channels/whatsapp/redis-auth-store.ts';
import { devDataKeys, PersonalDataCipher } from '../../../src/infra/crypto.ts';
import type { RedisKeys } from '../../../src/infra/keys.ts';
import { connectRedis, deleteKeys, testKeys } from './harness.ts';

/** RemoteAuth's members these tests drive directly (the browser is not needed to pack and unpack a profile). */
type RemoteAuthInternals = {
  client: EventEmitter;
  setup(client: Client): void;
  beforeBrowserInitialized(): Promise<void>;
  storeRemoteSession(options?: { emit?: boolean }): Promise<void>;
  userDataDir: string;
};

let redis: Redis;
let keys: RedisKeys;
let dataDir: string;

beforeEach(async () => {
  redis = await connectRedis();
  keys = testKeys();
  dataDir = await mkdtemp(join(tmpdir(), 'kf-wa-remote-'));
});

afterEach(async () => {
  await deleteKeys(redis, keys);
  await redis.quit();
  await rm(dataDir, { recursive: true, force: true });
});

async function remoteAuth(store: RedisAuthStore): Promise<RemoteAuthInternals> {
  // The strategy exactly as the channel builds it.
  const lib = await loadWhatsAppLibrary();
  const options = buildClientOptions(lib, { chromiumPath: '/usr/bin/chromium', dataDir, auth: 'remote', store });
  const auth = options.authStrategy as unknown as RemoteAuthInternals;
  // The Client the strategy is set up with: an event emitter with options, as the real one.
  const client = Object.assign(new EventEmitter(), { options: { puppeteer: {} } });
  auth.setup(client as unknown as Client);
  return Object.assign(auth, { client });
}

describe('RedisAuthStore', () => {
  it('keeps the paired session through a restart that lost the whole data folder, sealed in Redis', async () => {
    const cipher = new PersonalDataCipher(devDataKeys('test'));
    const store = new RedisAuthStore(redis, keys, remoteAuthDataPath(dataDir), cipher);
    const first = await remoteAuth(store);
    await first.beforeBrowserInitialized();
    expect(await store.sessionExists({ session: 'RemoteAuth' })).toBe(false);

    // What Chromium leaves in the profile once paired (RemoteAuth keeps Local Storage and IndexedDB only).
    const profile = join(first.userDataDir, 'Default');
    await mkdir(join(profile, 'Local Storage', 'leveldb'), { recursive: true });
    await mkdir(join(profile, 'IndexedDB', 'https_web.whatsapp.com_0.indexeddb.leveldb'), { recursive: true });
    await mkdir(join(profile, 'Cache'), { recursive: true });
    await writeFile(join(profile, 'Local Storage', 'leveldb', '000003.log'), 'linked-device-keys-0123');
    await writeFile(join(profile, 'IndexedDB', 'https_web.whatsapp.com_0.indexeddb.leveldb', 'CURRENT'), 'MANIFEST-1');
    await writeFile(join(profile, 'Cache', 'big'), 'not worth keeping');
    // Saved only once WhatsApp is connected: a profile that never got there is not a session worth keeping.
    await first.storeRemoteSession();
    expect(await store.sessionExists({ session: 'RemoteAuth' })).toBe(false);
    first.client.emit('ready');
    await first.storeRemoteSession();

    expect(await store.sessionExists({ session: 'RemoteAuth' })).toBe(true);
    const stored = await redis.getBuffer(store.key('RemoteAuth'));
    expect(stored?.toString('utf8').startsWith('k1.')).toBe(true);
    expect(stored?.includes('linked-device-keys')).toBe(false);

    await rm(dataDir, { recursive: true, force: true });
    const second = await remoteAuth(store);
    await second.beforeBrowserInitialized();
    const restored = join(second.userDataDir, 'Default');
    expect(await readFile(join(restored, 'Local Storage', 'leveldb', '000003.log'), 'utf8')).toBe(
      'linked-device-keys-0123',
    );
    expect(
      await readFile(join(restored, 'IndexedDB', 'https_web.whatsapp.com_0.indexeddb.leveldb', 'CURRENT'), 'utf8'),
    ).toBe('MANIFEST-1');
    await expect(stat(join(restored, 'Cache'))).rejects.toThrow();
  });

  it('stores binary zips byte for byte without a cipher, and deletes them', async () => {
    const dir = remoteAuthDataPath(dataDir);
    await mkdir(dir, { recursive: true });
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0xff, 0x80, 0x0a, 0x0d]);
    await writeFile(join(dir, 'RemoteAuth-kf.zip'), zip);
    const store = new RedisAuthStore(redis, keys, dir);

    await store.save({ session: 'RemoteAuth-kf' });
    await store.extract({ session: 'RemoteAuth-kf', path: join(dir, 'out.zip') });
    expect(await readFile(join(dir, 'out.zip'))).toEqual(zip);

    await store.delete({ session: 'RemoteAuth-kf' });
    expect(await store.sessionExists({ session: 'RemoteAuth-kf' })).toBe(false);
    await expect(store.extract({ session: 'RemoteAuth-kf', path: join(dir, 'x.zip') })).rejects.toThrow(/no saved/);
  });
});

// The pairing is kept: with WHATSAPP_AUTH=remote, the library's real RemoteAuth (as the channel builds it, with
// the project's Redis store) keeps the saved session through every disconnect except a logout from the phone,
// and a graceful stop saves it one last time. The fake Client calls the strategy exactly as whatsapp-web.js does.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { remoteAuthDataPath } from '../../../src/channels/whatsapp/client.ts';
import { RedisAuthStore } from '../../../src/channels/whatsapp/redis-auth-store.ts';
import { createHarness, type Harness, waitFor } from './harness.ts';

let h: Harness;
let store: RedisAuthStore;

afterEach(async () => {
  await h?.close();
});

const SESSION = 'RemoteAuth';

/** Pairs once: starts the channel, writes what Chromium keeps of a paired profile, lets RemoteAuth save it. */
async function pairedRemote() {
  h = await createHarness({ auth: 'remote' });
  store = new RedisAuthStore(h.redis, h.keys, remoteAuthDataPath(h.dataDir), h.cipher);
  const client = await h.startReady();
  const profile = join(remoteAuthDataPath(h.dataDir), SESSION, 'Default', 'Local Storage', 'leveldb');
  await mkdir(profile, { recursive: true });
  await writeFile(join(profile, '000003.log'), 'linked-device-keys-1');
  const strategy = client.options.authStrategy as unknown as { storeRemoteSession(): Promise<void> };
  await strategy.storeRemoteSession();
  expect(await store.sessionExists({ session: SESSION })).toBe(true);
  return { client, profile };
}

describe('the saved WhatsApp session (RemoteAuth in Redis)', () => {
  it.each(['CONFLICT', 'UNLAUNCHED', 'PROXYBLOCK', 'SMB_TOS_BLOCK'])(
    'survives a %s disconnect, and the next client restores it',
    async (waState) => {
      const { client } = await pairedRemote();
      await client.changeState(waState);
      expect(client.destroyCalls).toBeGreaterThan(0);
      expect(await store.sessionExists({ session: SESSION })).toBe(true);
    },
  );

  it('a new client after a CONFLICT restores the saved profile from Redis', async () => {
    const { client, profile } = await pairedRemote();
    await client.changeState('CONFLICT');
    await waitFor(() => h.fakes.clients.length === 2, 'a new client');
    await h.fakes.latest().initialized;
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(join(profile, '000003.log'), 'utf8')).toBe('linked-device-keys-1');
  });

  it('is deleted when WhatsApp forgot the device (UNPAIRED)', async () => {
    const { client } = await pairedRemote();
    await client.changeState('UNPAIRED');
    expect(await store.sessionExists({ session: SESSION })).toBe(false);
  });

  it('is deleted on a logout from the phone (LOGOUT)', async () => {
    const { client } = await pairedRemote();
    await client.logoutFromPhone();
    expect(await store.sessionExists({ session: SESSION })).toBe(false);
    expect(h.notices.map((n) => n.kind)).toEqual(['pairing_lost']);
  });

  it('is saved once more on a graceful stop, with what changed since the last backup', async () => {
    const { profile } = await pairedRemote();
    const before = await h.redis.getBuffer(store.key(SESSION));
    await writeFile(join(profile, '000004.log'), 'newer-keys');
    await h.channel.stop();
    const after = await h.redis.getBuffer(store.key(SESSION));
    expect(after).not.toBeNull();
    expect(after!.equals(before!)).toBe(false);
    expect(h.logLines.join('')).toContain('whatsapp session saved');
  });
});

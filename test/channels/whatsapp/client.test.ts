// How the real Client is configured: Debian's Chromium with root-safe flags, sessions and caches in the data folder.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildClientOptions, CHROMIUM_ARGS, loadWhatsAppLibrary } from '../../../src/channels/whatsapp/client.ts';
import { RedisAuthStore } from '../../../src/channels/whatsapp/redis-auth-store.ts';
import { RedisKeys } from '../../../src/infra/keys.ts';

describe('buildClientOptions', () => {
  it('runs the configured Chromium headless with the flags a root server needs, everything under the data folder', async () => {
    const lib = await loadWhatsAppLibrary();
    const options = buildClientOptions(lib, {
      chromiumPath: '/usr/bin/chromium',
      dataDir: '/srv/kf/whatsapp',
      auth: 'local',
    });
    expect(options.puppeteer).toMatchObject({ executablePath: '/usr/bin/chromium', headless: true });
    expect(options.puppeteer?.args).toEqual(CHROMIUM_ARGS);
    expect(CHROMIUM_ARGS).toContain('--no-sandbox');
    expect(options.authStrategy).toBeInstanceOf(lib.LocalAuth);
    expect((options.authStrategy as unknown as { dataPath: string }).dataPath).toBe(
      join('/srv/kf/whatsapp', 'local-auth'),
    );
    expect(options.webVersionCache).toEqual({ type: 'local', path: join('/srv/kf/whatsapp', 'web-cache') });
    expect(options.pairWithPhoneNumber).toBeUndefined();
  });

  it('uses RemoteAuth with the Redis store when asked, and refuses it without a store', async () => {
    const lib = await loadWhatsAppLibrary();
    const store = new RedisAuthStore(null as never, new RedisKeys('x'), '/tmp');
    const options = buildClientOptions(lib, { chromiumPath: '/c', dataDir: '/d', auth: 'remote', store });
    expect(options.authStrategy).toBeInstanceOf(lib.RemoteAuth);
    expect((options.authStrategy as unknown as { store: unknown }).store).toBe(store);
    expect(() => buildClientOptions(lib, { chromiumPath: '/c', dataDir: '/d', auth: 'remote' })).toThrow(/store/);
  });
});

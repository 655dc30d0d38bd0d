// Builds the WhatsApp channel around the fake Client, a real Redis (own key prefix) and the fake runtime,
// and collects what staff, the operator and the logs would see.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { vi } from 'vitest';
import {
  createWhatsAppChannel,
  type WhatsAppChannelOptions,
  type WhatsAppNotice,
} from '../../../src/channels/whatsapp/adapter.ts';
import { devDataKeys, PersonalDataCipher } from '../../../src/infra/crypto.ts';
import { RedisKeys } from '../../../src/infra/keys.ts';
import { type FakeWhatsAppClient, fakeClientFactory } from '../../support/fake-whatsapp-client.ts';
import { FakeRuntime } from './fake-runtime.ts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function connectRedis(): Promise<Redis> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  await redis.ping();
  return redis;
}

/** Deletes every key under the test's own prefix (never anything else). */
export async function deleteKeys(redis: Redis, keys: RedisKeys): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${keys.root}:*`, 'COUNT', 500);
    cursor = next;
    if (found.length) await redis.del(...found);
  } while (cursor !== '0');
}

export function testKeys(): RedisKeys {
  return new RedisKeys(`kftest-wa-${randomBytes(6).toString('hex')}`);
}

export async function createHarness(
  overrides: Partial<WhatsAppChannelOptions> = {},
  /** Prepares each fake client before the channel starts it (e.g. to make its start fail). */
  setupClient?: (client: FakeWhatsAppClient, index: number) => void,
) {
  const redis = await connectRedis();
  const keys = testKeys();
  const runtime = new FakeRuntime();
  const now = overrides.clock ? () => overrides.clock!.now() : () => Date.now();
  const fakes = fakeClientFactory(setupClient, now);
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'kf-wa-fake-'));
  const cipher = new PersonalDataCipher(devDataKeys('test'));
  const notices: WhatsAppNotice[] = [];
  const logLines: string[] = [];
  const qrs: string[] = [];
  const codes: string[] = [];
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  );
  const channel = createWhatsAppChannel({
    runtime,
    redis,
    keys,
    chromiumPath: '/usr/bin/chromium',
    dataDir,
    auth: 'local',
    logger,
    cipher,
    // Stale Chromium is looked for only in the tests about it.
    cleanStaleChromium: false,
    notifyStaff: (notice) => {
      notices.push(notice);
    },
    clientFactory: fakes.factory,
    showQr: (qr) => qrs.push(qr),
    showPairingCode: (code) => codes.push(code),
    minGapMs: 0,
    globalGapMs: 0,
    typing: { baseMs: 0, perCharMs: 0 },
    reconnect: { initialDelayMs: 10, maxDelayMs: 80 },
    ...overrides,
  });
  return {
    redis,
    keys,
    cipher,
    dataDir,
    runtime,
    fakes,
    channel,
    notices,
    logLines,
    qrs,
    codes,
    /** Starts the channel and brings the first client to "ready". */
    async startReady() {
      await channel.start();
      const client = fakes.latest();
      // Like the real library: the page loads (initialize() resolves) before WhatsApp is ready.
      await client.initialized;
      client.becomeReady();
      return client;
    },
    async close() {
      vi.useRealTimers();
      await channel.stop();
      await deleteKeys(redis, keys);
      await redis.quit();
      if (!overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;

/** Waits (real time, bounded) until `condition` holds; fails the test with `what` otherwise. */
export async function waitFor(condition: () => boolean, what = 'condition', timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * With fake timers: moves the clock forward in small steps, letting real Redis replies arrive between steps,
 * until `condition` holds (bounded in fake time).
 */
export async function advanceUntil(
  redis: Redis,
  condition: () => boolean,
  what = 'condition',
  stepMs = 50,
  maxMs = 10 * 60_000,
): Promise<void> {
  for (let elapsed = 0; elapsed <= maxMs; elapsed += stepMs) {
    for (let i = 0; i < 5; i++) {
      await redis.ping();
      if (condition()) return;
    }
    await vi.advanceTimersByTimeAsync(stepMs);
  }
  throw new Error(`${what} did not happen within ${maxMs} ms of fake time`);
}

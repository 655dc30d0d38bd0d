// The real whatsapp-web.js Client on the configured Chromium, with WhatsApp made unreachable (every host name
// fails to resolve, whatever the machine's network): the failure is caught, reported once, Chromium is closed
// and the process carries on. Needs Debian's chromium (.ci/run installs it).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { createWhatsAppChannel, type WhatsAppNotice } from '../../../src/channels/whatsapp/adapter.ts';
import { connectRedis, deleteKeys, testKeys, waitFor } from './harness.ts';

const CHROMIUM = process.env.WHATSAPP_CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Live (not zombie) processes whose command line mentions `dir`: Chromium and its helpers use the profile dir. */
function processesUsing(dir: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(dir))
    .filter((line) => !/^\s*\d+\s+Z/.test(line));
}

it('starts the real Client on the configured Chromium and fails cleanly when WhatsApp is unreachable', async () => {
  expect(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium`).toBe(true);
  const redis = await connectRedis();
  const keys = testKeys();
  const dataDir = await mkdtemp(join(tmpdir(), 'kf-wa-smoke-'));
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  const notices: WhatsAppNotice[] = [];
  const logLines: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  );
  const channel = createWhatsAppChannel({
    runtime: { handle: async () => [] },
    redis,
    keys,
    chromiumPath: CHROMIUM,
    extraChromiumArgs: ['--host-resolver-rules=MAP * ~NOTFOUND'],
    dataDir,
    auth: 'local',
    logger,
    notifyStaff: (notice) => {
      notices.push(notice);
    },
    showQr: () => {},
    // One attempt only within the test: the retry would come ten minutes later.
    reconnect: { initialDelayMs: 10 * 60_000 },
    startTimeoutMs: 40_000,
  });
  try {
    await channel.start();
    await waitFor(() => channel.getState().state === 'reconnecting', 'the start to fail', 45_000);

    // Chromium really ran on our profile and really tried to open WhatsApp Web.
    expect(existsSync(join(dataDir, 'local-auth', 'session', 'Local State'))).toBe(true);
    expect(channel.getState().reason).toMatch(/net::ERR_NAME_NOT_RESOLVED/);
    // One error line in the logs; staff hear of it only if it lasts (the "down" notice).
    expect(notices).toEqual([]);
    expect(logLines.filter((l) => l.includes('"level":50'))).toHaveLength(1);
    // The failed start's browser is closed without waiting for stop().
    await waitFor(() => processesUsing(dataDir).length === 0, 'Chromium to exit', 10_000);

    await channel.stop();
    expect(processesUsing(dataDir)).toEqual([]);
    expect(channel.getState()).toMatchObject({ state: 'disconnected', reason: 'stopped' });
    expect(notices).toEqual([]);
    // The process is healthy: nothing went unhandled and Redis still answers.
    expect(rejections).toEqual([]);
    expect(await redis.ping()).toBe('PONG');
  } finally {
    process.off('unhandledRejection', onRejection);
    await channel.stop();
    await deleteKeys(redis, keys);
    await redis.quit();
    await rm(dataDir, { recursive: true, force: true });
  }
}, 60_000);

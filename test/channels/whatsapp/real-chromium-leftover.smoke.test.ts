// With Debian's real Chromium: a Chromium left running on the WhatsApp profile by an earlier run (the bot was
// killed with -9; its browser, zygotes, renderers and utility processes live on under PID 1 and keep the
// Singleton* locks) is ended and its locks removed when the channel starts again, before a new client launches.
import { spawn } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import { lstat, mkdir } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { processesOnProfile } from '../../../src/channels/whatsapp/chromium-cleanup.ts';
import { profileDir } from '../../../src/channels/whatsapp/client.ts';
import { createHarness, waitFor } from './harness.ts';

const CHROMIUM = process.env.WHATSAPP_CHROMIUM_PATH ?? '/usr/bin/chromium';

it('ends the Chromium of an earlier run on this profile and removes its locks', async () => {
  expect(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install -y chromium`).toBe(true);
  const h = await createHarness({ cleanStaleChromium: true });
  const profile = profileDir(h.dataDir, 'local');
  await mkdir(profile, { recursive: true });
  // What puppeteer launched for the earlier run, detached as if its parent had died.
  const earlier = spawn(
    CHROMIUM,
    ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`, 'about:blank'],
    { detached: true, stdio: 'ignore' },
  );
  earlier.unref();
  try {
    let found: number[] = [];
    // The lock is a symlink to "<host>-<pid>", dangling on purpose: look at the link itself.
    const locked = () => lstatSync(`${profile}/SingletonLock`, { throwIfNoEntry: false }) !== undefined;
    await waitFor(locked, 'Chromium to lock its profile', 20_000);
    // Its helpers (zygotes, renderers, network and storage services) start just after.
    for (let i = 0; i < 300 && found.length < 5; i++) {
      found = await processesOnProfile(profile);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    found = await processesOnProfile(profile);
    expect(found.length).toBeGreaterThanOrEqual(5);

    await h.channel.start();
    expect(h.fakes.clients).toHaveLength(1);
    expect(await processesOnProfile(profile)).toEqual([]);
    await expect(lstat(`${profile}/SingletonLock`)).rejects.toThrow();
    // Chromium may start one more helper between our count and the clean-up: every one of them is ended.
    const ended = Number(/"ended":(\d+)/.exec(h.logLines.join(''))?.[1] ?? 0);
    expect(ended).toBeGreaterThanOrEqual(found.length);
  } finally {
    for (const pid of await processesOnProfile(profile)) process.kill(pid, 'SIGKILL');
    await h.close();
  }
}, 60_000);

// Clean restarts: after `kill -9` of the bot its Chromium survives on the profile folder and the profile stays
// locked (Singleton*); the next start ends those processes and removes the locks before launching its own. And
// when Chromium will not start, its whole explanation reaches the log.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { processesOnProfile } from '../../../src/channels/whatsapp/chromium-cleanup.ts';
import { profileDir } from '../../../src/channels/whatsapp/client.ts';
import { createHarness, type Harness, waitFor } from './harness.ts';

let h: Harness;
let leftover: ChildProcess | null = null;

afterEach(async () => {
  leftover?.kill('SIGKILL');
  await h?.close();
});

describe('a restart after a crash', () => {
  it('ends the Chromium left on this profile and removes its locks before starting a new one', async () => {
    h = await createHarness({ cleanStaleChromium: true });
    const profile = profileDir(h.dataDir, 'local');
    await mkdir(profile, { recursive: true });
    // A process standing for the surviving Chromium: same --user-data-dir on its command line.
    leftover = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)', '--', `--user-data-dir=${profile}`], {
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => leftover!.once('exit', resolve));
    await waitFor(() => leftover!.pid !== undefined, 'the leftover process');
    expect(await processesOnProfile(profile)).toEqual([leftover.pid]);
    // Chromium's locks name the old container's host name: a new container cannot take them over.
    await symlink('old-container-12', `${profile}/SingletonLock`);
    await symlink('/tmp/org.chromium.Chromium.gone/SingletonSocket', `${profile}/SingletonSocket`);
    await writeFile(`${profile}/SingletonCookie`, '');

    await h.channel.start();
    expect(h.fakes.clients).toHaveLength(1);
    await exited;
    expect(await processesOnProfile(profile)).toEqual([]);
    for (const lock of ['SingletonLock', 'SingletonSocket', 'SingletonCookie']) {
      await expect(readlink(`${profile}/${lock}`)).rejects.toThrow();
    }
    expect(h.logLines.join('')).toContain('cleaned up after an earlier run');
  });

  it('logs Chromium’s whole explanation when it will not start, not its first 200 characters', async () => {
    const launch = new Error(
      `Failed to launch the browser process!\n${'[1201/101500.123456:ERROR:process_singleton_posix.cc(353)] '.repeat(4)}` +
        'The profile appears to be in use by another Chromium process (4242) on another computer (old-container). ' +
        'Chromium has locked the profile so that it does not get corrupted.',
    );
    h = await createHarness({}, (client) => {
      client.failInitialize = launch;
    });
    await h.channel.start();
    await waitFor(() => h.logLines.some((l) => l.includes('whatsapp connection failed')), 'the failure log');
    const line = h.logLines.find((l) => l.includes('whatsapp connection failed'))!;
    expect(line).toContain('Chromium has locked the profile so that it does not get corrupted.');
    expect(h.channel.getState().reason).toContain('in use by another Chromium process');
  });

  it('a start that fails with a string (the library throws "auth timeout") is retried like any failure', async () => {
    h = await createHarness({}, (client, index) => {
      if (index === 0) client.failInitialize = 'auth timeout';
    });
    await h.channel.start();
    await waitFor(() => h.fakes.clients.length === 2, 'a second client');
    expect(h.fakes.clients[0]!.pupBrowser).not.toBeNull();
    expect(h.fakes.clients[0]!.destroyCalls).toBeGreaterThan(0);
    expect(h.logLines.join('')).toContain('auth timeout');
  });
});

// Before a client starts on a profile folder: end the Chromium processes an earlier run left on that folder
// (after `kill -9` of the bot they survive, re-parented to PID 1) and remove Chromium's profile locks
// (Singleton{Lock,Socket,Cookie}). Otherwise every start fails with "The browser is already running", and in a
// new container (new host name) Chromium refuses the locked profile and exits with code 21.
// Only the holder of the WhatsApp lease calls this, so it never ends the Chromium of a live process.
import { lstat, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

const LOCKS = ['SingletonLock', 'SingletonSocket', 'SingletonCookie'];

export type CleanupReport = { ended: number; locksRemoved: number };

/** Live processes (not zombies) whose command line uses `profileDir` as Chromium's --user-data-dir. */
export async function processesOnProfile(profileDir: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return []; // Not Linux: nothing to look at.
  }
  const flag = `--user-data-dir=${profileDir}`;
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      // Chromium's helpers rewrite their title: their command line is one space-separated string, not NUL-separated.
      const cmdline = (await readFile(join('/proc', entry, 'cmdline'), 'utf8')).replace(/\0/g, ' ');
      if (!usesFlag(cmdline, flag)) continue;
      if (await isZombie(pid)) continue;
      found.push(pid);
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return found;
}

function usesFlag(cmdline: string, flag: string): boolean {
  for (const end of [' ', '/ ']) if (`${cmdline} `.includes(`${flag}${end}`)) return true;
  return false;
}

async function isZombie(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ...": the state follows the last ")".
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

export async function cleanStaleChromium(profileDir: string, waitMs = 3000): Promise<CleanupReport> {
  const pids = await processesOnProfile(profileDir);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  // SIGKILL is not instant: wait (bounded) until they are gone, so the new Chromium does not meet them.
  const deadline = Date.now() + waitMs;
  while (pids.length > 0 && Date.now() < deadline) {
    const alive = await processesOnProfile(profileDir);
    if (!alive.some((pid) => pids.includes(pid))) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  let locksRemoved = 0;
  for (const lock of LOCKS) {
    const path = join(profileDir, lock);
    try {
      // Singleton* are symlinks (often dangling): lstat-based rm removes the link itself.
      await lstat(path);
      await rm(path, { force: true });
      locksRemoved++;
    } catch {
      // No such lock.
    }
  }
  return { ended: pids.length, locksRemoved };
}

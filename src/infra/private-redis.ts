// When no Redis is configured and none answers on 127.0.0.1:6379, the bot runs its own redis-server:
// data in the data folder, AOF with fsync every second, no eviction, reached through a Unix socket.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { redisAnswers } from './redis.ts';

export class MissingRedisServerError extends Error {
  constructor() {
    super(
      'No Redis is running and no redis-server binary was found. Install one: ' +
        '`sudo apt-get install redis-server` (Debian/Ubuntu), `brew install redis` (macOS), ' +
        'or run `docker compose up -d redis` and set REDIS_URL=redis://127.0.0.1:6379.',
    );
  }
}

export type PrivateRedis = { socket: string; stop(): Promise<void> };

export function findRedisServer(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return null;
}

/** `port`: also listen on 127.0.0.1:port (tests); by default only the Unix socket. */
export async function startPrivateRedis(dataDir: string, options: { port?: number } = {}): Promise<PrivateRedis> {
  const bin = findRedisServer();
  if (!bin) throw new MissingRedisServerError();
  const dir = path.resolve(dataDir, 'redis');
  await mkdir(dir, { recursive: true });
  const socket = path.join(dir, 'redis.sock');
  const child: ChildProcess = spawn(
    bin,
    [
      '--port',
      String(options.port ?? 0),
      '--bind',
      '127.0.0.1',
      '--unixsocket',
      socket,
      '--unixsocketperm',
      '700',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'noeviction',
      '--save',
      '',
      '--logfile',
      path.join(dir, 'redis.log'),
    ],
    { stdio: 'ignore' },
  );
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers({ path: socket }, 200))) {
    if (exited) throw new Error(`redis-server exited at start; see ${path.join(dir, 'redis.log')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not answer within 10 s; see ${path.join(dir, 'redis.log')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    socket,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

// Graceful shutdown: a bot process gets SIGTERM while it is answering a message and running a job. It stops taking
// work, finishes what was in flight, closes the worker, destroys the WhatsApp client, closes Redis, stops its private
// redis-server (whose AOF keeps what was saved), and exits with 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { GracefulShutdown } from '../../src/app/shutdown.ts';
import { RedisKeys } from '../../src/infra/keys.ts';
import { silentLogger } from '../../src/infra/logger.ts';
import { redisAnswers } from '../../src/infra/redis.ts';
import type { OutMessage } from '../../src/ports/out-message.ts';
import { REPO_ROOT } from '../support/app.ts';

const CHILD = path.join(import.meta.dirname, 'support', 'shutdown-child.ts');

type Child = { process: ChildProcess; lines: string[]; waitFor(prefix: string): Promise<string> };

function startChild(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { prefix: string; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const w of waiters.filter((w) => line.startsWith(w.prefix))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(line);
    }
  });
  child.stderr!.resume();
  return {
    process: child,
    lines,
    waitFor: (prefix) =>
      new Promise((resolve, reject) => {
        const seen = lines.find((l) => l.startsWith(prefix));
        if (seen) return resolve(seen);
        waiters.push({ prefix, resolve });
        child.once('exit', () => reject(new Error(`exited before "${prefix}"; saw:\n${lines.join('\n')}`)));
      }),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('graceful shutdown', () => {
  it('on SIGTERM finishes the work in flight, closes everything and exits 0', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'kf-shutdown-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const child = startChild({ KF_ROOT: REPO_ROOT, KF_DATA_DIR: dataDir, KF_SLOW_MS: '800' });
    cleanups.push(async () => {
      if (child.process.exitCode === null) child.process.kill('SIGKILL');
    });
    const [, port, socket] = (await child.waitFor('ready ')).split(' ');
    const url = `http://127.0.0.1:${port}/`;
    const post = (body: unknown) => fetch(url, { method: 'POST', body: JSON.stringify(body) });

    // A job and a message are in flight when the signal comes.
    expect((await post({ job: 'job-1' })).status).toBe(202);
    await child.waitFor('job started job-1');
    const reply = post({ chat: 'in-flight-person', text: '/start' });
    await child.waitFor('handling in-flight-person');
    const exited = once(child.process, 'exit');
    child.process.kill('SIGTERM');

    // The message in flight is answered in full.
    const response = await reply;
    expect(response.status).toBe(200);
    const messages = (await response.json()) as OutMessage[];
    expect(messages.at(-1)?.choices?.map((c) => c.id)).toEqual(['fr', 'en', 'bm']);

    // New work is refused once the signal came.
    await child.waitFor('stopped taking updates');
    const late = await post({ chat: 'late-person', text: '/start' }).then(
      (r) => r.status,
      () => 'refused',
    );
    expect(late).not.toBe(200);

    const [code] = await exited;
    expect(code).toBe(0);
    const events = child.lines;
    expect(events).toContain('job done job-1');
    expect(events).toContain('drained 0');
    expect(events).toContain('worker closed');
    expect(events).toContain('whatsapp destroyed');
    expect(events).toContain('redis closed');
    expect(events).toContain('redis-server stopped');
    expect(events).not.toContain('handling late-person');
    // Order: the job finished before the worker closed, and Redis closed after the work was done.
    expect(events.indexOf('job done job-1')).toBeLessThan(events.indexOf('worker closed'));
    expect(events.indexOf('drained 0')).toBeLessThan(events.indexOf('redis closed'));
    expect(events.indexOf('redis closed')).toBeLessThan(events.indexOf('redis-server stopped'));

    // The private redis-server is gone, and its AOF holds the session saved by the work in flight.
    expect(await redisAnswers({ path: socket! })).toBe(false);
    const aofDir = path.join(dataDir, 'redis', 'appendonlydir');
    const aof = (await Promise.all((await readdir(aofDir)).map((f) => readFile(path.join(aofDir, f), 'latin1')))).join(
      '',
    );
    expect(aof).toContain(new RedisKeys('kf').session({ channel: 'console', id: 'in-flight-person' }));
    expect(aof).not.toContain('late-person');
  });

  it('gives up on a step that hangs, still closes the rest, and exits 1 within its budget', async () => {
    const codes: number[] = [];
    const done: string[] = [];
    const shutdown = new GracefulShutdown({ logger: silentLogger(), timeoutMs: 2_500, exit: (c) => codes.push(c) })
      .add('intake', 'channels', () => done.push('channels'))
      .add('services', 'stuck worker', () => new Promise(() => {}))
      .add('connections', 'redis', () => done.push('redis'))
      .add('storage', 'redis-server', () => done.push('redis-server'));
    expect(await shutdown.shutdown('test')).toBe(1);
    expect(codes).toEqual([1]);
    expect(done).toEqual(['channels', 'redis', 'redis-server']);
    // A second call does not run anything twice.
    expect(await shutdown.shutdown('again')).toBe(1);
    expect(done).toHaveLength(3);
  });

  it('logs a failing step and goes on with the others', async () => {
    const codes: number[] = [];
    const done: string[] = [];
    const shutdown = new GracefulShutdown({ logger: silentLogger(), exit: (c) => codes.push(c) })
      .add('intake', 'broken', () => {
        throw new Error('boom');
      })
      .add('drain', 'runtime', () => done.push('runtime'))
      .add('connections', 'redis', async () => done.push('redis'));
    expect(shutdown.stopping).toBe(false);
    expect(await shutdown.shutdown('test')).toBe(1);
    expect(shutdown.stopping).toBe(true);
    expect(done).toEqual(['runtime', 'redis']);
  });
});

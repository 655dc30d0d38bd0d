// Redis Sentinel: the bot finds the master through a sentinel, and after the master dies and the sentinel promotes
// the replica, the same connection carries on with the data (what docs/deployment.md describes for high availability).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRedis, parseSentinels, trackAvailability } from '../../src/infra/redis.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const children: ChildProcess[] = [];
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  }
});

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting: ${what}`);
}

function redisServer(args: string[]): ChildProcess {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  children.push(child);
  return child;
}

async function answers(port: number): Promise<boolean> {
  const probe = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } finally {
    probe.disconnect();
  }
}

describe('Redis Sentinel', () => {
  it('parses REDIS_SENTINELS', () => {
    expect(parseSentinels('10.0.0.1:26379, sentinel-b:26380,sentinel-c')).toEqual([
      { host: '10.0.0.1', port: 26379 },
      { host: 'sentinel-b', port: 26380 },
      { host: 'sentinel-c', port: 26379 },
    ]);
    expect(() => parseSentinels('host:99999')).toThrow('bad sentinel address');
  });

  it('follows a failover: the promoted replica serves the same data on the same connection', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kf-sentinel-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const [masterPort, replicaPort, sentinelPort] = [await freePort(), await freePort(), await freePort()];
    const common = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const master = redisServer(['--port', String(masterPort), '--dir', dir, '--dbfilename', 'm.rdb', ...common]);
    redisServer([
      '--port',
      String(replicaPort),
      '--dir',
      dir,
      '--dbfilename',
      'r.rdb',
      '--replicaof',
      '127.0.0.1',
      String(masterPort),
      ...common,
    ]);
    await until(() => answers(masterPort), 'master');
    await until(() => answers(replicaPort), 'replica');
    const conf = path.join(dir, 'sentinel.conf');
    await writeFile(
      conf,
      [
        `port ${sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor kf 127.0.0.1 ${masterPort} 1`,
        'sentinel down-after-milliseconds kf 1000',
        'sentinel failover-timeout kf 10000',
        '',
      ].join('\n'),
    );
    redisServer([conf, '--sentinel']);
    await until(() => answers(sentinelPort), 'sentinel');

    const redis = connectRedis({ sentinels: parseSentinels(`127.0.0.1:${sentinelPort}`), name: 'kf' });
    redis.on('error', () => undefined);
    cleanups.push(() => redis.disconnect());
    const available = trackAvailability(redis);
    await redis.set('{kf}:before-failover', 'kept');
    await until(async () => (await redis.wait(1, 1000)) >= 1, 'the replica to have the write');

    // The sentinel announces the promotion on its +switch-master channel: waited for as an event, not a time, since
    // on a saturated machine it takes longer than any fixed wait that passes on a quiet one.
    const announcements = new Redis({ port: sentinelPort, host: '127.0.0.1' });
    cleanups.push(() => announcements.disconnect());
    // A sentinel promotes only a replica it knows (it learns them from the master's INFO, every few seconds): on a
    // busy machine the master could otherwise die first, and no failover would ever come.
    const asker = new Redis({ port: sentinelPort, host: '127.0.0.1' });
    cleanups.push(() => asker.disconnect());
    await until(async () => {
      const replicas = (await asker.call('SENTINEL', 'REPLICAS', 'kf')) as string[][];
      return replicas.some((fields) => {
        const flags = fields[fields.indexOf('flags') + 1] ?? '';
        return fields.includes(String(replicaPort)) && !/disconnected|s_down/.test(flags);
      });
    }, 'the sentinel to know the replica');
    await announcements.subscribe('+switch-master');
    const switched = once(announcements, 'message');
    master.kill('SIGKILL');
    await switched;
    // The client asks the sentinel again and reconnects to the promoted replica.
    await until(async () => available() && (await redis.get('{kf}:before-failover')) === 'kept', 'the reconnection');
    await redis.set('{kf}:after-failover', 'written');
    const promoted = new Redis({ port: replicaPort, host: '127.0.0.1' });
    cleanups.push(() => promoted.disconnect());
    expect(await promoted.get('{kf}:after-failover')).toBe('written');
    expect((await promoted.info('replication')).includes('role:master')).toBe(true);
  }, 180_000);
});

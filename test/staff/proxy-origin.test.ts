// Bull Board's buttons behind a TLS reverse proxy: the browser's Origin is https://<public host>, while the bot sees
// plain http from the proxy. The same-origin check believes X-Forwarded-Proto/Host only from a peer TRUST_PROXY
// trusts; real sockets here, so the peer's address is the one a proxy on the same machine would have.
import { afterEach, expect, test } from 'vitest';
import { Client, type Console, createConsole } from './support/console.ts';

let k: Console | undefined;
afterEach(async () => {
  await k?.close();
  k = undefined;
});

const PUBLIC = 'https://bot.example.org';

async function pauseThroughProxy(
  trustProxy: string | boolean,
  originOf: string | ((port: number) => string),
  forwarded = true,
) {
  k = await createConsole({ trustProxy });
  const admin = await k.account('Chef', 'ame', 'admin');
  const c = new Client(k.app);
  await c.login(admin.id);
  const { port } = await k.server.listen();
  const res = await fetch(`http://127.0.0.1:${port}/admin/queues/api/queues/referrals/pause`, {
    method: 'PUT',
    headers: {
      cookie: `kf_session=${c.cookie('kf_session')}`,
      origin: typeof originOf === 'string' ? originOf : originOf(port),
      ...(forwarded ? { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'bot.example.org' } : {}),
    },
  });
  return { status: res.status, paused: await k.referrals.queue.isPaused() };
}

test('a trusted proxy (listed address) names the public origin: the button works', async () => {
  expect(await pauseThroughProxy('127.0.0.1,::1', PUBLIC)).toEqual({ status: 200, paused: true });
});

test('TRUST_PROXY=true trusts the one hop as well', async () => {
  expect(await pauseThroughProxy(true, PUBLIC)).toEqual({ status: 200, paused: true });
});

test('a peer that is not a trusted proxy cannot claim another origin with X-Forwarded headers', async () => {
  expect(await pauseThroughProxy('10.0.0.0/8', PUBLIC)).toEqual({ status: 403, paused: false });
});

test('with no proxy trusted, the forwarded headers are ignored', async () => {
  expect(await pauseThroughProxy(false, PUBLIC)).toEqual({ status: 403, paused: false });
});

test('behind a trusted proxy, another site is still refused', async () => {
  expect(await pauseThroughProxy(true, 'https://evil.example')).toEqual({ status: 403, paused: false });
});

test("without forwarded headers, the connection's own origin is the one (no proxy in front)", async () => {
  expect(await pauseThroughProxy(true, (port) => `http://127.0.0.1:${port}`, false)).toEqual({
    status: 200,
    paused: true,
  });
});

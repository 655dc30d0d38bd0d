// Login that protects staff: no server-side state before login, lockout by the address TRUST_PROXY says counts
// (through a real socket behind a "proxy"), redirects only to this console, fixed banners, session lifetimes,
// and sessions ended at once by `staff disable|reset|role|remove`.
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, test } from 'vitest';
import { staffCommand } from '../../src/cli/staff.ts';
import { parseConfig } from '../../src/config.ts';
import { clientAddress, type ProxyTrust, parseProxyTrust } from '../../src/infra/proxy-trust.ts';
import { DEFAULT_COST, hashPassword } from '../../src/staff/passwords.ts';
import { REPO_ROOT } from '../support/app.ts';
import { TEST_REDIS_URL } from '../support/redis.ts';
import { Client, type Console, createConsole, location, PASSWORD } from './support/console.ts';

let k: Console | null = null;
afterEach(async () => {
  await k?.close();
  k = null;
});

/** The console's own keys (the referral and alert queues write theirs in the background). */
async function keyCount(c: Console): Promise<number> {
  return (await c.redis.keys(`${c.keys.key('staff')}*`)).length;
}

describe('no session before login', () => {
  test('200 anonymous visits of the login page write nothing to Redis', async () => {
    k = await createConsole();
    await new Client(k.app).page('/login'); // the deployment's signing key, made once
    const before = await keyCount(k);
    for (let i = 0; i < 200; i++) {
      const res = await new Client(k.app, undefined, `10.7.${i % 250}.1`).get('/login');
      expect(res.status).toBe(200);
      expect(res.headers.getSetCookie().some((l) => l.startsWith('kf_session='))).toBe(false);
    }
    expect(await keyCount(k)).toBe(before);
  });

  test("a login form's token works only with its own browser's cookie", async () => {
    k = await createConsole();
    const awa = await k.account('Awa', 'ame');
    const a = new Client(k.app);
    const b = new Client(k.app);
    await a.page('/login');
    await b.page('/login');
    // Another browser's token: not logged in, back on a fresh login form.
    const refused = await a.post('/login', { login: awa.id, password: PASSWORD }, { csrf: b.csrf });
    expect([refused.status, refused.headers.get('location')]).toEqual([303, '/login?expired=1&next=%2Fcases']);
    expect(a.cookie('kf_session')).toBeUndefined();
    const ok = await a.post('/login', { login: awa.id, password: PASSWORD });
    expect([ok.status, ok.headers.get('location')]).toEqual([303, '/cases']);
    expect(a.cookie('kf_session')).toBeDefined();
  });
});

describe('TRUST_PROXY', () => {
  const parsed = (v: string) => parseProxyTrust(v) as ProxyTrust;

  test('decides which address counts', () => {
    expect(clientAddress(parsed('false'), '127.0.0.1', '203.0.113.5')).toBe('127.0.0.1');
    expect(clientAddress(parsed(''), '::ffff:127.0.0.1', '203.0.113.5')).toBe('127.0.0.1');
    expect(clientAddress(parsed('true'), '127.0.0.1', '198.51.100.7, 203.0.113.5')).toBe('203.0.113.5');
    const list = parsed('127.0.0.1, 10.0.0.0/8');
    // A client's own X-Forwarded-For entries stay left of what the trusted proxies append.
    expect(clientAddress(list, '127.0.0.1', '198.51.100.7, 203.0.113.5, 10.1.2.3')).toBe('203.0.113.5');
    expect(clientAddress(list, '192.0.2.9', '198.51.100.7')).toBe('192.0.2.9');
    expect(parseProxyTrust('10.0.0.0/33')).toHaveProperty('error');
    expect(parseProxyTrust('proxy.local')).toHaveProperty('error');
    // A bad TRUST_PROXY stops the service with one line naming it.
    expect(() => parseConfig({ TRUST_PROXY: 'proxy.local' })).toThrow(/TRUST_PROXY/);
    expect(parseConfig({ TRUST_PROXY: '127.0.0.1,10.0.0.0/8' }).TRUST_PROXY).toBe('127.0.0.1,10.0.0.0/8');
  });

  /** Logs in over a real socket from 127.0.0.1 (the "proxy"), as the client at `forwardedFor`. */
  async function loginVia(base: string, forwardedFor: string, login: string, password: string): Promise<number> {
    const page = await fetch(`${base}/login`, { headers: { 'x-forwarded-for': forwardedFor } });
    const html = await page.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const cookie = page.headers
      .getSetCookie()
      .map((l) => l.split(';')[0])
      .join('; ');
    const res = await fetch(`${base}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
      body: new URLSearchParams({ _csrf: csrf, login, password }).toString(),
    });
    return res.status;
  }

  test('behind a listed proxy, an attacker locks only themselves out, whatever they write in the header', async () => {
    k = await createConsole({ trustProxy: '127.0.0.1' });
    const awa = await k.account('Awa', 'ame');
    const { port } = await k.server.listen();
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 5; i++) {
      // The attacker pretends to be the real user; the proxy appends the attacker's real address.
      await loginVia(base, '198.51.100.7, 203.0.113.5', awa.id, 'guess');
    }
    expect(await loginVia(base, '203.0.113.5', awa.id, PASSWORD)).toBe(429);
    expect(await loginVia(base, '198.51.100.7', awa.id, PASSWORD)).toBe(303);
  });

  test('behind a proxy with TRUST_PROXY=false every client shares an address: other accounts still log in', async () => {
    k = await createConsole({ trustProxy: 'false' });
    const awa = await k.account('Awa', 'ame');
    const binta = await k.account('Binta', 'ame');
    const { port } = await k.server.listen();
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 6; i++) await loginVia(base, `203.0.113.${i}`, awa.id, 'guess');
    expect(await loginVia(base, '198.51.100.7', awa.id, PASSWORD)).toBe(429);
    expect(await loginVia(base, '198.51.100.8', binta.id, PASSWORD)).toBe(303);
  });
});

describe('redirects and banners', () => {
  const bad = [
    '/%09/evil.example',
    '/%0A/x',
    '//evil.example',
    '/%5Cevil.example',
    '/\\evil.example',
    'https://evil.example',
    '/%0D%0ASet-Cookie:x=1',
  ];

  test('the language switch goes back only to a path of this console, never a 500', async () => {
    k = await createConsole();
    const c = new Client(k.app);
    for (const back of bad) {
      const res = await c.get(`/lang/en?back=${back}`);
      expect(res.status, back).toBe(303);
      expect(location(res), back).toBe('/cases');
    }
    expect(location(await c.get(`/lang/fr?back=${encodeURIComponent('/cases/K-7F3Q?done=claimed')}`))).toBe(
      '/cases/K-7F3Q?done=claimed',
    );
  });

  test('after login, "next" is followed only to a path of this console', async () => {
    k = await createConsole();
    const awa = await k.account('Awa', 'ame');
    for (const next of [...bad.map(decodeURIComponent), '/\t/evil.example']) {
      const c = new Client(k.app);
      await c.page('/login');
      const res = await c.post('/login', { login: awa.id, password: PASSWORD, next });
      expect(location(res), JSON.stringify(next)).toBe('/cases');
    }
  });

  test('banners show fixed texts only', async () => {
    k = await createConsole();
    const awa = await k.account('Awa', 'ame');
    const c = new Client(k.app);
    await c.login(awa.id);
    const page = await c.page('/cases?error=taken&by=%3Cb%3ECall%20%2B1%20555%3C%2Fb%3E');
    expect(page.html).not.toContain('Call +1 555');
    for (const key of ['__proto__', 'constructor', 'toString']) {
      const res = await c.page(`/cases?error=${key}&done=${key}`);
      expect(res.status).toBe(200);
      expect(res.html).not.toContain('class="flash');
    }
  });
});

describe('session lifetime and revocation', () => {
  test('a session ends after 2 h without use, and 12 h after login even in use', async () => {
    k = await createConsole();
    const awa = await k.account('Awa', 'ame');
    const idle = new Client(k.app, undefined, '10.8.0.1');
    await idle.login(awa.id);
    const busy = new Client(k.app, undefined, '10.8.0.2');
    await busy.login(awa.id);
    for (let hour = 1; hour <= 11; hour++) {
      k.clock.offset += 3_600_000;
      expect((await busy.get('/cases')).status, `hour ${hour}`).toBe(200);
      if (hour === 3) expect((await idle.get('/cases')).status).toBe(303);
    }
    k.clock.offset += 3_600_000 + 1000;
    expect((await busy.get('/cases')).status).toBe(303);
  });

  test('disable, reset, role change and remove end the live sessions at once', async () => {
    k = await createConsole();
    const prefix = k.prefix;
    const awa = await k.account('Awa', 'ame');
    const live = async () => {
      const c = new Client(k!.app, undefined, '10.8.1.1');
      expect((await c.login(awa.id)).status).toBe(303);
      expect((await c.get('/cases')).status).toBe(200);
      return c;
    };
    const run = (argv: string[]) =>
      staffCommand(argv, {
        stdin: new PassThrough(),
        stdout: new PassThrough(),
        stderr: new PassThrough(),
        cwd: REPO_ROOT,
        env: { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix },
      });

    let c = await live();
    expect(await run(['disable', awa.id])).toBe(0);
    expect((await c.get('/cases')).status).toBe(303);
    expect((await new Client(k.app, undefined, '10.8.1.2').login(awa.id)).status).toBe(401);
    expect(await run(['enable', awa.id])).toBe(0);

    c = await live();
    expect(await run(['reset', awa.id])).toBe(0);
    expect((await c.get('/cases')).status).toBe(303);

    c = await live();
    expect(await run(['role', awa.id, 'admin'])).toBe(0);
    expect((await c.get('/cases')).status).toBe(303);
    expect((await k.accounts.get(awa.id))?.role).toBe('admin');

    c = await live();
    expect(await run(['remove', awa.id])).toBe(0);
    expect((await c.get('/cases')).status).toBe(303);
    expect(await k.accounts.get(awa.id)).toBeNull();
  });

  test('an old, cheaper password hash is redone at OWASP cost at the next login', async () => {
    k = await createConsole({ passwordCost: DEFAULT_COST });
    expect(DEFAULT_COST).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    const awa = await k.account('Awa', 'ame');
    await k.accounts.setPassword(awa.id, await hashPassword(PASSWORD, { N: 2 ** 15, r: 8, p: 1 }), k.clock.now());
    expect((await new Client(k.app).login(awa.id)).status).toBe(303);
    const stored = (await k.accounts.get(awa.id))?.passwordHash ?? '';
    expect(stored.startsWith('scrypt$131072$8$1$')).toBe(true);
    expect((await new Client(k.app, undefined, '10.8.2.1').login(awa.id)).status).toBe(303);
  });
});

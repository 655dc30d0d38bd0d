// Accounts, login, sessions, CSRF and lockout, over HTTP against the real app on real Redis.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/staff/passwords.ts';
import { Client, type Console, createConsole, location, PASSWORD } from './support/console.ts';

let k: Console;
beforeEach(async () => {
  k = await createConsole();
});
afterEach(async () => {
  await k.close();
});

describe('pages need a login', () => {
  test('every console page sends an anonymous visitor to the login page, coming back after', async () => {
    const { no } = await k.openCase();
    const c = new Client(k.app);
    for (const path of [
      '/cases',
      `/cases/${no}`,
      '/alerts',
      '/alerts/new',
      '/alerts/web-1',
      '/content',
      '/content/flows/main',
      '/channels',
      '/admin/queues',
    ]) {
      const res = await c.get(path);
      expect(res.status, path).toBe(303);
      expect(location(res), path).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
    const home = await c.get('/');
    expect(location(home)).toBe('/login');
  });

  test('a form posted without a login is refused, even with a valid token, and changes nothing', async () => {
    const { no } = await k.openCase();
    const c = new Client(k.app);
    await c.page('/login');
    const res = await c.post(`/cases/${no}/claim`);
    expect(res.status).toBe(401);
    expect((await k.referrals.summary(no))?.status).toBe('waiting');
  });

  test('after logging in, the person lands on the page they asked for', async () => {
    const awa = await k.account('Awa Traoré', 'ame');
    const c = new Client(k.app);
    await c.page('/login?next=%2Fcontent');
    const res = await c.post('/login', { login: awa.id, password: PASSWORD, next: '/content' });
    expect(res.status).toBe(303);
    expect(location(res)).toBe('/content');
    expect((await c.page('/content')).status).toBe(200);
  });

  test('a "next" pointing to another site is ignored', async () => {
    const awa = await k.account('Awa', 'ame');
    const c = new Client(k.app);
    await c.page('/login');
    const res = await c.post('/login', { login: awa.id, password: PASSWORD, next: '//evil.example/' });
    expect(location(res)).toBe('/cases');
  });
});

describe('login', () => {
  test('the session cookie is HttpOnly and SameSite=Strict, not Secure on http://127.0.0.1', async () => {
    const awa = await k.account('Awa', 'ame');
    const c = new Client(k.app);
    const res = await c.login(awa.id);
    const cookie = res.headers.getSetCookie().find((l) => l.startsWith('kf_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toMatch(/Secure/i);
  });

  test('the session cookie is Secure on any other address', async () => {
    const awa = await k.account('Awa', 'ame');
    const c = new Client(k.app, 'https://console.example.org');
    const res = await c.login(awa.id);
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((l) => l.startsWith('kf_session='))!;
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/HttpOnly/i);
  });

  test('behind a TLS proxy forwarding to 127.0.0.1, the cookie is Secure', async () => {
    const awa = await k.account('Awa', 'ame');
    const c = new Client(k.app);
    await c.page('/login');
    const res = await k.app.request('http://127.0.0.1:3000/login', {
      method: 'POST',
      headers: {
        cookie: `kf_form=${c.cookie('kf_form')}`,
        'content-type': 'application/x-www-form-urlencoded',
        'x-forwarded-proto': 'https',
      },
      body: new URLSearchParams({ _csrf: c.csrf, login: awa.id, password: PASSWORD }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().find((l) => l.startsWith('kf_session='))).toMatch(/; Secure/i);
  });

  test('a session id planted before login is worth nothing: login makes a new one', async () => {
    const awa = await k.account('Awa', 'ame');
    const c = new Client(k.app);
    const planted = 'p'.repeat(43);
    await c.page('/login');
    const res = await k.app.request('http://127.0.0.1:3000/login', {
      method: 'POST',
      headers: {
        cookie: `kf_form=${c.cookie('kf_form')}; kf_session=${planted}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ _csrf: c.csrf, login: awa.id, password: PASSWORD }).toString(),
    });
    expect(res.status).toBe(303);
    const given = /kf_session=([^;]+)/.exec(res.headers.getSetCookie().join('\n'))?.[1];
    expect(given).toBeDefined();
    expect(given).not.toBe(planted);
    const stale = await k.app.request('http://127.0.0.1/cases', { headers: { cookie: `kf_session=${planted}` } });
    expect(stale.status).toBe(303);
  });

  test('a wrong password or an unknown name gets the same answer', async () => {
    const awa = await k.account('Awa', 'ame');
    const c = new Client(k.app);
    const wrong = await c.login(awa.id, 'not the password');
    const unknown = await c.login('nobody-here', 'not the password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.text()).toContain('Wrong login name or password.');
    expect(await unknown.text()).toContain('Wrong login name or password.');
    expect((await c.get('/cases')).status).toBe(303);
  });

  test('five bad passwords of an account from one address lock that address out of that account only', async () => {
    const awa = await k.account('Awa', 'ame');
    const binta = await k.account('Binta', 'ame');
    for (let i = 0; i < 4; i++) {
      expect((await new Client(k.app, undefined, '10.0.1.1').login(awa.id, 'guess')).status).toBe(401);
    }
    const fifth = await new Client(k.app, undefined, '10.0.1.1').login(awa.id, 'guess');
    expect(fifth.status).toBe(429);
    expect(await fifth.text()).toContain('Too many failed attempts');
    expect((await new Client(k.app, undefined, '10.0.1.1').login(awa.id, PASSWORD)).status).toBe(429);
    // Another account from the same address, and the same account from elsewhere, still log in.
    expect((await new Client(k.app, undefined, '10.0.1.1').login(binta.id, PASSWORD)).status).toBe(303);
    expect((await new Client(k.app, undefined, '10.0.2.1').login(awa.id, PASSWORD)).status).toBe(303);
  });

  test('guessing spread over many addresses locks the account, but not on a browser that logged into it before', async () => {
    const awa = await k.account('Awa', 'ame');
    const usual = new Client(k.app, undefined, '10.0.5.1');
    expect((await usual.login(awa.id)).status).toBe(303);
    await usual.page('/cases');
    await usual.post('/logout');
    for (let i = 0; i < 9; i++) {
      expect((await new Client(k.app, undefined, `10.0.6.${i}`).login(awa.id, 'guess')).status).toBe(401);
    }
    expect((await new Client(k.app, undefined, '10.0.6.99').login(awa.id, 'guess')).status).toBe(429);
    expect((await new Client(k.app, undefined, '10.0.7.1').login(awa.id, PASSWORD)).status).toBe(429);
    expect((await usual.login(awa.id)).status).toBe(303);
  });

  test('an address failing on many names never blocks another account of the same address', async () => {
    const awa = await k.account('Awa', 'ame');
    for (let i = 0; i < 20; i++) await new Client(k.app, undefined, '10.9.9.9').login(`guess-${i % 4}`, 'guess');
    expect((await new Client(k.app, undefined, '10.9.9.9').login(awa.id, PASSWORD)).status).toBe(303);
  });

  test('a good password clears the count of bad ones for the account', async () => {
    const awa = await k.account('Awa', 'ame');
    for (let i = 0; i < 4; i++) await new Client(k.app, undefined, `10.3.0.${i}`).login(awa.id, 'guess');
    expect((await new Client(k.app, undefined, '10.3.1.1').login(awa.id, PASSWORD)).status).toBe(303);
    expect((await new Client(k.app, undefined, '10.3.1.2').login(awa.id, 'guess')).status).toBe(401);
  });

  test('logging out ends the session', async () => {
    const awa = await k.account('Awa', 'ame');
    const c = new Client(k.app);
    await c.login(awa.id);
    const sid = c.cookie('kf_session')!;
    await c.page('/cases');
    const res = await c.post('/logout');
    expect(location(res)).toBe('/login');
    const again = await k.app.request('http://127.0.0.1/cases', { headers: { cookie: `kf_session=${sid}` } });
    expect(again.status).toBe(303);
  });
});

describe('CSRF', () => {
  test('a form without the token, or with another session token, is refused and changes nothing', async () => {
    const awa = await k.account('Awa', 'ame');
    const other = await k.account('Binta', 'ame');
    const { no } = await k.openCase();
    const c = new Client(k.app);
    await c.login(awa.id);
    await c.page('/cases');
    const d = new Client(k.app);
    await d.login(other.id);
    await d.page('/cases');

    const none = await c.post(`/cases/${no}/claim`, {}, { csrf: false });
    expect(none.status).toBe(403);
    const foreign = await c.post(`/cases/${no}/claim`, {}, { csrf: d.csrf });
    expect(foreign.status).toBe(403);
    const forged = await c.post(`/cases/${no}/claim`, {}, { csrf: 'x'.repeat(43) });
    expect(forged.status).toBe(403);
    expect((await k.referrals.summary(no))?.status).toBe('waiting');

    const good = await c.post(`/cases/${no}/claim`);
    expect(good.status).toBe(303);
    expect((await k.referrals.summary(no))?.claimedBy).toBe(`web:${awa.id}`);
  });

  test('the login form itself needs the token', async () => {
    const awa = await k.account('Awa', 'ame');
    const c = new Client(k.app);
    await c.page('/login');
    const res = await c.post('/login', { login: awa.id, password: PASSWORD }, { csrf: false });
    // Not logged in: back on a fresh login form that says why.
    expect(res.status).toBe(303);
    expect(location(res)).toBe('/login?expired=1&next=%2Fcases');
    expect(c.cookie('kf_session')).toBeUndefined();
    expect(location(await c.get('/cases'))).toBe('/login?next=%2Fcases');
  });

  test('logging out needs the token too', async () => {
    const awa = await k.account('Awa', 'ame');
    const c = new Client(k.app);
    await c.login(awa.id);
    expect((await c.post('/logout', {}, { csrf: false })).status).toBe(403);
    expect((await c.get('/cases')).status).toBe(200);
  });
});

describe('password set-up link', () => {
  test('sets the password once, logs the person in, and cannot be used again', async () => {
    const account = await k.accounts.create({ name: 'Moussa Keïta', partner: 'aracem', role: 'staff' }, Date.now());
    expect(account.id).toBe('moussa-keita');
    const token = await k.accounts.newSetupToken(account.id);
    const c = new Client(k.app);
    const form = await c.page(`/setup/${token}`);
    expect(form.status).toBe(200);
    expect(form.html).toContain('Moussa Keïta');

    const mismatch = await c.post(`/setup/${token}`, { password: 'a long password 1', confirm: 'another one' });
    expect(mismatch.status).toBe(400);
    const short = await c.post(`/setup/${token}`, { password: 'short', confirm: 'short' });
    expect(short.status).toBe(400);

    const ok = await c.post(`/setup/${token}`, { password: 'a long password 1', confirm: 'a long password 1' });
    expect(ok.status).toBe(303);
    expect(location(ok)).toBe('/cases?done=password');
    expect((await c.page(location(ok))).html).toContain('Your password is saved.');

    expect((await new Client(k.app).page(`/setup/${token}`)).status).toBe(404);
    const stored = (await k.accounts.get(account.id))!.passwordHash!;
    expect(stored).not.toContain('a long password 1');
    expect(await verifyPassword('a long password 1', stored)).toBe(true);
    expect((await new Client(k.app, undefined, '10.4.0.1').login(account.id, 'a long password 1')).status).toBe(303);
  });

  test('a new password ends the sessions opened with the old one', async () => {
    const awa = await k.account('Awa', 'ame');
    const old = new Client(k.app);
    await old.login(awa.id);
    const token = await k.accounts.newSetupToken(awa.id);
    const c = new Client(k.app);
    await c.page(`/setup/${token}`);
    await c.post(`/setup/${token}`, { password: 'a brand new password', confirm: 'a brand new password' });
    expect((await old.get('/cases')).status).toBe(303);
  });

  test('an unknown or expired link is a 404', async () => {
    const account = await k.accounts.create({ name: 'Awa', partner: 'ame', role: 'staff' }, Date.now());
    const token = await k.accounts.newSetupToken(account.id, 1);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await new Client(k.app).page(`/setup/${token}`)).status).toBe(404);
    expect((await new Client(k.app).page('/setup/not-a-token-at-all-xxxxxx')).status).toBe(404);
  });
});

test('passwords are salted: the same password gives two different hashes, both verifying', async () => {
  const a = await hashPassword('same password here');
  const b = await hashPassword('same password here');
  expect(a).not.toBe(b);
  expect(await verifyPassword('same password here', a)).toBe(true);
  expect(await verifyPassword('same password herE', a)).toBe(false);
});

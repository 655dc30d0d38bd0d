// No console page strands anyone: refusals and failures are pages in the console's language with a way on, a form
// left open too long ends on a fresh form, and a reply that could not go keeps what was typed.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Client, type Console, createConsole, errorOf, location, PASSWORD } from './support/console.ts';

let k: Console;
beforeEach(async () => {
  k = await createConsole();
});
afterEach(async () => {
  await k.close();
});

async function staff(role: 'staff' | 'admin' = 'staff', lang = 'en') {
  const account = await k.account(`Err ${Math.random()}`, 'ame', role);
  const c = new Client(k.app, undefined, `10.7.${Math.floor(Math.random() * 250)}.1`);
  if (lang === 'fr') await c.get('/lang/fr');
  expect((await c.login(account.id)).status).toBe(303);
  await c.page('/cases');
  return c;
}

function isPage(res: Response, html: string) {
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(html).toMatch(/^<!doctype html><html lang="(fr|en)">/);
}

describe('error pages', () => {
  test('404, 403 and 405 are pages in the reader’s language with a way back', async () => {
    const c = await staff('staff', 'fr');
    const missing = await c.get('/cases/K-ZZZZ');
    const missingHtml = await missing.text();
    expect(missing.status).toBe(404);
    isPage(missing, missingHtml);
    expect(missingHtml).toContain('<html lang="fr">');
    expect(errorOf(missingHtml)).toContain('Ce dossier n’existe pas.');
    expect(errorOf(missingHtml)).toContain('href="/cases"');

    const nowhere = await c.get('/no/such/page');
    const nowhereHtml = await nowhere.text();
    expect(nowhere.status).toBe(404);
    isPage(nowhere, nowhereHtml);
    expect(errorOf(nowhereHtml)).toContain('Page introuvable');
    expect(errorOf(nowhereHtml)).toContain('Cette adresse n’existe pas dans la console.');

    const admin = await c.get('/templates');
    expect(admin.status).toBe(403);
    expect(errorOf(await admin.text())).toContain('Réservé aux administrateurs.');

    // A form's address opened directly (a bookmark, a reload after a failed post).
    const { no } = await k.openCase();
    const wrongMethod = await c.get(`/cases/${no}/claim`);
    const wrongHtml = await wrongMethod.text();
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(errorOf(wrongHtml)).toContain('elle sert à un bouton d’une page de la console');
    expect(errorOf(wrongHtml)).toContain(`href="/cases/${no}"`);
  });

  test('a form posted after the session ended says so and offers to log in again, back to the case', async () => {
    const c = await staff();
    const { no } = await k.openCase();
    await c.post('/logout');
    const res = await c.post(`/cases/${no}/claim`);
    const html = await res.text();
    expect(res.status).toBe(401);
    isPage(res, html);
    expect(errorOf(html)).toContain('You are not logged in any more');
    expect(errorOf(html)).toContain(`href="/login?next=${encodeURIComponent(`/cases/${no}`)}"`);
    expect((await k.referrals.summary(no))?.status).toBe('waiting');
  });

  test('a form of an older session (expired token) is a page that says to reload, and changes nothing', async () => {
    const c = await staff();
    const { no } = await k.openCase();
    const res = await c.post(`/cases/${no}/claim`, {}, { csrf: 'x'.repeat(43) });
    const html = await res.text();
    expect(res.status).toBe(403);
    isPage(res, html);
    expect(errorOf(html)).toContain('The form has expired. Go back, reload the page and try again.');
    expect(errorOf(html)).toContain(`href="/cases/${no}"`);
    expect((await k.referrals.summary(no))?.status).toBe('waiting');
  });

  test('a server failure is a 500 page, not a bare text', async () => {
    const c = await staff();
    const original = k.referrals.listQueue.bind(k.referrals);
    k.referrals.listQueue = async () => {
      throw new Error('boom');
    };
    try {
      const res = await c.get('/cases');
      const html = await res.text();
      expect(res.status).toBe(500);
      isPage(res, html);
      expect(errorOf(html)).toContain('What you did may not be saved');
    } finally {
      k.referrals.listQueue = original;
    }
  });

  test('the machine endpoints keep their plain answers', async () => {
    const res = await k.app.request('http://127.0.0.1:3000/metrics', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  });
});

describe('a login form left open past its token’s life', () => {
  test('ends on a fresh login form that says why, keeping where the person was going; logging in then works', async () => {
    const awa = await k.account('Awa', 'ame');
    const c = new Client(k.app);
    await c.page('/login?next=%2Foutcomes');
    // The form's signed token lasts an hour.
    k.clock.offset += 61 * 60_000;
    const res = await c.post('/login', { login: awa.id, password: PASSWORD, next: '/outcomes' });
    expect(res.status).toBe(303);
    expect(location(res)).toBe('/login?expired=1&next=%2Foutcomes');
    const again = await c.page(location(res));
    expect(again.status).toBe(200);
    expect(again.html).toContain('This page was open a long time, so for your safety it was renewed.');
    expect(again.html).toContain('name="next" value="/outcomes"');
    const ok = await c.post('/login', { login: awa.id, password: PASSWORD, next: '/outcomes' });
    expect(location(ok)).toBe('/outcomes');
  });
});

describe('a reply that could not go', () => {
  test('keeps the typed text in the reply box, with the reason', async () => {
    const c = await staff('admin');
    const { no, chat } = await k.openCase();
    await c.page(`/cases/${no}`);
    expect(location(await c.post(`/cases/${no}/claim`))).toBe(`/cases/${no}?done=claimed`);
    const send = k.outbox.send.bind(k.outbox);
    k.outbox.send = async () => {
      throw new Error('network down');
    };
    const typed = 'Bonjour, venez demain à 9 h <au local>.';
    try {
      const res = await c.post(`/cases/${no}/reply`, { text: typed });
      const html = await res.text();
      expect(res.status).toBe(409);
      expect(html).toContain('The reply could not be delivered. Try again later.');
      expect(html).toContain('>Bonjour, venez demain à 9 h &lt;au local&gt;.</textarea>');
      expect(k.outbox.textsTo(chat)).not.toContain(typed);
    } finally {
      k.outbox.send = send;
    }
    // Sent again from the kept text, it goes.
    expect(location(await c.post(`/cases/${no}/reply`, { text: typed }))).toBe(`/cases/${no}?done=replied`);
    expect(k.outbox.textsTo(chat)).toContain(typed);
  });
});

describe('more ways a page could strand someone', () => {
  test('a form too large for the console is a 413 page, not a bare text', async () => {
    const c = await staff();
    const { no } = await k.openCase();
    const res = await c.post(`/cases/${no}/note`, { text: 'x'.repeat(70_000) });
    const html = await res.text();
    expect(res.status).toBe(413);
    isPage(res, html);
    expect(errorOf(html)).toContain('What you sent is too large.');
  });

  test('a set-up form left open past its token’s life returns to the same set-up link, which still works', async () => {
    const awa = await k.account('Awa', 'ame');
    const token = await k.accounts.newSetupToken(awa.id);
    const c = new Client(k.app);
    await c.page(`/setup/${token}`);
    k.clock.offset += 61 * 60_000;
    const res = await c.post(`/setup/${token}`, {
      password: 'a long enough password',
      confirm: 'a long enough password',
    });
    expect(location(res)).toBe(`/setup/${token}?expired=1`);
    const again = await c.page(location(res));
    expect(again.html).toContain('Please type your password again.');
    const done = await c.post(`/setup/${token}`, {
      password: 'a long enough password',
      confirm: 'a long enough password',
    });
    expect(location(done)).toBe('/cases?done=password');
  });
});

describe('words instead of codes', () => {
  test('the queue and the case say "Français · Telegram"; the channels page says how Telegram is heard', async () => {
    await k.close();
    k = await createConsole({ telegramStatus: async () => ({ mode: 'off' }) });
    const c = await staff('admin');
    const { no } = await k.openCase();
    const queue = (await c.page('/cases')).html;
    expect(queue).toContain(' · Français · Telegram</span>');
    expect(queue).not.toContain('fr · telegram');
    const item = (await c.page(`/cases/${no}`)).html;
    expect(item).toContain('<dt>Channel</dt><dd>Telegram</dd>');
    const channels = (await c.page('/channels')).html;
    expect(channels).toContain('not receiving messages (the bot is not started)');
    expect(channels).not.toMatch(/>off</);
  });
});

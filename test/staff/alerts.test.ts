// The alert pages over HTTP: compose, preview per language and platform with the audience, confirm, and the live
// progress of the broadcast — on the real alerts service, its BullMQ workers and Redis.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startAlertWorkers } from '../../src/alerts/broadcast-worker.ts';
import { silentLogger } from '../../src/infra/logger.ts';
import { Client, type Console, createConsole, location } from './support/console.ts';

let k: Console;
let c: Client;
beforeEach(async () => {
  k = await createConsole();
  // Publishing reaches every subscriber: administrators only (staff: see 'who may publish').
  const awa = await k.account('Awa', 'ame', 'admin');
  c = new Client(k.app);
  await c.login(awa.id);
  await c.page('/alerts/new');
});
afterEach(async () => {
  await k.close();
});

const FORM = {
  text_fr: 'La frontière de <Gogui> est fermée & gardée.\n\nRestez prudents.',
  text_en: 'The Gogui border is closed.',
  text_bm: '',
  topics: ['urgent'],
  regions: ['all'],
  send_at: '',
  expires_at: '',
};

let nextChat = 5000;
async function subscribe(n: number, lang: 'fr' | 'en' | 'bm', topic = 'urgent') {
  for (let i = 0; i < n; i++) {
    await k.subscriptions.subscribe({ channel: 'telegram', id: String(nextChat++) }, [topic], lang, 'bamako');
  }
}

describe('compose and preview', () => {
  test('the compose page offers the alert topics and regions of the content', async () => {
    const { html } = await c.page('/alerts/new');
    for (const topic of k.bundle.content.alertTopics) expect(html).toContain(`value="${topic.id}"`);
    for (const region of k.bundle.content.regions) expect(html).toContain(`value="${region.id}"`);
    expect(html).toContain('name="send_at"');
  });

  test('a preview shows each language as Telegram will, escaped, with the fallback and the audience', async () => {
    await subscribe(3, 'fr');
    await subscribe(2, 'en');
    await subscribe(1, 'fr', 'travel');
    const res = await c.post('/alerts/preview', FORM);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('5 people will get this alert');
    expect(html).toContain('fr: 3');
    expect(html).toContain('en: 2');
    expect(html).toContain('La frontière de &lt;Gogui&gt; est fermée &amp; gardée.');
    expect(html).not.toContain('<Gogui>');
    expect(html).toContain('The Gogui border is closed.');
    expect(html).toMatch(/Bamanankan<\/h3><p class="note">no text in this language: the French text is sent/);
    expect(html).toContain('Alerts are never sent over WhatsApp');
    expect(html).toContain('action="/alerts/publish"');
  });

  test('a form with problems comes back with every problem, and nothing is published', async () => {
    const res = await c.post('/alerts/preview', { ...FORM, text_fr: '', topics: [], send_at: '2001-01-01T10:00' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('The French text is required');
    expect(html).toContain('Choose at least one topic.');
    expect(html).toContain('The sending time is in the past.');
    expect(html).toContain('The Gogui border is closed.');
    expect(await k.redis.zcard(k.broadcast.alertKeys.index)).toBe(0);
  });

  test('"Edit" brings the form back filled in', async () => {
    const res = await c.post('/alerts/new', FORM);
    const html = await res.text();
    expect(html).toContain('The Gogui border is closed.</textarea>');
    expect(html).toMatch(/value="urgent" checked/);
  });

  test('publishing needs the CSRF token', async () => {
    const res = await c.post('/alerts/publish', FORM, { csrf: false });
    expect(res.status).toBe(403);
    expect(await k.redis.zcard(k.broadcast.alertKeys.index)).toBe(0);
  });
});

describe('publish and progress', () => {
  test('a scheduled alert shows as scheduled, updates in place without reloading, and says nothing can send it', async () => {
    await subscribe(2, 'fr');
    const later = new Date(Date.now() + 3600_000).toISOString().slice(0, 16);
    const res = await c.post('/alerts/publish', { ...FORM, send_at: later });
    expect(res.status).toBe(303);
    const id = location(res).replace('/alerts/', '');
    expect(id).toMatch(/^web-\d{8}-\d{4}-[0-9a-f]{6}$/);
    const { html } = await c.page(location(res));
    // No full-page reload: a script fetches the live part and swaps it in (allowed by the page's CSP).
    expect(html).not.toContain('http-equiv="refresh"');
    expect(html).toContain('<script src="/alerts/live.js" defer></script>');
    expect(html).toContain(`data-src="/alerts/${id}/progress"`);
    const script = await c.get('/alerts/live.js');
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toContain("getElementById('alert-live')");
    const live = await c.get(`/alerts/${id}/progress`);
    expect(live.status).toBe(200);
    const fragment = await live.text();
    expect(fragment).toMatch(/^<div id="alert-live"/);
    expect(fragment).toContain('data-done="0"');
    // No bot with Telegram runs in this test: said plainly.
    expect(html).toContain('waiting: Telegram is not connected');
    expect(html).toContain('scheduled');
    expect(html).toContain('Published by Awa');
    expect((await c.page('/alerts')).html).toContain(id);
  });

  test('a broadcast runs to the end: the page counts every message sent and stops refreshing', async () => {
    await subscribe(3, 'fr');
    await subscribe(1, 'en');
    const sent: { chat: string; text: string }[] = [];
    const workers = await startAlertWorkers(
      {
        broadcast: k.broadcast,
        redis: k.redis,
        sender: {
          channel: 'telegram',
          send: async (chat, text) => {
            sent.push({ chat, text });
            return { kind: 'sent', messageId: String(sent.length) };
          },
        },
        subscriptions: k.subscriptions,
        clock: k.clock,
        logger: silentLogger(),
      },
      { ratePerSecond: 100 },
    );
    try {
      const res = await c.post('/alerts/publish', FORM);
      const path = location(res);
      let html = '';
      for (let i = 0; i < 200; i++) {
        html = (await c.page(path)).html;
        if (html.includes('id="state">done')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(html).toContain('id="state">done');
      expect(html).toContain('<td id="sent">4</td>');
      expect(html).not.toContain('http-equiv="refresh"');
      // Done: the page no longer updates itself, and a bot was sending.
      expect(html).not.toContain('/alerts/live.js');
      expect(html).not.toContain('waiting: Telegram is not connected');
      expect(sent).toHaveLength(4);
      expect(sent.filter((s) => s.text === 'The Gogui border is closed.')).toHaveLength(1);
    } finally {
      await workers.close();
    }
  });

  test('an unknown alert is a 404', async () => {
    expect((await c.get('/alerts/web-nope')).status).toBe(404);
  });
});

describe('who may publish', () => {
  test('a staff member gets 403 on composing, previewing and publishing, and no "New alert" link', async () => {
    await subscribe(2, 'fr');
    const staff = await k.account('Moussa', 'aracem');
    const s = new Client(k.app, undefined, '10.0.0.9');
    await s.login(staff.id);
    expect((await s.get('/alerts/new')).status).toBe(403);
    // A page with the session's CSRF token (the log-out form), so only the role can refuse the posts below.
    const list = await s.page('/alerts');
    expect(list.status).toBe(200);
    expect(list.html).not.toContain('href="/alerts/new"');
    expect(s.csrf).not.toBe('');
    expect((await s.post('/alerts/new', FORM)).status).toBe(403);
    expect((await s.post('/alerts/preview', FORM)).status).toBe(403);
    expect((await s.post('/alerts/publish', FORM)).status).toBe(403);
    expect(await k.redis.zcard(k.broadcast.alertKeys.index)).toBe(0);
    expect(await k.broadcast.fanoutQueue.count()).toBe(0);
  });

  test('an administrator composes, previews and publishes; staff can then follow the alert', async () => {
    expect((await c.get('/alerts/new')).status).toBe(200);
    expect((await c.page('/alerts')).html).toContain('href="/alerts/new"');
    expect((await c.post('/alerts/preview', FORM)).status).toBe(200);
    const later = new Date(Date.now() + 3600_000).toISOString().slice(0, 16);
    const res = await c.post('/alerts/publish', { ...FORM, send_at: later });
    expect(res.status).toBe(303);
    const path = location(res);

    const staff = await k.account('Moussa', 'aracem');
    const s = new Client(k.app, undefined, '10.0.0.9');
    await s.login(staff.id);
    const progress = await s.page(path);
    expect(progress.status).toBe(200);
    expect(progress.html).toContain('scheduled');
    expect((await s.page('/alerts')).html).toContain(path.replace('/alerts/', ''));
  });
});

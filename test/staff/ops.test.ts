// Machine endpoints (/healthz, /metrics, the Telegram webhook) and the admin-only Bull Board.
import type { Update } from 'grammy/types';
import { afterEach, describe, expect, test } from 'vitest';
import { createWebhookHandler } from '../../src/channels/telegram/webhook.ts';
import { silentLogger } from '../../src/infra/logger.ts';
import { Client, type Console, createConsole, location } from './support/console.ts';

let k: Console;
afterEach(async () => {
  await k.close();
});

describe('/healthz', () => {
  test('200 when Redis answers and channels are connected (the default check pings the real Redis)', async () => {
    k = await createConsole({ whatsappState: () => ({ state: 'ready', since: 0 }) });
    const res = await k.app.request('http://127.0.0.1/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, redis: true, channels: { whatsapp: 'ready' } });
  });

  test('WhatsApp down: /healthz (liveness) stays 200, /healthz/ready says which channel is not ready', async () => {
    const nextTryAt = Date.UTC(2026, 0, 5, 9, 0, 30);
    k = await createConsole((r) => ({
      whatsappState: () => ({
        state: 'reconnecting',
        reason: 'Chromium closed unexpectedly',
        attempt: 2,
        nextTryAt,
        since: 0,
      }),
      health: async () => ({
        redis: (await r.redis.ping()) === 'PONG',
        channels: { telegram: 'polling', whatsapp: 'reconnecting' },
      }),
    }));
    const live = await k.app.request('http://127.0.0.1/healthz');
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ ok: true, redis: true });
    const ready = await k.app.request('http://127.0.0.1/healthz/ready');
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      ok: false,
      redis: true,
      channels: {
        telegram: { state: 'polling', ready: true },
        whatsapp: {
          state: 'reconnecting',
          ready: false,
          reason: 'Chromium closed unexpectedly',
          attempt: 2,
          nextTryAt: '2026-01-05T09:00:30.000Z',
        },
      },
    });
  });

  test('/healthz/ready is 200 when every configured channel is up; a channel that is off is not held against it', async () => {
    k = await createConsole({
      health: async () => ({ redis: true, channels: { telegram: 'polling', whatsapp: 'off' } }),
    });
    const res = await k.app.request('http://127.0.0.1/healthz/ready');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      redis: true,
      channels: {
        telegram: { state: 'polling', ready: true },
        whatsapp: { state: 'off', ready: false, configured: false },
      },
    });
  });

  test('503 when Redis is unreachable; a channel that is off is not held against the service', async () => {
    let redis = true;
    k = await createConsole({ health: async () => ({ redis, channels: { telegram: 'polling', whatsapp: 'off' } }) });
    expect((await k.app.request('http://127.0.0.1/healthz')).status).toBe(200);
    redis = false;
    const res = await k.app.request('http://127.0.0.1/healthz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ok: false, redis: false, channels: { telegram: 'polling', whatsapp: 'off' } });
  });

  test('needs no login', async () => {
    k = await createConsole();
    expect((await k.app.request('http://127.0.0.1/healthz')).headers.get('content-type')).toMatch(/json/);
  });
});

describe('/metrics', () => {
  test('exposes updates, replies, latency, queue depths, 429s and the WhatsApp state', async () => {
    k = await createConsole({ whatsappState: () => ({ state: 'qr', since: 0 }) });
    await k.referrals.intake(
      { channel: 'telegram', id: '4242' },
      { type: 'refer', intakeId: 'm1', need: 'legal', region: 'bamako', fields: {} },
      'fr',
    );
    k.metrics.updates.inc({ channel: 'telegram' }, 3);
    k.metrics.replies.inc({ channel: 'telegram', kind: 'reply' }, 2);
    k.metrics.latency.observe({ channel: 'telegram' }, 0.02);
    k.metrics.rateLimited.inc({ channel: 'telegram' });
    const res = await k.app.request('http://127.0.0.1/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toContain('kunnafoni_updates_total{channel="telegram"} 3');
    expect(text).toContain('kunnafoni_replies_total{channel="telegram",kind="reply"} 2');
    expect(text).toContain('kunnafoni_update_latency_seconds_count{channel="telegram"} 1');
    expect(text).toContain('kunnafoni_queue_jobs{queue="referrals",state="waiting"} 1');
    expect(text).toContain('kunnafoni_queue_jobs{queue="alerts-send",state="waiting"} 0');
    expect(text).toContain('kunnafoni_rate_limited_total{channel="telegram"} 1');
    expect(text).toContain('kunnafoni_whatsapp_state{state="qr"} 1');
    expect(text).toContain('kunnafoni_whatsapp_state{state="ready"} 0');
  });
});

describe('POST /telegram/webhook', () => {
  test('mounts the Telegram handler: wrong secret 401, a repeated update processed once', async () => {
    const seen: number[] = [];
    k = await createConsole((r) => ({
      telegramWebhook: createWebhookHandler({
        secret: 's3cret',
        redis: r.redis,
        keys: r.keys,
        dispatch: (u: Update) => void seen.push(u.update_id),
        ready: () => true,
        logger: silentLogger(),
      }),
    }));
    const post = (secret: string) =>
      k.app.request('http://127.0.0.1/telegram/webhook', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        body: JSON.stringify({ update_id: 77, message: { message_id: 1, date: 0, chat: { id: 1, type: 'private' } } }),
      });
    expect((await post('wrong')).status).toBe(401);
    expect((await post('s3cret')).status).toBe(200);
    expect((await post('s3cret')).status).toBe(200);
    expect(seen).toEqual([77]);
  });

  test('absent when no handler is given', async () => {
    k = await createConsole();
    const res = await k.app.request('http://127.0.0.1/telegram/webhook', { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
  });
});

describe('Bull Board at /admin/queues', () => {
  test('anonymous visitors go to the login page; staff get 403', async () => {
    k = await createConsole();
    expect(location(await new Client(k.app).get('/admin/queues'))).toBe('/login?next=%2Fadmin%2Fqueues');
    expect((await new Client(k.app).get('/admin/queues/api/queues')).status).toBe(303);
    const staff = await k.account('Awa', 'ame');
    const c = new Client(k.app);
    await c.login(staff.id);
    expect((await c.get('/admin/queues')).status).toBe(403);
    expect((await c.get('/admin/queues/api/queues')).status).toBe(403);
    expect((await c.page('/cases')).html).not.toContain('href="/admin/queues"');
  });

  test('administrators see the queues; the page loads nothing from other sites', async () => {
    k = await createConsole();
    const admin = await k.account('Chef', 'ame', 'admin');
    const c = new Client(k.app);
    await c.login(admin.id);
    const res = await c.get('/admin/queues');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('static/js/main');
    expect(html).not.toContain('googleapis');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const script = /src="(static\/js\/main[^"]+)"/.exec(html)![1]!;
    expect((await c.get(`/admin/queues/${script}`)).status).toBe(200);
    const api = await c.get('/admin/queues/api/queues');
    expect(api.status).toBe(200);
    const names = ((await api.json()) as { queues: { name: string }[] }).queues.map((q) => q.name).sort();
    expect(names).toEqual(['alerts-fanout', 'alerts-send', 'referrals']);
  });

  test("Bull Board's own API calls must come from the console's origin", async () => {
    k = await createConsole();
    const admin = await k.account('Chef', 'ame', 'admin');
    const c = new Client(k.app);
    await c.login(admin.id);
    const pause = (origin?: string) =>
      k.app.request('http://127.0.0.1:3000/admin/queues/api/queues/referrals/pause', {
        method: 'PUT',
        headers: { cookie: `kf_session=${c.cookie('kf_session')}`, ...(origin ? { origin } : {}) },
      });
    expect((await pause()).status).toBe(403);
    expect((await pause('https://evil.example')).status).toBe(403);
    expect(await k.referrals.queue.isPaused()).toBe(false);
    expect((await pause('http://127.0.0.1:3000')).status).toBeLessThan(300);
    expect(await k.referrals.queue.isPaused()).toBe(true);
  });
});

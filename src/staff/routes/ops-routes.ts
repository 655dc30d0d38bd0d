// Machine endpoints: health, Prometheus metrics, and the Telegram webhook.
import type { Hono } from 'hono';
import type { ServerDeps, StaffEnv } from '../context.ts';

/** Channel states that count as connected; "off" and "disabled" (not configured) are not judged. */
const UP = new Set(['ready', 'connected', 'polling', 'webhook', 'ok', 'running']);
const NOT_CONFIGURED = new Set(['off', 'disabled']);

export function opsRoutes(app: Hono<StaffEnv>, deps: ServerDeps): void {
  app.get('/healthz', async (c) => {
    let report: Awaited<ReturnType<ServerDeps['health']>>;
    try {
      report = await deps.health();
    } catch {
      report = { redis: false, channels: {} };
    }
    const channelsUp = Object.values(report.channels).every((s) => UP.has(s) || NOT_CONFIGURED.has(s));
    const ok = report.redis && channelsUp;
    return c.json({ ok, redis: report.redis, channels: report.channels }, ok ? 200 : 503, {
      'cache-control': 'no-store',
    });
  });

  app.get('/metrics', async (c) => {
    const wa = deps.whatsappState?.();
    if (wa) deps.metrics.setWhatsAppState(wa.state);
    const body = await deps.metrics.registry.metrics();
    return c.body(body, 200, { 'content-type': deps.metrics.registry.contentType });
  });

  if (deps.telegramWebhook) {
    const handler = deps.telegramWebhook;
    app.post('/telegram/webhook', (c) => handler(c.req.raw));
  }
}

/** Redis answers PING, and the WhatsApp state when WhatsApp is on: the default health check. */
export function defaultHealth(deps: Pick<ServerDeps, 'redis' | 'whatsappState'>) {
  return async () => {
    let redis = false;
    try {
      redis =
        (await Promise.race([
          deps.redis.ping(),
          new Promise<string>((resolve) => setTimeout(() => resolve('timeout'), 1000).unref()),
        ])) === 'PONG';
    } catch {
      redis = false;
    }
    const channels: Record<string, string> = {};
    const wa = deps.whatsappState?.();
    if (wa) channels.whatsapp = wa.state;
    return { redis, channels };
  };
}

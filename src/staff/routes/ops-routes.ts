// Machine endpoints: liveness (/healthz), per-channel readiness (/healthz/ready), Prometheus metrics, the Telegram
// webhook.
import type { Hono } from 'hono';
import type { ServerDeps, StaffEnv } from '../context.ts';

/** Channel states that count as connected; "off" and "disabled" (not configured) are not judged. */
const UP = new Set(['ready', 'connected', 'polling', 'webhook', 'ok', 'running']);
const NOT_CONFIGURED = new Set(['off', 'disabled']);

export function opsRoutes(app: Hono<StaffEnv>, deps: ServerDeps): void {
  async function report(): Promise<Awaited<ReturnType<ServerDeps['health']>>> {
    try {
      return await deps.health();
    } catch {
      return { redis: false, channels: {} };
    }
  }

  // Liveness: the process answers and its Redis does (a channel that is down does not make the bot unhealthy:
  // Docker would restart a bot whose Telegram works because WhatsApp waits for a QR scan). 503 while stopping.
  app.get('/healthz', async (c) => {
    const r = await report();
    const stopping = r.channels.service === 'stopping';
    const ok = r.redis && !stopping;
    return c.json(
      { ok, redis: r.redis, ...(stopping ? { stopping: true } : {}), channels: r.channels },
      ok ? 200 : 503,
      {
        'cache-control': 'no-store',
      },
    );
  });

  // Readiness, per channel: 200 when Redis and every configured channel are up; the body says which is not.
  app.get('/healthz/ready', async (c) => {
    const r = await report();
    const wa = deps.whatsappState?.();
    const channels: Record<string, Record<string, unknown>> = {};
    for (const [name, state] of Object.entries(r.channels)) {
      if (name === 'service') continue;
      const configured = !NOT_CONFIGURED.has(state);
      channels[name] = { state, ready: UP.has(state), ...(configured ? {} : { configured: false }) };
    }
    if (wa && channels.whatsapp) {
      channels.whatsapp = {
        ...channels.whatsapp,
        state: wa.state,
        ready: UP.has(wa.state),
        ...(wa.reason ? { reason: wa.reason } : {}),
        ...(wa.attempt !== undefined ? { attempt: wa.attempt } : {}),
        ...(wa.nextTryAt !== undefined ? { nextTryAt: new Date(wa.nextTryAt).toISOString() } : {}),
        ...(wa.attention ? { attention: wa.attention } : {}),
      };
    }
    const stopping = r.channels.service === 'stopping';
    const ok =
      r.redis && !stopping && Object.values(channels).every((ch) => ch.ready === true || ch.configured === false);
    return c.json({ ok, redis: r.redis, ...(stopping ? { stopping: true } : {}), channels }, ok ? 200 : 503, {
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

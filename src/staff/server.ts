// The project's HTTP server (Hono on Node): the staff console (server-rendered pages, one small script of its own), the
// Telegram webhook, /healthz and /metrics. See src/staff/README.md for the routes.
import { type ServerType, serve } from '@hono/node-server';
import type { Queue } from 'bullmq';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import { setCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import type { Redis } from 'ioredis';
import type { Bundle } from '../app/bundle.ts';
import type { AudioLibrary } from '../audio/library.ts';
import type { SourceProblem } from '../common/source-problems.ts';
import type { RedisKeys } from '../infra/keys.ts';
import type { Logger } from '../infra/logger.ts';
import type { Metrics } from '../infra/metrics.ts';
import { type ProxyTrust, parseProxyTrust } from '../infra/proxy-trust.ts';
import { type Clock, systemClock } from '../ports/clock.ts';
import { AccountStore } from './accounts.ts';
import { AuditLog } from './audit-log.ts';
import { checkCsrf, loadSession, safeNext } from './auth.ts';
import { BULL_BOARD_PATH, mountBullBoard } from './bull-board.ts';
import type { ServerDeps, StaffEnv } from './context.ts';
import { asPage } from './error-response.ts';
import { LANG_COOKIE } from './i18n.ts';
import { LiveHub } from './live-events.ts';
import { type LimiterOptions, LoginLimiter } from './login-limiter.ts';
import { DEFAULT_COST, type ScryptCost } from './passwords.ts';
import { RouteMap } from './route-map.ts';
import { alertRoutes } from './routes/alert-routes.ts';
import { attachmentRoutes } from './routes/attachment-routes.ts';
import { audioRoutes, audioUploadLimit, isAudioUpload } from './routes/audio-routes.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { channelRoutes } from './routes/channel-routes.ts';
import { contentRoutes } from './routes/content-routes.ts';
import { liveRoutes } from './routes/live-routes.ts';
import { defaultHealth, opsRoutes } from './routes/ops-routes.ts';
import { outcomesRoutes } from './routes/outcomes-routes.ts';
import { referralRoutes } from './routes/referral-routes.ts';
import { templateRoutes } from './routes/template-routes.ts';
import type { HealthReport, StaffAlerts, StaffReferrals, TelegramStatus, WhatsAppStateView } from './services.ts';
import { type SessionOptions, SessionStore } from './sessions.ts';
import { Signer } from './signing.ts';
import { TemplateStore } from './templates.ts';

export type HttpServerOptions = {
  config: { host: string; port: number };
  redis: Redis;
  keys: RedisKeys;
  bundle: Bundle;
  /** Warnings from loadBundle, shown on the content page. */
  problems?: readonly SourceProblem[];
  referrals?: StaffReferrals;
  alerts?: StaffAlerts;
  /** The recordings library (the /audio page). */
  audio?: AudioLibrary;
  /** The Telegram channel's webhook handler, mounted at POST /telegram/webhook. */
  telegramWebhook?: (request: Request) => Promise<Response>;
  telegramStatus?: () => Promise<TelegramStatus>;
  /** The WhatsApp channel's getState. */
  whatsappState?: () => WhatsAppStateView;
  /** The WhatsApp channel's retry (the channels page's "Try again now"). */
  whatsappRetry?: () => Promise<void>;
  /** Default: Redis answers PING, plus the WhatsApp state when given. */
  health?: () => Promise<HealthReport>;
  metrics: Metrics;
  /** BullMQ queues shown in Bull Board (admins) and counted in /metrics. */
  queues?: readonly Queue[];
  logger: Logger;
  clock?: Clock;
  sessions?: SessionOptions;
  login?: LimiterOptions;
  /** TRUST_PROXY: which client address counts (see src/infra/proxy-trust.ts); a boolean means false / true. */
  trustProxy?: string | boolean;
  /** scrypt cost of new password hashes (default OWASP's N=2^17, r=8, p=1; tests lower it for speed). */
  passwordCost?: ScryptCost;
  /** Opens files people sent, per channel (`{ telegram: telegramAttachments(...) }`). */
  attachments?: ServerDeps['attachments'];
  /** The files kept with cases (the referral service's `attachments`). */
  caseFiles?: ServerDeps['caseFiles'];
  /** How long the partners' audit log keeps entries (default 365 days). */
  auditRetentionDays?: number;
};

function proxyTrustOf(value: string | boolean | undefined): ProxyTrust {
  const parsed = parseProxyTrust(value === undefined ? undefined : String(value));
  if ('error' in parsed) throw new Error(`TRUST_PROXY: ${parsed.error}`);
  return parsed;
}

export type HttpServer = {
  app: Hono<StaffEnv>;
  listen(): Promise<{ port: number }>;
  close(): Promise<void>;
};

/** Pages: no framing, nothing from other sites; scripts and media from the console itself only; inline styles. */
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; media-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const FORM_LIMIT_BYTES = 64 * 1024;
const WEBHOOK_LIMIT_BYTES = 1024 * 1024;

export function createHttpServer(options: HttpServerOptions): HttpServer {
  const deps: ServerDeps = {
    redis: options.redis,
    keys: options.keys,
    bundle: options.bundle,
    problems: options.problems ?? [],
    ...(options.referrals ? { referrals: options.referrals } : {}),
    ...(options.alerts ? { alerts: options.alerts } : {}),
    ...(options.telegramWebhook ? { telegramWebhook: options.telegramWebhook } : {}),
    ...(options.telegramStatus ? { telegramStatus: options.telegramStatus } : {}),
    ...(options.whatsappState ? { whatsappState: options.whatsappState } : {}),
    ...(options.whatsappRetry ? { whatsappRetry: options.whatsappRetry } : {}),
    health: options.health ?? defaultHealth(options),
    metrics: options.metrics,
    queues: options.queues ?? [],
    logger: options.logger,
    clock: options.clock ?? systemClock,
    accounts: new AccountStore(options.redis, options.keys),
    sessions: new SessionStore(options.redis, options.keys, options.sessions),
    limiter: new LoginLimiter(options.redis, options.keys, options.login),
    signer: new Signer(options.redis, options.keys),
    passwordCost: options.passwordCost ?? DEFAULT_COST,
    live: new LiveHub(options.redis, options.keys),
    templates: new TemplateStore(options.redis, options.keys),
    ...(options.attachments ? { attachments: options.attachments } : {}),
    ...(options.caseFiles ? { caseFiles: options.caseFiles } : {}),
    audit: new AuditLog(options.redis, options.keys, options.clock ?? systemClock, {
      ...(options.auditRetentionDays !== undefined ? { retentionDays: options.auditRetentionDays } : {}),
    }),
    trustProxy: proxyTrustOf(options.trustProxy),
  };
  for (const queue of deps.queues) options.metrics.watchQueue(queue.name, () => queue.getJobCounts());

  const app = new Hono<StaffEnv>();

  const isMachine = (path: string) => path === '/healthz' || path === '/metrics' || path === '/telegram/webhook';
  const routeMap = new RouteMap(app);
  const consolePath = (path: string) => !isMachine(path) && !path.startsWith(`${BULL_BOARD_PATH}/api/`);
  app.onError((err, c) => {
    // bodyLimit and friends throw their answer (413...): it is not a failure of the console.
    if (err instanceof HTTPException) return asPage(c, err.getResponse(), routeMap);
    deps.logger.error({ err: err.name, route: c.req.routePath, method: c.req.method }, 'staff console error');
    if (!consolePath(new URL(c.req.url).pathname)) return c.text('Internal error', 500);
    return asPage(c, new Response('', { status: 500 }), routeMap);
  });
  // A GET on a form's address: 405 with the methods it takes; an address that does not exist: 404. Both as pages.
  app.notFound((c) => {
    const path = new URL(c.req.url).pathname;
    const methods = routeMap.methodsAt(path);
    if (methods.length === 0 || !consolePath(path)) return c.text('404 Not Found', 404);
    return c.text('', 405, { allow: methods.join(', ') });
  });

  // Machine endpoints first: no session, no CSRF, no HTML.
  app.use('/telegram/webhook', bodyLimit({ maxSize: WEBHOOK_LIMIT_BYTES }));
  opsRoutes(app, deps);

  app.use('*', async (c, next) => {
    if (isMachine(new URL(c.req.url).pathname)) return next();
    return loadSession(deps)(c, next);
  });
  // WhatsApp needing a person (QR to scan, number blocked, down for long): a banner on every console page.
  app.use('*', async (c, next) => {
    c.set('banner', deps.whatsappState?.().attention ?? null);
    return next();
  });
  // An event stream must not sit in a compression buffer.
  app.use('*', async (c, next) => (new URL(c.req.url).pathname === '/events' ? next() : compress()(c, next)));
  // Routes answer a refusal with a short text (c.text(message, 403)); people get it as a page with a way back
  // (inside compression, which must see the page; outside the CSRF check, whose refusals are texts too).
  app.use('*', async (c, next) => {
    await next();
    if (!consolePath(new URL(c.req.url).pathname) || c.res.status < 400) return;
    if (!c.res.headers.get('content-type')?.startsWith('text/plain')) return;
    c.res = await asPage(c, c.res, routeMap);
  });
  app.use('*', async (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (isMachine(path)) return next();
    await next();
    c.header('x-content-type-options', 'nosniff');
    c.header('x-frame-options', 'DENY');
    // Set-up links carry a token in the URL: never send it to another site.
    c.header('referrer-policy', 'no-referrer');
    if (!path.startsWith(BULL_BOARD_PATH)) c.header('content-security-policy', CSP);
  });
  app.use('*', async (c, next) => {
    const path = new URL(c.req.url).pathname;
    if (isMachine(path)) return next();
    if (isAudioUpload(path)) return audioUploadLimit()(c, next);
    return bodyLimit({ maxSize: FORM_LIMIT_BYTES })(c, next);
  });
  app.use(
    '*',
    checkCsrf(deps, {
      exempt: isMachine,
      originOnly: (path) => path.startsWith(`${BULL_BOARD_PATH}/api/`),
    }),
  );

  app.get('/lang/:lang', (c) => {
    const lang = c.req.param('lang') === 'en' ? 'en' : 'fr';
    setCookie(c, LANG_COOKIE, lang, { path: '/', sameSite: 'Lax', maxAge: 365 * 86400, httpOnly: true });
    return c.redirect(safeNext(c.req.query('back')), 303);
  });

  authRoutes(app, deps);
  referralRoutes(app, deps);
  attachmentRoutes(app, deps);
  auditRoutes(app, deps);
  outcomesRoutes(app, deps);
  templateRoutes(app, deps);
  liveRoutes(app, deps);
  alertRoutes(app, deps);
  contentRoutes(app, deps);
  channelRoutes(app, deps);
  audioRoutes(app, deps, options.audio);
  mountBullBoard(app, deps.queues);

  let server: ServerType | null = null;

  return {
    app,
    listen() {
      return new Promise((resolve, reject) => {
        const s = serve({ fetch: app.fetch, hostname: options.config.host, port: options.config.port }, (info) => {
          resolve({ port: info.port });
        });
        s.once('error', reject);
        server = s;
      });
    },
    async close() {
      await deps.live.close();
      return new Promise((resolve) => {
        const s = server;
        server = null;
        if (!s) return resolve();
        s.close(() => resolve());
        // Keep-alive connections (browsers) would hold close() open.
        if ('closeAllConnections' in s) (s as { closeAllConnections(): void }).closeAllConnections();
      });
    },
  };
}

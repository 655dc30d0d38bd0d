// Bull Board (the BullMQ queue view) at /admin/queues, for console administrators only. Its page is served with the
// Google Fonts link removed and a strict Content-Security-Policy: the console never makes a browser load anything
// from another site.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import type { Hono, MiddlewareHandler } from 'hono';
import { requireAdmin, requireLogin } from './auth.ts';
import { BULL_BOARD_A11Y_PATH, BULL_BOARD_A11Y_SCRIPT, BULL_BOARD_STYLE, bullBoardNames } from './bull-board-a11y.ts';
import type { StaffEnv } from './context.ts';
import { escapeHtml } from './html.ts';
import type { T, UiLang } from './i18n.ts';

export const BULL_BOARD_PATH = '/admin/queues';

const noExternalFonts: MiddlewareHandler<StaffEnv> = async (c, next) => {
  await next();
  c.header(
    'content-security-policy',
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
  );
  if (!c.res.headers.get('content-type')?.startsWith('text/html')) return;
  const page = await c.res.text();
  // Both mount paths match the board's own address: its page is rewritten once.
  if (page.includes('data-kf-back')) {
    c.res = new Response(page, c.res);
    return;
  }
  const headers = new Headers(c.res.headers);
  headers.delete('content-length');
  const lang = c.get('lang');
  const back = `<a href="/cases" data-kf-back style="${BACK_LINK_STYLE}">← ${escapeHtml(c.get('t')('Back to the console'))}</a>`;
  const localized = page
    .replace(/<link[^>]+fonts\.googleapis\.com[^>]*>/g, '')
    .replace(/<html lang="[^"]*"/, `<html lang="${lang}"`)
    .replace(/(<script id="__UI_CONFIG__" type="application\/json">)([^<]*)(<\/script>)/, (_m, open, json, close) => {
      return `${open}${withLocale(json, lang)}${close}`;
    })
    .replace('</head>', `${BULL_BOARD_STYLE}${a11yScript(c.get('t'))}</head>`)
    .replace(/<body([^>]*)>/, `<body$1>${back}`);
  c.res = new Response(localized, { status: c.res.status, headers });
};

function a11yScript(t: T): string {
  return `<script src="${BULL_BOARD_A11Y_PATH}" data-names="${escapeHtml(JSON.stringify(bullBoardNames(t)))}"></script>`;
}

/** A link back to the console above Bull Board's own page: fixed at the bottom left, over its menu. */
const BACK_LINK_STYLE =
  'position:fixed;left:.5rem;bottom:.5rem;z-index:1000;background:#12355b;color:#fff;padding:.4rem .7rem;border-radius:4px;font:600 15px/1.3 system-ui,sans-serif;text-decoration:none';

/** Bull Board's interface speaks the console's language (it has French and English). */
function withLocale(json: string, lang: UiLang): string {
  try {
    const config = JSON.parse(json) as { locale?: { lng?: string } };
    config.locale = { lng: lang === 'fr' ? 'fr-FR' : 'en-US' };
    // Inside a <script> element: no "</script>" may appear.
    return JSON.stringify(config).replace(/</g, '\\u003c');
  } catch {
    return json;
  }
}

export function mountBullBoard(app: Hono<StaffEnv>, queues: readonly Queue[]): void {
  const adapter = new HonoAdapter(serveStatic).setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: false })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Kunnafoni' } },
  });
  app.get(BULL_BOARD_A11Y_PATH, requireLogin, requireAdmin, (c) =>
    c.body(BULL_BOARD_A11Y_SCRIPT, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'no-cache',
    }),
  );
  for (const path of [BULL_BOARD_PATH, `${BULL_BOARD_PATH}/*`]) {
    app.use(path, requireLogin, requireAdmin, noExternalFonts);
  }
  app.route(BULL_BOARD_PATH, adapter.registerPlugin());
}

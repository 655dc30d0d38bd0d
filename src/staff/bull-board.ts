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
import type { StaffEnv } from './context.ts';

export const BULL_BOARD_PATH = '/admin/queues';

const noExternalFonts: MiddlewareHandler<StaffEnv> = async (c, next) => {
  await next();
  c.header(
    'content-security-policy',
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
  );
  if (!c.res.headers.get('content-type')?.startsWith('text/html')) return;
  const page = await c.res.text();
  const headers = new Headers(c.res.headers);
  headers.delete('content-length');
  c.res = new Response(page.replace(/<link[^>]+fonts\.googleapis\.com[^>]*>/g, ''), { status: c.res.status, headers });
};

export function mountBullBoard(app: Hono<StaffEnv>, queues: readonly Queue[]): void {
  const adapter = new HonoAdapter(serveStatic).setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: false })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Kunnafoni' } },
  });
  for (const path of [BULL_BOARD_PATH, `${BULL_BOARD_PATH}/*`]) {
    app.use(path, requireLogin, requireAdmin, noExternalFonts);
  }
  app.route(BULL_BOARD_PATH, adapter.registerPlugin());
}

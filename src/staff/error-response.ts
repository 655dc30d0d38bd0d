// Turns a refusal or failure of a console route (a short text with a status) into the error page, keeping the
// status and headers (Allow, cache-control...). Works even when the request failed before its session was read.
import { getCookie } from 'hono/cookie';
import type { StaffContext } from './context.ts';
import { LANG_COOKIE, pickLang, translator } from './i18n.ts';
import { errorMessage, errorPage, errorStatusOf } from './pages/error-page.ts';
import type { RouteMap } from './route-map.ts';

export async function asPage(c: StaffContext, res: Response, routes: RouteMap): Promise<Response> {
  const lang = c.get('lang') ?? pickLang(getCookie(c, LANG_COOKIE), c.req.header('accept-language'));
  const t = c.get('t') ?? translator(lang);
  const url = new URL(c.req.url);
  const status = errorStatusOf(res.status);
  const back = routes.pageAbove(url.pathname, c.req.method, status === 404);
  const body = errorPage(
    {
      lang,
      t,
      account: c.get('account') ?? null,
      csrf: c.get('csrf') ?? '',
      path: url.pathname,
      banner: c.get('banner') ?? null,
    },
    { status, message: errorMessage(status, await res.text(), t), ...(back ? { back } : {}) },
  );
  const headers = new Headers(res.headers);
  headers.set('content-type', 'text/html; charset=UTF-8');
  headers.delete('content-length');
  return new Response(body, { status: res.status, headers });
}

// Session cookie, login checks and CSRF checks for the console.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { clientAddress, trustsPeer } from '../infra/proxy-trust.ts';
import type { ServerDeps, StaffContext, StaffEnv } from './context.ts';
import { LANG_COOKIE, pickLang, translator } from './i18n.ts';
import type { StaffSession } from './sessions.ts';

export const SESSION_COOKIE = 'kf_session';
/** The random half of the login form's CSRF token (double submit: the form carries it signed). */
export const FORM_COOKIE = 'kf_form';
/** Signed "this browser logged into account X before": not locked out by others' failed attempts. */
export const KNOWN_COOKIE = 'kf_known';
const FORM_TOKEN_MS = 60 * 60_000;
const KNOWN_BROWSER_MS = 60 * 86_400_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Secure cookies everywhere except plain http on the loopback address (local use and tests). A TLS-terminating proxy
 * that forwards to 127.0.0.1 says so in X-Forwarded-Proto.
 */
export function secureCookies(url: string, forwardedProto?: string): boolean {
  const u = new URL(url);
  return forwardedProto === 'https' || !(u.protocol === 'http:' && LOOPBACK.has(u.hostname));
}

/** Plain http on another host: Secure cookies will not come back, so logging in cannot work. */
export function insecureRemote(url: string, forwardedProto: string | undefined): boolean {
  const u = new URL(url);
  return u.protocol === 'http:' && forwardedProto !== 'https' && !LOOPBACK.has(u.hostname);
}

function cookieOptions(c: StaffContext, maxAgeSeconds: number) {
  return {
    path: '/',
    httpOnly: true,
    secure: secureCookies(c.req.url, c.req.header('x-forwarded-proto')),
    sameSite: 'Strict' as const,
    maxAge: maxAgeSeconds,
  };
}

export function setSessionCookie(c: StaffContext, session: StaffSession, maxAgeSeconds: number): void {
  setCookie(c, SESSION_COOKIE, session.id, cookieOptions(c, maxAgeSeconds));
}

export function clearSessionCookie(c: StaffContext): void {
  const { maxAge: _, ...options } = cookieOptions(c, 0);
  deleteCookie(c, SESSION_COOKIE, options);
}

/**
 * Loads the session and account (if any) and the page language; writes nothing for anonymous visitors. A session
 * whose account is gone, disabled, or of an older generation (reset, role changed) is over.
 */
export function loadSession(deps: ServerDeps): MiddlewareHandler<StaffEnv> {
  return async (c, next) => {
    const lang = pickLang(getCookie(c, LANG_COOKIE), c.req.header('accept-language'));
    c.set('lang', lang);
    c.set('t', translator(lang));
    c.set('csrf', '');
    let session = await deps.sessions.load(getCookie(c, SESSION_COOKIE), deps.clock.now());
    const account = session ? await deps.accounts.get(session.account) : null;
    if (session && (!account || account.disabled || account.generation !== session.generation)) {
      await deps.sessions.destroy(session.id);
      session = null;
    }
    c.set('session', session);
    c.set('account', session ? account : null);
    if (session) c.set('csrf', session.csrf);
    await next();
  };
}

/**
 * The CSRF token for the login and set-up forms of a visitor without a session: a random value in a cookie, and the
 * same value signed in the form. Nothing is stored on the server.
 */
export async function formToken(c: StaffContext, deps: ServerDeps): Promise<string> {
  if (c.get('session')) return c.get('csrf');
  let nonce = getCookie(c, FORM_COOKIE);
  if (!nonce || !/^[A-Za-z0-9_-]{22}$/.test(nonce)) {
    nonce = randomBytes(16).toString('base64url');
    setCookie(c, FORM_COOKIE, nonce, cookieOptions(c, 24 * 3600));
  }
  const token = await deps.signer.sign('form', nonce, deps.clock.now() + FORM_TOKEN_MS);
  c.set('csrf', token);
  return token;
}

/** Remembers that this browser logged into the account (a signed cookie, no server state). */
export async function rememberBrowser(c: StaffContext, deps: ServerDeps, account: string): Promise<void> {
  const value = await deps.signer.sign('known', account, deps.clock.now() + KNOWN_BROWSER_MS);
  setCookie(c, KNOWN_COOKIE, value, cookieOptions(c, KNOWN_BROWSER_MS / 1000));
}

export async function isKnownBrowser(c: StaffContext, deps: ServerDeps, account: string): Promise<boolean> {
  return (await deps.signer.verify('known', getCookie(c, KNOWN_COOKIE), deps.clock.now())) === account;
}

/** What a form posted after the session ended is told (on the error page, with a link to log in again). */
const LOGGED_OUT = 'You are not logged in any more (for your safety, a session ends after a while). Nothing was saved.';

/** Anonymous visitors are sent to the login page (GET) or refused (other methods). */
export const requireLogin: MiddlewareHandler<StaffEnv> = async (c, next) => {
  if (c.get('account')) return next();
  if (c.req.method === 'GET' || c.req.method === 'HEAD') {
    const url = new URL(c.req.url);
    return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  }
  return c.text(c.get('t')(LOGGED_OUT), 401);
};

export const requireAdmin: MiddlewareHandler<StaffEnv> = async (c, next) => {
  if (c.get('account')?.role === 'admin') return next();
  return c.text(c.get('t')('Administrators only.'), 403);
};

const field = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Forms a visitor without a session may post (with the signed form token). */
const isPreLoginForm = (path: string) => path === '/login' || path.startsWith('/setup/');

/**
 * Every form POST must carry the CSRF token in `_csrf`: the session's, or before login the signed form token that
 * matches the form cookie. JSON calls (Bull Board's own API) must come from this origin instead: browsers always
 * send Origin on such requests.
 */
export function checkCsrf(
  deps: ServerDeps,
  options: { originOnly: (path: string) => boolean; exempt: (path: string) => boolean },
) {
  const handler: MiddlewareHandler<StaffEnv> = async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next();
    const path = new URL(c.req.url).pathname;
    if (options.exempt(path)) return next();
    const t = c.get('t');
    if (options.originOnly(path)) {
      const origin = c.req.header('origin');
      if (origin && origin === publicOrigin(c, deps)) return next();
      return c.text(t('This request did not come from the console.'), 403);
    }
    const session = c.get('session');
    const type = c.req.header('content-type') ?? '';
    const isForm = type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data');
    const body = isForm ? await c.req.parseBody({ all: true }) : {};
    const token = typeof body._csrf === 'string' ? body._csrf : '';
    const expired = () => c.text(t('The form has expired. Go back, reload the page and try again.'), 403);
    if (session) return token && sameToken(token, session.csrf) ? next() : expired();
    // Without a session, only the login and set-up forms can be posted; anything else asks to log in.
    if (!isPreLoginForm(path)) return c.text(t(LOGGED_OUT), 401);
    const nonce = await deps.signer.verify('form', token, deps.clock.now());
    const cookie = getCookie(c, FORM_COOKIE) ?? '';
    if (nonce && sameToken(nonce, cookie)) return next();
    // A login or set-up form left open too long: back on a fresh form that says why, nothing else to do.
    const fresh =
      path === '/login'
        ? `/login?expired=1&next=${encodeURIComponent(safeNext(field(body.next)))}`
        : `${path}?expired=1`;
    return c.redirect(fresh, 303);
  };
  return handler;
}

/** The address of the connection's other end (the proxy, behind one). */
function peerAddress(c: StaffContext): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests has no socket.
    return 'unknown';
  }
}

/** The client's address, as TRUST_PROXY says (src/infra/proxy-trust.ts). */
export function clientIp(c: StaffContext, deps: Pick<ServerDeps, 'trustProxy'>): string {
  return clientAddress(deps.trustProxy, peerAddress(c), c.req.header('x-forwarded-for'));
}

const FORWARDED_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The console's origin as the browser sees it. Behind a TLS-terminating proxy that TRUST_PROXY trusts, that is
 * the scheme and host the proxy says (X-Forwarded-Proto, X-Forwarded-Host, else Host): the connection itself is
 * plain http from the proxy. Headers of a peer that is not trusted are ignored.
 */
export function publicOrigin(c: StaffContext, deps: Pick<ServerDeps, 'trustProxy'>): string {
  const own = new URL(c.req.url);
  if (!trustsPeer(deps.trustProxy, peerAddress(c))) return own.origin;
  // With several proxies, the first value is the one the browser's request reached.
  const first = (name: string) => c.req.header(name)?.split(',')[0]?.trim() || undefined;
  const proto = first('x-forwarded-proto')?.toLowerCase();
  const host = first('x-forwarded-host') ?? own.host;
  const scheme = proto === 'https' || proto === 'http' ? proto : own.protocol.slice(0, -1);
  if (!FORWARDED_HOST.test(host)) return own.origin;
  // Through URL, so default ports and letter case compare as the browser writes its Origin header.
  return new URL(`${scheme}://${host}`).origin;
}

/**
 * A path of this console to go back to (after login, after a language change); anything else gives /cases. Only
 * printable ASCII, starting with one slash: no scheme, no `//host`, no `/\host`, no tab or line break (browsers
 * drop those and may then read `/\t/evil.example` as `//evil.example`).
 */
export function safeNext(next: string | undefined): string {
  if (!next || next.length > 1000 || !/^\/(?![/\\])[\x21-\x7e]*$/.test(next)) return '/cases';
  try {
    const base = 'http://console.invalid';
    return new URL(next, base).origin === base ? next : '/cases';
  } catch {
    return '/cases';
  }
}

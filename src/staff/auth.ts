// Session cookie, login checks and CSRF checks for the console.
import { timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { ServerDeps, StaffContext, StaffEnv } from './context.ts';
import { LANG_COOKIE, pickLang, translator } from './i18n.ts';
import type { StaffSession } from './sessions.ts';

export const SESSION_COOKIE = 'kf_session';
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

export function setSessionCookie(c: StaffContext, session: StaffSession, maxAgeSeconds: number): void {
  setCookie(c, SESSION_COOKIE, session.id, {
    path: '/',
    httpOnly: true,
    secure: secureCookies(c.req.url, c.req.header('x-forwarded-proto')),
    sameSite: 'Strict',
    maxAge: maxAgeSeconds,
  });
}

export function clearSessionCookie(c: StaffContext): void {
  const secure = secureCookies(c.req.url, c.req.header('x-forwarded-proto'));
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure, httpOnly: true, sameSite: 'Strict' });
}

/** Loads the session and account (if any) and the page language; sets nothing for anonymous visitors. */
export function loadSession(deps: ServerDeps): MiddlewareHandler<StaffEnv> {
  return async (c, next) => {
    const lang = pickLang(getCookie(c, LANG_COOKIE), c.req.header('accept-language'));
    c.set('lang', lang);
    c.set('t', translator(lang));
    const session = await deps.sessions.load(getCookie(c, SESSION_COOKIE));
    c.set('session', session);
    c.set('account', session?.account ? await deps.accounts.get(session.account) : null);
    await next();
  };
}

/** The session, creating an anonymous one (for the CSRF token of the login and set-up forms) when there is none. */
export async function ensureSession(c: StaffContext, deps: ServerDeps): Promise<StaffSession> {
  const existing = c.get('session');
  if (existing) return existing;
  const session = await deps.sessions.create(deps.clock.now());
  setSessionCookie(c, session, deps.sessions.anonymousTtlSeconds);
  c.set('session', session);
  return session;
}

/** Anonymous visitors are sent to the login page (GET) or refused (other methods). */
export const requireLogin: MiddlewareHandler<StaffEnv> = async (c, next) => {
  if (c.get('account')) return next();
  if (c.req.method === 'GET' || c.req.method === 'HEAD') {
    const url = new URL(c.req.url);
    return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
  }
  return c.text(c.get('t')('Please log in.'), 401);
};

export const requireAdmin: MiddlewareHandler<StaffEnv> = async (c, next) => {
  if (c.get('account')?.role === 'admin') return next();
  return c.text(c.get('t')('Administrators only.'), 403);
};

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Every form POST must carry the session's CSRF token in `_csrf`. JSON calls (Bull Board's own API) must come from
 * this origin instead: browsers always send Origin on such requests.
 */
export function checkCsrf(options: { originOnly: (path: string) => boolean; exempt: (path: string) => boolean }) {
  const handler: MiddlewareHandler<StaffEnv> = async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return next();
    const path = new URL(c.req.url).pathname;
    if (options.exempt(path)) return next();
    const t = c.get('t');
    if (options.originOnly(path)) {
      const origin = c.req.header('origin');
      if (origin && origin === new URL(c.req.url).origin) return next();
      return c.text(t('This request did not come from the console.'), 403);
    }
    const session = c.get('session');
    const type = c.req.header('content-type') ?? '';
    const isForm = type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data');
    const body = isForm ? await c.req.parseBody({ all: true }) : {};
    const token = typeof body._csrf === 'string' ? body._csrf : '';
    if (!session || !token || !sameToken(token, session.csrf)) {
      return c.text(t('The form has expired. Go back, reload the page and try again.'), 403);
    }
    return next();
  };
  return handler;
}

/** The client's address: the socket's, or the last X-Forwarded-For hop when behind a trusted proxy. */
export function clientIp(c: StaffContext, trustProxy: boolean): string {
  if (trustProxy) {
    const hops = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    const last = hops[hops.length - 1];
    if (last) return last;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** A local path to go back to after login (never another site). */
export function safeNext(next: string | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/cases';
  return next;
}

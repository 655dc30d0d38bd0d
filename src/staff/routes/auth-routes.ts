// Login, logout, and the one-time password set-up link printed by `kunnafoni staff add`.
import type { Hono } from 'hono';
import type { StaffAccount } from '../accounts.ts';
import {
  clearSessionCookie,
  clientIp,
  formToken,
  insecureRemote,
  isKnownBrowser,
  rememberBrowser,
  safeNext,
  setSessionCookie,
} from '../auth.ts';
import type { ServerDeps, StaffContext, StaffEnv } from '../context.ts';
import { viewOf } from '../context.ts';
import { html } from '../html.ts';
import { csrfField, page } from '../layout.ts';
import {
  dummyHash,
  hashPassword,
  MIN_PASSWORD_LENGTH,
  needsRehash,
  passwordProblem,
  verifyPassword,
} from '../passwords.ts';

function field(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  return typeof v === 'string' ? v : '';
}

export function authRoutes(app: Hono<StaffEnv>, deps: ServerDeps): void {
  const loginPage = (c: StaffContext, options: { next: string; login?: string; error?: string; notice?: string }) => {
    const view = viewOf(c);
    const { t } = view;
    const warning = insecureRemote(c.req.url, c.req.header('x-forwarded-proto'))
      ? html`<p class="flash error">${t('This address is not secure (http). Use the https address of the console: logging in will not work here.')}</p>`
      : '';
    const body = html`${warning}<form method="post" action="/login" class="card">${csrfField(view)}
<input type="hidden" name="next" value="${options.next}">
<label for="login">${t('Login name')}</label><input type="text" id="login" name="login" value="${options.login ?? ''}" autocomplete="username" autocapitalize="none" required>
<label for="password">${t('Password')}</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<p><button type="submit">${t('Log in')}</button></p></form>`;
    return page(view, {
      title: t('Log in'),
      body,
      flash: options.error ? { text: options.error, error: true } : options.notice ? { text: options.notice } : null,
    });
  };

  /** A new session at login: an id planted before login is worth nothing after it. */
  async function startSession(c: StaffContext, account: StaffAccount): Promise<void> {
    const old = c.get('session');
    if (old) await deps.sessions.destroy(old.id);
    const session = await deps.sessions.create(deps.clock.now(), account.id, account.generation);
    setSessionCookie(c, session, deps.sessions.cookieSeconds);
    await rememberBrowser(c, deps, account.id);
  }

  // No session is made for a visitor: the form's CSRF token is signed (nothing is written to Redis).
  app.get('/login', async (c) => {
    if (c.get('account')) return c.redirect(safeNext(c.req.query('next')), 303);
    await formToken(c, deps);
    // A login form posted after its token's life comes back here (see checkCsrf).
    const expired = c.req.query('expired') === '1';
    const notice = expired
      ? c.get('t')('This page was open a long time, so for your safety it was renewed. Please log in again.')
      : undefined;
    return c.html(loginPage(c, { next: safeNext(c.req.query('next')), ...(notice ? { notice } : {}) }));
  });

  app.post('/login', async (c) => {
    const t = c.get('t');
    const body = await c.req.parseBody({ all: true });
    const login = field(body, 'login').trim().toLowerCase().slice(0, 64);
    const password = field(body, 'password');
    const next = safeNext(field(body, 'next'));
    const ip = clientIp(c, deps);
    await formToken(c, deps);
    const locked = (seconds: number) =>
      c.html(
        loginPage(c, {
          next,
          login,
          error: t('Too many failed attempts. Try again in {minutes} min.', {
            minutes: Math.max(1, Math.ceil(seconds / 60)),
          }),
        }),
        429,
      );

    const known = await isKnownBrowser(c, deps, login);
    const account = login ? await deps.accounts.get(login) : null;
    const audit = (ok: boolean, reason: string) =>
      account
        ? deps.audit.record({ partner: account.partner, by: `web:${account.id}`, action: reason, address: ip, ok })
        : Promise.resolve();
    const wait = await deps.limiter.lockedFor(login, ip, known);
    if (wait > 0) {
      deps.logger.info({ event: 'staff_login_locked', account: login, address: ip }, 'staff login refused: locked');
      await audit(false, 'login_locked');
      return locked(wait);
    }
    // An unknown name costs as much time as a wrong password, so names cannot be probed.
    const stored = account?.passwordHash;
    const ok = await verifyPassword(password, stored ?? (await dummyHash(deps.passwordCost)));
    if (!account || !stored || !ok || account.disabled) {
      await deps.limiter.recordFailure(login, ip);
      deps.logger.info(
        { event: 'staff_login_failed', account: login, address: ip, ...(account?.disabled ? { disabled: true } : {}) },
        'staff login failed',
      );
      await audit(false, account?.disabled ? 'login_disabled' : 'login_failed');
      const nowLocked = await deps.limiter.lockedFor(login, ip, known);
      if (nowLocked > 0) return locked(nowLocked);
      return c.html(loginPage(c, { next, login, error: t('Wrong login name or password.') }), 401);
    }
    await deps.limiter.recordSuccess(login, ip);
    // Hashes made at an older, lower cost are redone now that the password is at hand.
    if (needsRehash(stored, deps.passwordCost)) {
      await deps.accounts.upgradeHash(account.id, stored, await hashPassword(password, deps.passwordCost));
    }
    await startSession(c, account);
    deps.logger.info({ event: 'staff_login', account: account.id, address: ip }, 'staff logged in');
    await audit(true, 'login');
    return c.redirect(next, 303);
  });

  app.post('/logout', async (c) => {
    const session = c.get('session');
    if (session) await deps.sessions.destroy(session.id);
    clearSessionCookie(c);
    return c.redirect('/login', 303);
  });

  const setupPage = (
    c: StaffContext,
    token: string,
    name: string,
    message: { error?: string; notice?: string } = {},
  ) => {
    const view = viewOf(c);
    const { t } = view;
    const body = html`<p>${t('Welcome, {name}. Choose the password you will use to log in.', { name })}</p>
<form method="post" action="/setup/${token}" class="card">${csrfField(view)}
<label for="password">${t('New password ({n} characters or more)', { n: MIN_PASSWORD_LENGTH })}</label><input type="password" id="password" name="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required>
<label for="confirm">${t('The same password again')}</label><input type="password" id="confirm" name="confirm" autocomplete="new-password" required>
<p><button type="submit">${t('Save the password')}</button></p></form>`;
    const flash = message.error
      ? { text: message.error, error: true }
      : message.notice
        ? { text: message.notice }
        : null;
    return page(view, { title: t('Set your password'), body, flash });
  };

  const badLink = (c: StaffContext) => {
    const view = viewOf(c);
    const { t } = view;
    return c.html(
      page(view, {
        title: t('Link not valid'),
        body: html`<p>${t('This link is not valid: it was already used or is more than 24 hours old. Ask an administrator for a new one.')}</p>`,
      }),
      404,
    );
  };

  app.get('/setup/:token', async (c) => {
    const account = await deps.accounts.setupAccount(c.req.param('token'));
    if (!account) return badLink(c);
    await formToken(c, deps);
    const notice =
      c.req.query('expired') === '1'
        ? c.get('t')(
            'This page was open a long time, so for your safety it was renewed. Please type your password again.',
          )
        : undefined;
    return c.html(setupPage(c, c.req.param('token'), account.name, notice ? { notice } : {}));
  });

  app.post('/setup/:token', async (c) => {
    const t = c.get('t');
    const token = c.req.param('token');
    const account = await deps.accounts.setupAccount(token);
    if (!account) return badLink(c);
    const body = await c.req.parseBody({ all: true });
    const password = field(body, 'password');
    const problem = passwordProblem(password);
    const error =
      problem === 'too_short'
        ? t('The password must have {n} characters or more.', { n: MIN_PASSWORD_LENGTH })
        : problem === 'too_long'
          ? t('The password is too long.')
          : password !== field(body, 'confirm')
            ? t('The two passwords are not the same.')
            : null;
    if (error) {
      await formToken(c, deps);
      return c.html(setupPage(c, token, account.name, { error }), 400);
    }
    // The token is used up here, once, even if two forms are posted at the same time.
    if ((await deps.accounts.consumeSetupToken(token)) !== account.id) return badLink(c);
    await deps.accounts.setPassword(account.id, await hashPassword(password, deps.passwordCost), deps.clock.now());
    await deps.sessions.destroyAllOf(account.id);
    await startSession(c, account);
    deps.logger.info({ event: 'staff_password_set', account: account.id }, 'staff password set');
    await deps.audit.record({ partner: account.partner, by: `web:${account.id}`, action: 'password_set' });
    return c.redirect('/cases?done=password', 303);
  });
}

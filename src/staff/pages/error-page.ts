// The page every refused or failed request of the console ends on: the console's shell and language, what happened
// in plain words, and a way on (the page above, the queue, or logging in again). Never a bare text/plain answer.
import { html } from '../html.ts';
import type { T } from '../i18n.ts';
import { type PageView, page } from '../layout.ts';

export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 429 | 500 | 503;

const TITLES = {
  400: 'This could not be done',
  401: 'Please log in again',
  403: 'Not allowed',
  404: 'Page not found',
  405: 'Open this from a page',
  409: 'This could not be done',
  413: 'Too large',
  429: 'Too many attempts',
  500: 'Something went wrong',
  503: 'Not available right now',
} as const satisfies { [S in ErrorStatus]: string };

/** What a status says when the route gave no message of its own (or only the framework's "404 Not Found"). */
const DEFAULT_MESSAGES = {
  400: 'Check what you typed and try again.',
  401: 'You are not logged in any more (for your safety, a session ends after a while). Nothing was saved.',
  403: 'Your account may not open this.',
  404: 'This address does not exist in the console. It may have been mistyped, or the item was removed.',
  405: 'This address works only from a button on a page of the console.',
  409: 'Something changed in the meantime. Go back, reload the page and try again.',
  413: 'What you sent is too large.',
  429: 'Wait a few minutes and try again.',
  500: 'The console could not finish this. What you did may not be saved: go back and try again. If it happens again, tell an administrator.',
  503: 'Try again in a few minutes.',
} as const satisfies { [S in ErrorStatus]: string };

/** Hono's own bodies for errors, replaced by the status's message in the reader's language. */
const FRAMEWORK_TEXTS = new Set(['404 Not Found', 'Internal Server Error', 'Payload Too Large', 'Internal error', '']);

export function errorStatusOf(status: number): ErrorStatus {
  if (status in TITLES) return status as ErrorStatus;
  return status >= 500 ? 500 : 400;
}

export function errorMessage(status: ErrorStatus, given: string, t: T): string {
  return FRAMEWORK_TEXTS.has(given.trim()) ? t(DEFAULT_MESSAGES[status]) : given;
}

export function errorPage(
  view: PageView,
  options: { status: ErrorStatus; message: string /** The nearest page above the failed address. */; back?: string },
): string {
  const { t } = view;
  const loggedIn = Boolean(view.account);
  const home = loggedIn ? '/cases' : '/login';
  const links = [];
  if (!loggedIn) {
    const next = options.back && options.back !== '/login' ? `?next=${encodeURIComponent(options.back)}` : '';
    links.push(html`<a class="button" href="/login${next}">${t('Log in')}</a>`);
  } else if (options.back && options.back !== home) {
    links.push(html`<a class="button" href="${options.back}">${t('Back to the page')}</a>`);
  }
  if (loggedIn) links.push(html`<a class="button secondary" href="${home}">${t('Go to the cases')}</a>`);
  return page(view, {
    title: t(TITLES[options.status]),
    body: html`<div class="card" id="error" data-status="${options.status}"><p>${options.message}</p><p class="actions">${links}</p></div>`,
  });
}

// Alert pages: compose -> preview (with audience) -> confirm -> live progress.
import type { Hono } from 'hono';
import type { StaffAccount } from '../accounts.ts';
import { type AlertForm, draftFromForm, EMPTY_FORM, formFromBody } from '../alert-form.ts';
import { previewAlert } from '../alert-preview.ts';
import { requireAdmin, requireLogin } from '../auth.ts';
import { actorOf, type ServerDeps, type StaffContext, type StaffEnv, viewOf } from '../context.ts';
import { html } from '../html.ts';
import { page } from '../layout.ts';
import {
  alertListBody,
  composeBody,
  LIVE_PROGRESS_SCRIPT,
  previewBody,
  progressBody,
  progressLive,
} from '../pages/alert-pages.ts';

const ALERT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function alertRoutes(app: Hono<StaffEnv>, deps: ServerDeps): void {
  app.use('/alerts', requireLogin);
  app.use('/alerts/*', requireLogin);
  // Composing and publishing reach every subscriber: administrators only. Staff may still follow alerts.
  for (const path of ['/alerts/new', '/alerts/preview', '/alerts/publish']) app.use(path, requireAdmin);
  const content = deps.bundle.content;

  const compose = (c: StaffContext, form: AlertForm, problems: string[] = []) => {
    const view = viewOf(c);
    return c.html(
      page(view, { title: view.t('New alert'), body: composeBody(view, content, form, problems) }),
      problems.length ? 400 : 200,
    );
  };

  app.get('/alerts', async (c) => {
    const view = viewOf(c);
    const recent = deps.alerts?.recent ? await deps.alerts.recent(20) : null;
    const note = deps.alerts ? '' : html`<p class="muted">${view.t('Alerts are not enabled on this server.')}</p>`;
    return c.html(page(view, { title: view.t('Alerts'), body: html`${note}${alertListBody(view, recent)}` }));
  });

  app.get('/alerts/new', (c) => compose(c, EMPTY_FORM));
  // "Edit" on the preview page posts the form back here.
  app.post('/alerts/new', async (c) => compose(c, formFromBody(await c.req.parseBody({ all: true }))));

  app.post('/alerts/preview', async (c) => {
    const form = formFromBody(await c.req.parseBody({ all: true }));
    const result = draftFromForm(form, content, deps.clock.now());
    if (!result.ok) return compose(c, form, result.problems);
    const audience = deps.alerts ? await deps.alerts.audience(result.draft) : null;
    const view = viewOf(c);
    const body = previewBody({
      view,
      content,
      form,
      previews: previewAlert(result.draft),
      audience,
      ...(result.draft.sendAt ? { sendAt: result.draft.sendAt } : {}),
      canPublish: Boolean(deps.alerts),
    });
    return c.html(page(view, { title: view.t('Preview'), body }));
  });

  app.post('/alerts/publish', async (c) => {
    if (!deps.alerts) return c.text(c.get('t')('Alerts are not enabled on this server.'), 404);
    const form = formFromBody(await c.req.parseBody({ all: true }));
    const result = draftFromForm(form, content, deps.clock.now());
    if (!result.ok) return compose(c, form, result.problems);
    const by = actorOf(c.get('account') as StaffAccount).id;
    const { id } = await deps.alerts.publish(result.draft, by);
    deps.logger.info({ event: 'alert_published', alert: id }, 'alert published from the console');
    return c.redirect(`/alerts/${encodeURIComponent(id)}`, 303);
  });

  app.get('/alerts/live.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    c.header('cache-control', 'no-cache');
    return c.body(LIVE_PROGRESS_SCRIPT);
  });

  // The live part of the progress page alone, for its script.
  app.get('/alerts/:id/progress', async (c) => {
    const id = c.req.param('id');
    const progress = deps.alerts && ALERT_ID.test(id) ? await deps.alerts.status(id) : null;
    const view = viewOf(c);
    if (!progress) return c.text(view.t('Unknown alert.'), 404);
    c.header('cache-control', 'no-store');
    return c.html(progressLive(view, progress).toString());
  });

  app.get('/alerts/:id', async (c) => {
    const id = c.req.param('id');
    const progress = deps.alerts && ALERT_ID.test(id) ? await deps.alerts.status(id) : null;
    const view = viewOf(c);
    if (!progress) return c.text(view.t('Unknown alert.'), 404);
    const by = progress.by?.startsWith('web:') ? (await deps.accounts.get(progress.by.slice(4)))?.name : undefined;
    return c.html(
      page(view, {
        title: view.t('Alert {id}', { id }),
        body: progressBody(view, progress, by),
      }),
    );
  });
}

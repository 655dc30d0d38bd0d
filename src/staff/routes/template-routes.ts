// Reply templates: administrators of a partner write them per language; staff pick one on a case page.
import type { Hono } from 'hono';
import type { StaffAccount } from '../accounts.ts';
import { requireAdmin, requireLogin } from '../auth.ts';
import { type ServerDeps, type StaffEnv, viewOf } from '../context.ts';
import { LANGUAGE_NAMES } from '../format.ts';
import { html } from '../html.ts';
import { csrfField, page } from '../layout.ts';
import { TEMPLATE_LANGS } from '../templates.ts';

const field = (body: Record<string, unknown>, name: string) =>
  typeof body[name] === 'string' ? (body[name] as string).trim() : '';

export function templateRoutes(app: Hono<StaffEnv>, deps: ServerDeps): void {
  app.use('/templates', requireLogin, requireAdmin);
  app.use('/templates/*', requireLogin, requireAdmin);

  app.get('/templates', async (c) => {
    const view = viewOf(c);
    const { t } = view;
    const account = c.get('account') as StaffAccount;
    const list = await deps.templates.list(account.partner);
    const editing = list.find((x) => x.id === c.req.query('edit'));
    const error =
      c.req.query('error') === 'invalid' ? { text: t('Give a title and a French text.'), error: true } : null;
    const form = html`<form method="post" action="/templates" class="card">${csrfField(view)}${
      editing ? html`<input type="hidden" name="id" value="${editing.id}">` : ''
    }<label for="title">${t('Title (for staff)')}</label><input type="text" id="title" name="title" maxlength="80" required value="${editing?.title ?? ''}">
${TEMPLATE_LANGS.map(
  (lang) =>
    html`<label for="text_${lang}">${LANGUAGE_NAMES[lang]}</label><textarea id="text_${lang}" name="text_${lang}" maxlength="2000"${lang === 'fr' ? html` required` : ''}>${editing?.text[lang] ?? ''}</textarea>`,
)}<p><button type="submit">${editing ? t('Save the template') : t('Add the template')}</button></p></form>`;
    const rows = list.map(
      (x) =>
        html`<li><strong>${x.title}</strong> <span class="muted">${TEMPLATE_LANGS.filter((l) => x.text[l])
          .map((l) => l)
          .join(
            ' · ',
          )}</span> <a href="/templates?edit=${x.id}">${t('Edit')}</a><form method="post" action="/templates/${x.id}/delete">${csrfField(view)}<button type="submit" class="secondary">${t('Delete')}</button></form></li>`,
    );
    const body = html`<p class="muted">${t('Staff can start a reply from these texts, in the person’s language (French when there is none).')}</p>
${list.length ? html`<ul class="cases">${rows}</ul>` : html`<p class="muted">${t('No template yet.')}</p>`}
<h2>${editing ? t('Edit the template') : t('New template')}</h2>${form}`;
    return c.html(page(view, { title: t('Reply templates'), body, flash: error }));
  });

  app.post('/templates', async (c) => {
    const account = c.get('account') as StaffAccount;
    const body = await c.req.parseBody();
    const title = field(body, 'title').slice(0, 80);
    const text = Object.fromEntries(
      TEMPLATE_LANGS.map((l) => [l, field(body, `text_${l}`).slice(0, 2000)]).filter(([, v]) => v),
    );
    if (!title || !text.fr) return c.redirect('/templates?error=invalid', 303);
    const id = field(body, 'id');
    await deps.templates.save(account.partner, { ...(id ? { id } : {}), title, text });
    await deps.audit.record({ partner: account.partner, by: `web:${account.id}`, action: 'template_saved' });
    return c.redirect('/templates', 303);
  });

  app.post('/templates/:id/delete', async (c) => {
    const account = c.get('account') as StaffAccount;
    await deps.templates.remove(account.partner, c.req.param('id'));
    return c.redirect('/templates', 303);
  });
}

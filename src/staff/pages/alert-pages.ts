// Alert pages: compose, preview (per language and platform, with the audience), and the progress of a broadcast.
import type { Content } from '../../content/schema.ts';
import { ALERT_LANGS, type AlertForm, MAX_ALERT_TEXT } from '../alert-form.ts';
import type { AlertPreview } from '../alert-preview.ts';
import { LANGUAGE_NAMES, labels, when } from '../format.ts';
import { type Html, html, raw } from '../html.ts';
import { csrfField, type PageView } from '../layout.ts';
import type { AlertAudience, AlertProgress } from '../services.ts';

export function composeBody(view: PageView, content: Content, form: AlertForm, problems: string[]): Html {
  const { t } = view;
  const l = labels(content, view.lang);
  const errors = problems.length
    ? html`<div class="flash error" role="alert"><ul>${problems.map((p) => html`<li>${t(p)}</li>`)}</ul></div>`
    : '';
  const langBlock = (lang: (typeof ALERT_LANGS)[number]) =>
    html`<fieldset><legend>${LANGUAGE_NAMES[lang]}${lang === 'fr' ? ` (${t('required')})` : ''}</legend>
<label for="text_${lang}">${t('Text')}</label><textarea id="text_${lang}" name="text_${lang}" maxlength="${MAX_ALERT_TEXT}"${lang === 'fr' ? html` required` : ''}>${form.text[lang] ?? ''}</textarea></fieldset>`;
  const check = (name: string, id: string, label: string, checked: boolean) =>
    html`<label><input type="checkbox" name="${name}" value="${id}"${checked ? html` checked` : ''}> ${label}</label>`;
  return html`${errors}<form method="post" action="/alerts/preview">${csrfField(view)}
${ALERT_LANGS.map(langBlock)}
<fieldset class="checks"><legend>${t('Topics')}</legend>${content.alertTopics.map((x) =>
    check('topics', x.id, l.alertTopic(x.id), form.topics.includes(x.id)),
  )}</fieldset>
<fieldset class="checks"><legend>${t('Regions')}</legend>${check('regions', 'all', l.region('all'), form.regions.includes('all'))}${content.regions.map(
    (x) => check('regions', x.id, l.region(x.id), form.regions.includes(x.id)),
  )}</fieldset>
<fieldset><legend>${t('Schedule (Mali time, UTC)')}</legend>
<label for="send_at">${t('Send at (empty: right away)')}</label><input type="datetime-local" id="send_at" name="send_at" value="${form.sendAt}">
<label for="expires_at">${t('Do not send after (optional)')}</label><input type="datetime-local" id="expires_at" name="expires_at" value="${form.expiresAt}">
</fieldset>
<p><button type="submit">${t('Preview')}</button></p></form>`;
}

/** The form again as hidden fields, so the confirm and edit buttons carry it without storing anything. */
function hidden(form: AlertForm): Html {
  const field = (name: string, value: string) => html`<input type="hidden" name="${name}" value="${value}">`;
  return html`${ALERT_LANGS.map((lang) => field(`text_${lang}`, form.text[lang] ?? ''))}${form.topics.map((x) => field('topics', x))}${form.regions.map((x) => field('regions', x))}${field('send_at', form.sendAt)}${field('expires_at', form.expiresAt)}`;
}

export function previewBody(input: {
  view: PageView;
  content: Content;
  form: AlertForm;
  previews: AlertPreview[];
  audience: AlertAudience | null;
  sendAt?: number;
  canPublish: boolean;
}): Html {
  const { view, form } = input;
  const { t } = view;
  const l = labels(input.content, view.lang);
  const audience = input.audience
    ? html`<p class="card"><strong>${t('{n} people will get this alert', { n: input.audience.total })}</strong> (${ALERT_LANGS.map(
        (lang, i) => html`${i ? ', ' : ''}${lang}: ${input.audience?.byLang[lang] ?? 0}`,
      )})</p>`
    : html`<p class="muted">${t('The audience cannot be counted: alerts are not enabled on this server.')}</p>`;
  const previews = input.previews.map(
    (
      p,
    ) => html`<h3>${LANGUAGE_NAMES[p.lang]}</h3>${p.fallback ? html`<p class="note">${t('no text in this language: the French text is sent')}</p>` : ''}
${p.telegramHtml.map((h) => html`<div class="bubble" data-platform="telegram" lang="${p.fallback ? 'fr' : p.lang}">${raw(h)}</div>`)}`,
  );
  return html`<dl class="card"><dt>${t('Topics')}</dt><dd>${form.topics.map(l.alertTopic).join(', ')}</dd>
<dt>${t('Regions')}</dt><dd>${form.regions.map(l.region).join(', ')}</dd>
<dt>${t('Sending')}</dt><dd>${input.sendAt ? when(input.sendAt) : t('right away')}</dd></dl>
${audience}
<h2>Telegram</h2>${previews}
<h2>WhatsApp</h2><p class="card" data-platform="whatsapp">${t('Alerts are never sent over WhatsApp (the number could be banned). People who use the bot on WhatsApp are told that alerts come through Telegram.')}</p>
<div class="actions">
${input.canPublish ? html`<form method="post" action="/alerts/publish">${csrfField(view)}${hidden(form)}<button type="submit">${t('Confirm and send')}</button></form>` : ''}
<form method="post" action="/alerts/new">${csrfField(view)}${hidden(form)}<button type="submit" class="secondary">${t('Edit')}</button></form>
</div>`;
}

const FAIL_REASONS: Record<string, string> = {
  refused: 'refused by Telegram',
  telegram_error: 'Telegram errors on every attempt',
  no_answer: 'no answer from Telegram',
  worker_error: 'sending failed on our side',
  interrupted: 'interrupted by a crash, not resent',
};

/** The live part of the progress page, also served alone to the page's script (GET /alerts/:id/progress). */
export function progressLive(view: PageView, p: AlertProgress): Html {
  const { t } = view;
  const done = p.total - p.pending;
  const stateText: Record<AlertProgress['state'], string> = {
    scheduled: 'scheduled',
    sending: 'sending',
    done: 'done',
  };
  const reasons = Object.entries(p.failedReasons ?? {}).filter(([, n]) => n > 0);
  const waiting = p.waiting ? html` <strong id="waiting">${t('waiting: Telegram is not connected')}</strong>` : '';
  return html`<div id="alert-live" data-src="/alerts/${p.id}/progress" data-done="${p.state === 'done' ? '1' : '0'}">
<p role="status"><span class="tag${p.state === 'done' ? ' ok' : ''}" id="state">${t(stateText[p.state])}</span>${
    p.sendAt && p.state === 'scheduled' ? ` ${t('at {time}', { time: when(p.sendAt) })}` : ''
  }${waiting}</p>
<progress max="${Math.max(p.total, 1)}" value="${done}">${done}/${p.total}</progress>
<table><tbody><tr><th>${t('People')}</th><td>${p.total}</td></tr>
<tr><th>${t('Sent')}</th><td id="sent">${p.sent}</td></tr>
<tr><th>${t('Pending')}</th><td id="pending">${p.pending}</td></tr>
<tr><th>${t('Failed')}</th><td id="failed">${p.failed}${
    reasons.length > 0
      ? html` (${reasons.map(([r, n], i) => html`${i ? ', ' : ''}${n} ${t(FAIL_REASONS[r] ?? r)}`)})`
      : ''
  }</td></tr>
<tr><th>${t('Blocked the bot (unsubscribed)')}</th><td id="blocked">${p.blocked}</td></tr>
<tr><th>${t('Uncertain: sent again after a crash, may have it twice')}</th><td id="uncertain">${p.uncertain ?? 0}</td></tr>
<tr><th>${t('Not sent: unsubscribed since, or expired')}</th><td>${p.skipped}</td></tr></tbody></table></div>`;
}

export function progressBody(view: PageView, p: AlertProgress, publishedBy?: string): Html {
  const { t } = view;
  // Updated in place by a small script while the broadcast runs (no page reload, focus stays where it is).
  const live = p.state === 'done' ? '' : html`<script src="/alerts/live.js" defer></script>`;
  return html`${progressLive(view, p)}
${publishedBy ? html`<p class="muted">${t('Published by {name}', { name: publishedBy })}${p.publishedAt ? `, ${when(p.publishedAt)}` : ''}</p>` : ''}
<p><a href="/alerts">← ${t('All alerts')}</a></p>${live}`;
}

/** The progress page's script: fetches the live part every 2 s and swaps it in, until the broadcast is done. */
export const LIVE_PROGRESS_SCRIPT = `(() => {
  const box = document.getElementById('alert-live');
  if (!box || box.dataset.done === '1') return;
  const tick = async () => {
    try {
      const res = await fetch(box.dataset.src, { credentials: 'same-origin' });
      if (res.ok) {
        const holder = document.createElement('div');
        holder.innerHTML = await res.text();
        const next = holder.querySelector('#alert-live');
        if (next) {
          box.replaceChildren(...next.childNodes);
          box.dataset.done = next.dataset.done;
        }
      }
    } catch {}
    if (box.dataset.done !== '1') setTimeout(tick, 2000);
  };
  setTimeout(tick, 2000);
})();
`;

export function alertListBody(view: PageView, recent: AlertProgress[] | null): Html {
  const { t } = view;
  const list =
    recent === null
      ? ''
      : recent.length === 0
        ? html`<p class="muted">${t('No alert sent yet.')}</p>`
        : html`<div class="scroll" tabindex="0"><table><thead><tr><th>${t('Alert')}</th><th>${t('When')}</th><th>${t('State')}</th><th>${t('Sent')}</th></tr></thead><tbody>${recent.map(
            (a) =>
              html`<tr><td><a href="/alerts/${a.id}">${a.id}</a></td><td>${a.publishedAt ? when(a.publishedAt) : ''}</td><td>${t(a.state)}</td><td>${a.sent}/${a.total}</td></tr>`,
          )}</tbody></table></div>`;
  // Only administrators publish (see alert-routes.ts).
  const compose =
    view.account?.role === 'admin' ? html`<p><a class="button" href="/alerts/new">${t('New alert')}</a></p>` : '';
  return html`${compose}${list}`;
}

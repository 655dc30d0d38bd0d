// A partner's referral queue: overdue first, then waiting, claimed and recently closed cases.
import type { Content } from '../../content/schema.ts';
import { age, channelLabel, labels, languageLabel, outcomeLabel } from '../format.ts';
import { type Html, html } from '../html.ts';
import { csrfField, type PageView } from '../layout.ts';
import type { CaseSummary, QueueView } from '../services.ts';
import { isFiltered, type QueueFilter } from './queue-filter.ts';

export type QueuePageInput = {
  view: PageView;
  content: Content;
  partner: string;
  partners: readonly { id: string; name: string }[];
  queue: QueueView;
  now: number;
  /** The viewer's staff id (`web:<account>`), to mark their own cases. */
  me: string;
  who: (staffId: string) => string;
  filter: QueueFilter;
  /** The partner's active accounts (holder filter). */
  colleagues: readonly { id: string; name: string }[];
};

export function queueBody(input: QueuePageInput): Html {
  const { view, queue, now } = input;
  const { t } = view;
  const l = labels(input.content, view.lang);

  const item = (c: CaseSummary) => {
    const cls = c.overdue || c.replyOverdue ? 'overdue' : c.status === 'claimed' ? 'claimed' : '';
    const status =
      c.status === 'waiting'
        ? html`<span class="tag${c.overdue ? ' bad' : ''}">${c.overdue ? t('overdue') : t('waiting')} ${age(now - c.waitingSince, t)}</span>`
        : c.status === 'claimed'
          ? html`<span class="tag ok">${c.claimedBy === input.me ? t('mine') : t('claimed by {who}', { who: input.who(c.claimedBy ?? '') })}</span>`
          : html`<span class="tag">${t('closed')}${c.outcome ? ` · ${outcomeLabel(c.outcome, t)}` : ''}</span>`;
    const claim =
      c.status === 'waiting'
        ? html`<form method="post" action="/cases/${c.no}/claim">${csrfField(view)}<button type="submit">${t('Claim')}</button></form>`
        : '';
    const erased = c.erased ? html` <span class="tag warn">${t('erased by the person')}</span>` : '';
    const urgent = c.urgent ? html`<span class="tag bad">${t('urgent')}</span>` : '';
    const noReply = c.replyOverdue ? html`<span class="tag bad">${t('no reply yet')}</span>` : '';
    return html`<li class="${cls}${c.urgent ? ' urgent' : ''}"><a class="no" href="/cases/${c.no}">${c.no}</a>${urgent}<span class="meta">${l.need(c.need)} · ${l.region(c.region)} · ${languageLabel(c.lang)} · ${channelLabel(c.channel, t)}</span>${status}${noReply}${erased}${claim}</li>`;
  };

  const section = (title: string, cases: CaseSummary[], empty: string) =>
    html`<h2>${title} (${cases.length})</h2>${
      cases.length ? html`<ul class="cases">${cases.map(item)}</ul>` : html`<p class="muted">${empty}</p>`
    }`;

  const mineFirst = [...queue.claimed].sort(
    (a, b) => Number(b.claimedBy === input.me) - Number(a.claimedBy === input.me),
  );

  const f = input.filter;
  const option = (value: string, label: string, current: string) =>
    html`<option value="${value}"${value === current ? html` selected` : ''}>${label}</option>`;
  const filters = html`<form method="get" action="/cases" class="card filters" role="search">
<div class="grid"><div><label for="q">${t('Case number')}</label><input type="text" id="q" name="q" value="${f.q}" placeholder="K-7F3Q" autocapitalize="characters"></div>
<div><label for="status">${t('Status')}</label><select id="status" name="status">${option('', t('All'), f.status)}${option('urgent', t('urgent'), f.status)}${option('overdue', t('overdue'), f.status)}${option('waiting', t('waiting'), f.status)}${option('claimed', t('claimed'), f.status)}${option('closed', t('closed'), f.status)}</select></div>
<div><label for="need">${t('Need')}</label><select id="need" name="need">${option('', t('All'), f.need)}${input.content.needs.map((n) => option(n.id, l.need(n.id), f.need))}</select></div>
<div><label for="region">${t('Region')}</label><select id="region" name="region">${option('', t('All'), f.region)}${input.content.regions.map((r) => option(r.id, l.region(r.id), f.region))}</select></div>
<div><label for="age">${t('Older than')}</label><select id="age" name="age">${option('', t('any age'), f.olderThanHours ? String(f.olderThanHours) : '')}${option('6', t('{n} h', { n: 6 }), String(f.olderThanHours))}${option('24', t('{n} h', { n: 24 }), String(f.olderThanHours))}${option('72', t('{n} days', { n: 3 }), String(f.olderThanHours))}</select></div>
<div><label for="holder">${t('Held by')}</label><select id="holder" name="holder">${option('', t('anyone'), f.holder)}${input.colleagues.map((p) => option(p.id, p.name, f.holder))}</select></div></div>
<p class="actions"><label class="inline"><input type="checkbox" name="mine" value="1"${f.mine ? html` checked` : ''}> ${t('Only my cases')}</label><button type="submit" class="secondary">${t('Search')}</button>${isFiltered(f) ? html`<a href="/cases">${t('Show all')}</a>` : ''}</p></form>`;
  const alerts = html`<p><button type="button" class="secondary" hidden data-live-alerts data-on="${t('Sound and notifications: on')}" data-off="${t('Sound and notifications: off')}">${t('Sound and notifications: off')}</button></p>`;

  return html`${filters}${alerts}
${section(t('Overdue'), queue.overdue, t('No overdue case.'))}
${section(t('Waiting'), queue.waiting, t('No case is waiting.'))}
${section(t('Claimed'), mineFirst, t('No claimed case.'))}
${section(t('Recently closed'), queue.closed, t('No closed case yet.'))}`;
}

// A partner's referral queue: overdue first, then waiting, claimed and recently closed cases.
import type { Content } from '../../content/schema.ts';
import { age, labels, outcomeLabel } from '../format.ts';
import { type Html, html } from '../html.ts';
import { csrfField, type PageView } from '../layout.ts';
import type { CaseSummary, QueueView } from '../services.ts';

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
};

export function queueBody(input: QueuePageInput): Html {
  const { view, queue, now } = input;
  const { t } = view;
  const l = labels(input.content, view.lang);

  const item = (c: CaseSummary) => {
    const cls = c.overdue ? 'overdue' : c.status === 'claimed' ? 'claimed' : '';
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
    return html`<li class="${cls}"><a class="no" href="/cases/${c.no}">${c.no}</a><span class="meta">${l.need(c.need)} · ${l.region(c.region)} · ${c.lang} · ${c.channel}</span>${status}${erased}${claim}</li>`;
  };

  const section = (title: string, cases: CaseSummary[], empty: string) =>
    html`<h2>${title} (${cases.length})</h2>${
      cases.length ? html`<ul class="cases">${cases.map(item)}</ul>` : html`<p class="muted">${empty}</p>`
    }`;

  const mineFirst = [...queue.claimed].sort(
    (a, b) => Number(b.claimedBy === input.me) - Number(a.claimedBy === input.me),
  );

  return html`${section(t('Overdue'), queue.overdue, t('No overdue case.'))}
${section(t('Waiting'), queue.waiting, t('No case is waiting.'))}
${section(t('Claimed'), mineFirst, t('No claimed case.'))}
${section(t('Recently closed'), queue.closed, t('No closed case yet.'))}`;
}

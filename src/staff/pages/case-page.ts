// One case: what it is about, the person's details (for the partner's staff only), the conversation relay, the
// actions the viewer may take, and the audit trail.
import type { Content } from '../../content/schema.ts';
import { type CaseAction, may } from '../../referrals/policy.ts';
import { actorOf } from '../context.ts';
import { age, LANGUAGE_NAMES, labels, outcomeLabel, when } from '../format.ts';
import { type Html, html } from '../html.ts';
import { csrfField, type PageView } from '../layout.ts';
import type { CaseDetails } from '../services.ts';

export type CasePageInput = {
  view: PageView;
  content: Content;
  details: CaseDetails;
  partners: readonly { id: string; name: string }[];
  outcomes: readonly string[];
  now: number;
  me: string;
  who: (staffId: string) => string;
};

const AUDIT_TEXT: Record<string, string> = {
  created: 'created',
  published: 'put in the queue',
  claimed: 'claimed',
  released: 'released',
  transferred: 'transferred',
  escalated: 'escalated',
  transfer_proposed: 'transfer proposed to the person',
  transfer_declined: 'transfer declined by the person',
  assigned: 'assigned',
  reminded: 'reminder sent',
  replied: 'replied',
  person_message: 'message from the person',
  closed: 'closed',
  erased: 'erased by the person',
  purged: 'personal data deleted',
};

export function caseBody(input: CasePageInput): Html {
  const { view, details, now } = input;
  const { t } = view;
  const c = details.case;
  const l = labels(input.content, view.lang);
  const partnerName = (id: string) => input.partners.find((p) => p.id === id)?.name ?? id;
  const mine = c.claimedBy === input.me;
  // The same policy as the service's: the page offers only what the service will accept.
  const actor = view.account ? actorOf(view.account) : { id: input.me };
  const can = (action: CaseAction) => may(action, actor, c);
  const canWork = c.status === 'claimed' && can('release');
  const canReply = c.status === 'claimed' && can('reply');

  const status =
    c.status === 'waiting'
      ? t('Waiting for {age}', { age: age(now - c.waitingSince, t) })
      : c.status === 'claimed'
        ? t('Claimed by {who}', { who: mine ? t('you') : input.who(c.claimedBy ?? '') })
        : t('Closed: {outcome}', { outcome: c.outcome ? outcomeLabel(c.outcome, t) : '' });

  const summary = html`<dl class="card">
<dt>${t('Status')}</dt><dd>${status}${c.overdue ? html` <span class="tag bad">${t('overdue')}</span>` : ''}</dd>
<dt>${t('Partner')}</dt><dd>${partnerName(c.partner)}${
    c.proposedTo
      ? html` <span class="tag warn">${t('transfer to {partner} proposed: waiting for the person’s answer', { partner: partnerName(c.proposedTo) })}</span>`
      : ''
  }</dd>
<dt>${t('Need')}</dt><dd>${l.need(c.need)}</dd>
<dt>${t('Region')}</dt><dd>${l.region(c.region)}</dd>
<dt>${t('Language')}</dt><dd>${LANGUAGE_NAMES[c.lang] ?? c.lang}</dd>
<dt>${t('Channel')}</dt><dd>${c.channel}</dd>
<dt>${t('Created')}</dt><dd>${when(c.createdAt)}</dd>
</dl>`;

  const p = details.personal;
  const personal = c.erased
    ? html`<p class="flash error">${t('Erased by the person: their personal data was deleted at their request.')}</p>`
    : c.purged
      ? html`<p class="muted">${t('Personal data deleted after the retention period.')}</p>`
      : !p
        ? html`<p class="muted">${t('No personal data.')}</p>`
        : html`<dl class="card">
${p.nickname ? html`<dt>${t('Name given')}</dt><dd>${p.nickname}</dd>` : ''}
${p.phone ? html`<dt>${t('Phone')}</dt><dd>${p.phone}</dd>` : ''}
${p.description ? html`<dt>${t('Situation')}</dt><dd>${p.description}</dd>` : ''}
${Object.entries(p.other).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}
${p.media.length ? html`<dt>${t('Attachments')}</dt><dd>${t('{n} file(s) sent in the chat', { n: p.media.length })}</dd>` : ''}
${details.note ? html`<dt>${t('Closing note')}</dt><dd>${details.note}</dd>` : ''}
</dl>`;

  const messages = details.messages.length
    ? html`<ul class="msgs">${details.messages.map(
        (m) =>
          html`<li class="${m.from}"><small>${m.from === 'person' ? t('The person') : input.who(m.by ?? '')} · ${when(m.at)}</small>${m.text}</li>`,
      )}</ul>`
    : html`<p class="muted">${t('No message yet.')}</p>`;

  const reply = canReply
    ? html`<form method="post" action="/cases/${c.no}/reply" class="card">${csrfField(view)}
<label for="text">${t('Reply to the person (sent through the bot)')}</label><textarea id="text" name="text" maxlength="4000" required></textarea>
<p><button type="submit">${t('Send')}</button></p></form>`
    : '';

  const claim =
    c.status === 'waiting' && can('claim')
      ? html`<form method="post" action="/cases/${c.no}/claim">${csrfField(view)}<button type="submit">${t('Claim')}</button></form>`
      : '';
  const release = canWork
    ? html`<form method="post" action="/cases/${c.no}/release">${csrfField(view)}<button type="submit" class="secondary">${t('Release to the queue')}</button></form>`
    : '';
  const others = input.partners.filter((x) => x.id !== c.partner);
  const mayMove = c.status !== 'closed' && can('transfer');
  const transfer =
    mayMove && others.length
      ? html`<form method="post" action="/cases/${c.no}/transfer" class="actions">${csrfField(view)}<div><label for="to">${t('Transfer to')}</label><select id="to" name="to">${others.map(
          (x) => html`<option value="${x.id}">${x.name}</option>`,
        )}</select></div><button type="submit" class="secondary">${t('Transfer')}</button></form>`
      : '';
  const close =
    c.status !== 'closed' && mayMove
      ? html`<form method="post" action="/cases/${c.no}/close" class="card">${csrfField(view)}
<label for="outcome">${t('Outcome')}</label><select id="outcome" name="outcome">${input.outcomes.map(
          (o) => html`<option value="${o}">${outcomeLabel(o, t)}</option>`,
        )}</select>
<label for="note">${t('Note (optional, kept encrypted)')}</label><textarea id="note" name="note" maxlength="2000"></textarea>
<p><button type="submit" class="danger">${t('Close the case')}</button></p></form>`
      : '';

  const audit = html`<div class="scroll"><table><thead><tr><th>${t('When')}</th><th>${t('Who')}</th><th>${t('What')}</th></tr></thead><tbody>${details.audit.map(
    (a) =>
      html`<tr><td>${when(a.at)}</td><td>${a.by === 'person' ? t('The person') : input.who(a.by)}</td><td>${t(AUDIT_TEXT[a.action] ?? a.action)}${
        a.to ? ` → ${partnerName(a.to)}` : ''
      }${a.outcome ? ` · ${outcomeLabel(a.outcome, t)}` : ''}</td></tr>`,
  )}</tbody></table></div>`;

  const more = release || transfer ? html`<div class="actions">${release}${transfer}</div>` : '';
  return html`<p><a href="/cases?partner=${c.partner}">← ${t('Back to the queue')}</a></p>
${summary}${claim}
<h2>${t('Personal details')}</h2>${personal}
<h2>${t('Conversation')}</h2>${messages}${reply}
${close}${more}
<h2>${t('Audit trail')}</h2>${audit}`;
}

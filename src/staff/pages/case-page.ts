// One case: what it is about, the person's details (for the partner's staff only), the conversation relay, the
// actions the viewer may take, and the audit trail.
import type { Content } from '../../content/schema.ts';
import { type CaseAction, may } from '../../referrals/policy.ts';
import { actorOf } from '../context.ts';
import { age, channelLabel, labels, languageLabel, outcomeLabel, when } from '../format.ts';
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
  /** The partner's active accounts, to assign the case to. */
  colleagues: readonly { id: string; login: string; name: string }[];
  /** The partner's reply templates, and the text of the one picked (prefilled in the reply box). */
  templates: readonly { id: string; title: string }[];
  prefill: string;
  /** A note that could not be saved, back in its box. */
  notePrefill?: string;
  /** Files the person sent can be opened from the page (their channel can fetch them). */
  attachmentsOpen: boolean;
};

/** Labels for what the flows collect beyond name, phone and situation: never a raw key on the page. */
const FIELD_LABELS: Record<string, { label: string; values?: Record<string, string> }> = {
  contact: {
    label: 'How to reach them',
    values: { phone: 'By phone', chat: 'Through the chat with the bot' },
  },
};

const humanise = (key: string) => {
  const words = key.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
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
  reply_reminded: 'holder reminded to write to the person',
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
<dt>${t('Status')}</dt><dd>${status}${c.overdue ? html` <span class="tag bad">${t('overdue')}</span>` : ''}${c.urgent ? html` <span class="tag bad">${t('urgent')}</span>` : ''}${
    c.replyOverdue ? html` <span class="tag bad">${t('no reply yet: write to the person')}</span>` : ''
  }</dd>
<dt>${t('Partner')}</dt><dd>${partnerName(c.partner)}${
    c.proposedTo
      ? html` <span class="tag warn">${t('transfer to {partner} proposed: waiting for the person’s answer', { partner: partnerName(c.proposedTo) })}</span>`
      : ''
  }</dd>
<dt>${t('Need')}</dt><dd>${l.need(c.need)}</dd>
<dt>${t('Region')}</dt><dd>${l.region(c.region)}</dd>
<dt>${t('Language')}</dt><dd>${languageLabel(c.lang)}</dd>
<dt>${t('Channel')}</dt><dd>${channelLabel(c.channel, t)}</dd>
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
${Object.entries(p.other).map(([k, v]) => {
  const known = FIELD_LABELS[k];
  const value = known?.values?.[v];
  return html`<dt>${known ? t(known.label) : humanise(k)}</dt><dd>${value ? t(value) : v}</dd>`;
})}
${
  p.media.length
    ? html`<dt>${t('Attachments')}</dt><dd>${
        input.attachmentsOpen
          ? html`<a href="/cases/${c.no}/attachments">${t('Listen to or view the {n} file(s)', { n: p.media.length })}</a>`
          : t('{n} file(s) sent in the chat', { n: p.media.length })
      }</dd>`
    : ''
}
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
${
  input.templates.length
    ? html`<p class="actions templates"><span class="muted">${t('Start from a template:')}</span>${input.templates.map(
        (x) => html`<a href="/cases/${c.no}?template=${x.id}#text">${x.title}</a>`,
      )}</p>`
    : ''
}<label for="text">${t('Reply to the person (sent through the bot)')}</label><textarea id="text" name="text" maxlength="4000" required>${input.prefill}</textarea>
<p><button type="submit">${t('Send')}</button></p></form>`
    : input.prefill
      ? // The reply could not go and the case no longer takes one (claimed by another, closed): the text stays here.
        html`<div class="card"><label for="unsent">${t('Your text, not sent (copy it if you need it):')}</label><textarea id="unsent" readonly>${input.prefill}</textarea></div>`
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
  // Closing sits apart, folded, and asks for a confirmation: it tells the person their case is over.
  const close =
    c.status !== 'closed' && mayMove
      ? html`<details class="card close"><summary>${t('Close the case…')}</summary><form method="post" action="/cases/${c.no}/close">${csrfField(view)}
<label for="outcome">${t('Outcome')}</label><select id="outcome" name="outcome">${input.outcomes.map(
          (o) => html`<option value="${o}">${outcomeLabel(o, t)}</option>`,
        )}</select>
<label for="note">${t('Note (optional, kept encrypted)')}</label><textarea id="note" name="note" maxlength="2000"></textarea>
<p><label class="inline"><input type="checkbox" id="confirm-close" name="confirm" value="yes" required> ${t('Yes, close it: the person will be told their case is closed.')}</label></p>
<p><button type="submit" class="danger">${t('Close the case')}</button></p></form></details>`
      : '';
  const assignable = input.colleagues.filter((p) => p.id !== c.claimedBy);
  const assign =
    c.status !== 'closed' && can('assign') && assignable.length
      ? html`<form method="post" action="/cases/${c.no}/assign" class="actions">${csrfField(view)}<div><label for="assign-to">${t('Give to a colleague')}</label><select id="assign-to" name="to">${assignable.map(
          (p) => html`<option value="${p.login}">${p.id === input.me ? t('me') : p.name}</option>`,
        )}</select></div><button type="submit" class="secondary">${t('Give')}</button></form>`
      : '';
  const notes = html`<h2>${t('Internal notes')}</h2><p class="muted">${t('For your team only: never sent to the person.')}</p>${
    details.notes.length
      ? html`<ul class="msgs notes">${details.notes.map(
          (n) => html`<li><small>${input.who(n.by)} · ${when(n.at)}</small>${n.text}</li>`,
        )}</ul>`
      : ''
  }${
    can('note') && !c.erased && !c.purged
      ? html`<form method="post" action="/cases/${c.no}/note" class="card">${csrfField(view)}<label for="note-text">${t('Add a note')}</label><textarea id="note-text" name="text" maxlength="4000" required>${input.notePrefill ?? ''}</textarea><p><button type="submit" class="secondary">${t('Save the note')}</button></p></form>`
      : ''
  }`;

  const audit = html`<div class="scroll" tabindex="0"><table><thead><tr><th>${t('When')}</th><th>${t('Who')}</th><th>${t('What')}</th></tr></thead><tbody>${details.audit.map(
    (a) =>
      html`<tr><td>${when(a.at)}</td><td>${a.by === 'person' ? t('The person') : input.who(a.by)}</td><td>${t(AUDIT_TEXT[a.action] ?? a.action)}${
        a.to ? ` → ${partnerName(a.to)}` : ''
      }${a.outcome ? ` · ${outcomeLabel(a.outcome, t)}` : ''}</td></tr>`,
  )}</tbody></table></div>`;

  const more = release || transfer || assign ? html`<div class="actions">${release}${assign}${transfer}</div>` : '';
  return html`<p><a href="/cases?partner=${c.partner}">← ${t('Back to the queue')}</a></p>
${summary}${claim}
<h2>${t('Personal details')}</h2>${personal}
<h2>${t('Conversation')}</h2>${messages}${reply}
${more}${notes}${close}
<h2>${t('Audit trail')}</h2>${audit}`;
}

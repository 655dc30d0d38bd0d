// Content status (FAQs, languages, contacts, validation problems, flows) and one flow drawn as a graph.
import { formatProblem, type SourceProblem } from '../../common/source-problems.ts';
import { LANGUAGES } from '../../engine/types.ts';
import { type FlowGraph, flowGraph, flowToMermaid } from '../../flows/diagram.ts';
import type { Flow, FlowSet } from '../../flows/schema.ts';
import type { ContentStatus, FaqReviewStatus } from '../content-status.ts';
import { LANGUAGE_NAMES } from '../format.ts';
import { type Html, html } from '../html.ts';
import type { PageView } from '../layout.ts';

const STATUS_TEXT: Record<FaqReviewStatus, string> = {
  reviewed: 'reviewed',
  draft: 'draft',
  'machine-draft': 'machine draft',
  missing: 'missing',
};

const STATUS_CLASS: Record<FaqReviewStatus, string> = {
  reviewed: 'ok',
  draft: 'warn',
  'machine-draft': 'warn',
  missing: 'bad',
};

export function contentBody(
  view: PageView,
  status: ContentStatus,
  problems: readonly SourceProblem[],
  flows: FlowSet,
): Html {
  const { t } = view;
  const pct = (n: number, total: number) => (total ? Math.round((100 * n) / total) : 100);

  const languages = html`<div class="scroll" tabindex="0"><table><thead><tr><th>${t('Language')}</th><th>${t('FAQ answers')}</th><th>${t('Reviewed')}</th><th>${t('Bot texts')}</th></tr></thead><tbody>${status.languages.map(
    (l) =>
      html`<tr><td>${LANGUAGE_NAMES[l.lang]}</td><td>${l.faqAnswers}/${l.faqTotal}</td><td>${l.faqReviewed}/${l.faqTotal} (${pct(l.faqReviewed, l.faqTotal)}%)</td><td>${l.strings}/${l.stringsTotal} (${pct(l.strings, l.stringsTotal)}%)${
        l.missingStrings.length
          ? html`<details><summary>${t('{n} missing', { n: l.missingStrings.length })}</summary><small>${l.missingStrings.slice(0, 50).join(', ')}${l.missingStrings.length > 50 ? ' …' : ''}</small></details>`
          : ''
      }</td></tr>`,
  )}</tbody></table></div>`;

  const byStatus = html`<div class="scroll" tabindex="0"><table><thead><tr><th></th>${LANGUAGES.map((lang) => html`<th>${LANGUAGE_NAMES[lang]}</th>`)}</tr></thead><tbody>${(
    ['reviewed', 'draft', 'machine-draft', 'missing'] as const
  ).map(
    (s) =>
      html`<tr><th>${t(STATUS_TEXT[s])}</th>${LANGUAGES.map((lang) => html`<td>${status.byStatus[lang][s]}</td>`)}</tr>`,
  )}</tbody></table></div>`;

  // A list rather than a table: it stays readable on a phone.
  const faqs = html`<ul class="cases" id="faqs">${status.faqs.map(
    (f) =>
      html`<li><span><strong>${f.id}</strong><br><small>${f.title}</small></span><span class="meta">${t('Reviewed on')} ${f.reviewed} <span class="tag${f.stale ? ' bad' : ''}">${t('{n} days ago', { n: f.ageDays })}</span></span><span>${LANGUAGES.map(
        (lang) =>
          html`<span class="tag ${STATUS_CLASS[f.status[lang]]}">${lang}: ${t(STATUS_TEXT[f.status[lang]])}</span> `,
      )}</span></li>`,
  )}</ul>`;

  const contacts = status.unverifiedContacts.length
    ? html`<ul>${status.unverifiedContacts.map(
        (c) =>
          html`<li><strong>${c.name}</strong> (${c.id})${c.organisation ? html` <span class="tag bad">${t('organisation not verified')}</span>` : ''}${
            c.unverifiedDetails
              ? html` <span class="tag warn">${t('{n} unverified details', { n: c.unverifiedDetails })}</span>`
              : ''
          }</li>`,
      )}</ul>`
    : html`<p>${t('Every contact is verified.')}</p>`;

  const problemList = problems.length
    ? html`<pre id="problems">${problems.map((p) => `${formatProblem(p)}\n`).join('')}</pre>`
    : html`<p>${t('No problem found.')}</p>`;

  const flowList = html`<ul>${Object.values(flows.flows).map(
    (f) =>
      html`<li><a href="/content/flows/${f.id}">${f.id}</a> — ${Object.keys(f.nodes).length} ${t('nodes')}${f.description ? html`<br><small>${f.description}</small>` : ''}</li>`,
  )}</ul>`;

  return html`<h2>${t('Languages')}</h2>${languages}
<h2>${t('FAQs by review status')}</h2>${byStatus}
<h2>${t('FAQs, oldest review first')}</h2>${faqs}
<h2>${t('Unverified contacts')}</h2>${contacts}
<h2>${t('Validation problems')}</h2>${problemList}
<h2>${t('Flows')}</h2>${flowList}`;
}

function graphList(view: PageView, graph: FlowGraph): Html {
  const { t } = view;
  const link = (to: string, external: boolean) => {
    if (!external) return html`<a href="#node-${to}">${to}</a>`;
    const [flow, node] = to.split(':');
    return html`<a href="/content/flows/${flow ?? ''}#node-${node ?? ''}">${to}</a>`;
  };
  return html`<ol class="graph">${graph.nodes.map((n) => {
    const out = graph.edges.filter((e) => e.from === n.id);
    return html`<li id="node-${n.id}" class="card"><strong>${n.id}</strong>${n.id === graph.start ? html` <span class="tag ok">${t('start')}</span>` : ''} <small class="muted">${n.does.join(' · ')}</small>${
      out.length
        ? html`<ul>${out.map((e) => html`<li>${e.label !== undefined ? html`<span class="tag">${e.label}</span> ` : ''}→ ${link(e.to, e.external)}</li>`)}</ul>`
        : ''
    }</li>`;
  })}</ol>`;
}

export function flowBody(view: PageView, flow: Flow, flows: FlowSet): Html {
  const { t } = view;
  const keywords = flows.keywords.filter((k) => k.flow === flow.id);
  return html`<p><a href="/content">← ${t('Content')}</a></p>
${flow.description ? html`<p>${flow.description}</p>` : ''}
${keywords.length ? html`<p>${t('Words that work from anywhere')}: ${keywords.map((k, i) => html`${i ? ', ' : ''}<strong>${k.id}</strong> → ${k.keyword.goto}`)}</p>` : ''}
${graphList(view, flowGraph(flow))}
<h2>Mermaid</h2><p class="muted">${t('Paste this into any Mermaid viewer to see the flow as a drawing.')}</p>
<pre class="mermaid" tabindex="0">${flowToMermaid(flow)}</pre>`;
}

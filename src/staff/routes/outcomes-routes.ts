// The partner's outcomes page (figures and a small chart) and the CSV export of its cases, without personal data.
import type { Hono } from 'hono';
import { OUTCOMES } from '../../ports/staff-cases.ts';
import type { StaffAccount } from '../accounts.ts';
import { requireLogin } from '../auth.ts';
import { type ServerDeps, type StaffEnv, viewOf } from '../context.ts';
import { age, outcomeLabel } from '../format.ts';
import { html } from '../html.ts';
import { page } from '../layout.ts';
import { casesCsv, type Durations, outcomeFigures } from '../outcomes.ts';

const PERIODS = [7, 30, 90, 365];
const DAY = 86_400_000;

export function outcomesRoutes(app: Hono<StaffEnv>, deps: ServerDeps): void {
  app.use('/outcomes', requireLogin);
  app.use('/outcomes.csv', requireLogin);

  const daysOf = (value: string | undefined) => (PERIODS.includes(Number(value)) ? Number(value) : 30);

  async function casesOf(account: StaffAccount, days: number) {
    if (!deps.referrals) return [];
    return deps.referrals.partnerCases(account.partner, deps.clock.now() - days * DAY);
  }

  app.get('/outcomes', async (c) => {
    const view = viewOf(c);
    const { t } = view;
    const account = c.get('account') as StaffAccount;
    const days = daysOf(c.req.query('days'));
    const f = outcomeFigures(await casesOf(account, days));
    const span = (d: Durations) =>
      d.median === null
        ? t('no case yet')
        : t('median {median}, 90% within {p90}', { median: age(d.median, t), p90: age(d.p90 ?? d.median, t) });
    const most = Math.max(1, ...OUTCOMES.map((o) => f.outcomes[o]));
    const bars = OUTCOMES.map(
      (o) =>
        html`<div class="bar"><span>${outcomeLabel(o, t)}</span><span class="track"><span class="fill" style="width:${Math.round((f.outcomes[o] / most) * 100)}%"></span></span><strong>${f.outcomes[o]}</strong></div>`,
    );
    const periods = PERIODS.map((d) =>
      d === days
        ? html`<strong>${t('{n} days', { n: d })}</strong>`
        : html`<a href="/outcomes?days=${d}">${t('{n} days', { n: d })}</a>`,
    );
    const body = html`<p class="actions">${periods}</p>
<dl class="card"><dt>${t('Cases received')}</dt><dd>${f.received}${f.urgent ? html` (${t('{n} urgent', { n: f.urgent })})` : ''}</dd>
<dt>${t('Still open')}</dt><dd>${f.open}</dd><dt>${t('Closed')}</dt><dd>${f.closed}</dd>
<dt>${t('Time to claim')}</dt><dd>${span(f.toClaim)}</dd><dt>${t('Time to close')}</dt><dd>${span(f.toClose)}</dd></dl>
<h2>${t('How cases ended')}</h2><div class="card chart">${bars}</div>
<p><a class="button" href="/outcomes.csv?days=${days}" download>${t('Download the cases (CSV, no personal data)')}</a></p>`;
    return c.html(page(view, { title: t('Outcomes'), body }));
  });

  app.get('/outcomes.csv', async (c) => {
    const account = c.get('account') as StaffAccount;
    const days = daysOf(c.req.query('days'));
    const cases = await casesOf(account, days);
    c.header('content-type', 'text/csv; charset=utf-8');
    c.header('content-disposition', `attachment; filename="cases-${account.partner}-${days}d.csv"`);
    c.header('cache-control', 'no-store');
    return c.body(casesCsv(cases));
  });
}

// The partner's audit log, for its administrators: logins, views of personal data, case work, account changes.
import type { Hono } from 'hono';
import type { StaffAccount } from '../accounts.ts';
import type { AuditLogEntry } from '../audit-log.ts';
import { requireAdmin, requireLogin } from '../auth.ts';
import { type ServerDeps, type StaffEnv, viewOf } from '../context.ts';
import { when } from '../format.ts';
import { html } from '../html.ts';
import type { T } from '../i18n.ts';
import { page } from '../layout.ts';

const ACTION_TEXT: Record<string, string> = {
  login: 'logged in',
  login_failed: 'wrong password',
  login_locked: 'login refused: too many failed attempts',
  login_disabled: 'login refused: account disabled',
  password_set: 'password set',
  personal_data_viewed: 'viewed personal data',
  attachment_viewed: 'opened a file the person sent',
  template_saved: 'reply template saved',
  case_claimed: 'claimed',
  case_assigned: 'assigned',
  case_released: 'released',
  case_proposed: 'transfer proposed to the person',
  transfer_accepted: 'transfer accepted by the person',
  transfer_declined: 'transfer declined by the person',
  case_closed: 'closed',
  note_added: 'internal note added',
  account_added_staff: 'account added (staff)',
  account_added_admin: 'account added (admin)',
  account_reset: 'account reset',
  account_disabled: 'account disabled',
  account_enabled: 'account enabled',
  account_removed: 'account removed',
  account_role_staff: 'role changed to staff',
  account_role_admin: 'role changed to admin',
};

const PAGE_SIZE = 200;

export function auditRoutes(app: Hono<StaffEnv>, deps: ServerDeps): void {
  app.use('/audit', requireLogin, requireAdmin);

  async function who(entries: AuditLogEntry[], t: T) {
    const names = new Map<string, string>();
    for (const id of new Set(entries.flatMap((e) => [e.by, e.to ?? '']))) {
      if (id.startsWith('web:')) names.set(id, (await deps.accounts.get(id.slice(4)))?.name ?? id.slice(4));
      else if (id.startsWith('tg:')) names.set(id, t('Telegram #{id}', { id: id.slice(3) }));
      else if (id === 'person') names.set(id, t('The person'));
      else if (id === 'cli') names.set(id, t('command line'));
      // The deadline check: it proposes a transfer when nobody claimed a case in time.
      else if (id === 'system') names.set(id, t('system'));
    }
    return (id: string) => names.get(id) ?? id;
  }

  app.get('/audit', async (c) => {
    const view = viewOf(c);
    const { t } = view;
    const account = c.get('account') as StaffAccount;
    const before = Number(c.req.query('before'));
    const entries = await deps.audit.list(account.partner, {
      limit: PAGE_SIZE,
      ...(Number.isFinite(before) && before > 0 ? { before } : {}),
    });
    const name = await who(entries, t);
    const partnerName = deps.referrals?.partners.get(account.partner)?.name ?? account.partner;
    const rows = entries.map(
      (e) =>
        html`<tr><td>${when(e.at)}</td><td>${name(e.by)}</td><td>${t(ACTION_TEXT[e.action] ?? e.action)}${
          e.to ? html` → ${deps.referrals?.partners.get(e.to)?.name ?? name(e.to)}` : ''
        }</td><td>${e.case ? html`<a href="/cases/${e.case}">${e.case}</a>` : ''}</td><td>${e.address ?? ''}</td></tr>`,
    );
    const last = entries.at(-1);
    const more =
      entries.length === PAGE_SIZE && last
        ? html`<p><a href="/audit?before=${last.at}">${t('Older entries')}</a></p>`
        : '';
    const body = html`<p class="muted">${t('What happened at {partner}: logins, views of personal data, case work and account changes. No personal data is kept here.', { partner: partnerName })}</p>
${
  entries.length
    ? html`<div class="scroll" tabindex="0"><table><thead><tr><th>${t('When')}</th><th>${t('Who')}</th><th>${t('What')}</th><th>${t('Case')}</th><th>${t('Address')}</th></tr></thead><tbody>${rows}</tbody></table></div>`
    : html`<p class="muted">${t('Nothing recorded yet.')}</p>`
}${more}`;
    c.header('cache-control', 'no-store');
    return c.html(page(view, { title: t('Audit log'), body }));
  });
}

// The referral pages: the queue, a case, and the actions on it (claim, release, transfer, reply, close).
// Every action goes through the referral service, which asks the case policy (src/referrals/policy.ts) and makes
// claims exactly-once. Another partner's case is answered exactly like a missing one (404).
import type { Hono } from 'hono';
import { OUTCOMES } from '../../referrals/case-model.ts';
import { mayListQueue } from '../../referrals/policy.ts';
import type { StaffAccount } from '../accounts.ts';
import { requireLogin } from '../auth.ts';
import { actorOf, type ServerDeps, type StaffContext, type StaffEnv, viewOf } from '../context.ts';
import { html } from '../html.ts';
import { page } from '../layout.ts';
import { caseBody } from '../pages/case-page.ts';
import { applyFilter, queueFilter } from '../pages/queue-filter.ts';
import { queueBody } from '../pages/queue-page.ts';
import type { OpResult, StaffReferrals } from '../services.ts';
import { templateText } from '../templates.ts';

const CASE_NO = /^K-[0-9A-Z]{4,8}$/;

const DONE_TEXT: Record<string, string> = {
  claimed: 'You have the case. The person was told.',
  released: 'The case is back in the queue.',
  transferred: 'The person was asked whether they agree to the transfer. The case moves only if they say yes.',
  replied: 'Your reply was sent to the person.',
  closed: 'The case is closed. The person was told.',
  assigned: 'The case was given to your colleague. The person was told if it was waiting.',
  noted: 'Your internal note is saved. The person does not see it.',
  password: 'Your password is saved.',
};

const ERROR_TEXT: Record<string, string> = {
  not_found: 'This case does not exist.',
  taken: 'Someone else claimed this case first.',
  closed: 'This case is closed.',
  forbidden: 'You may not do this on this case.',
  not_claimed: 'Claim the case first.',
  same_partner: 'The case is already with this partner.',
  unknown_partner: 'Unknown partner.',
  erased: 'The person erased their data: they cannot be reached.',
  stale: 'The case changed in the meantime: look again.',
  send_failed: 'The reply could not be delivered. Try again later.',
  waiting_for_person: 'Waiting for the person to write again: the reply goes out as soon as they write.',
  invalid: 'Check what you typed.',
};

export function referralRoutes(app: Hono<StaffEnv>, deps: ServerDeps): void {
  app.use('/cases', requireLogin);
  app.use('/cases/*', requireLogin);

  const partnersOf = (referrals: StaffReferrals) =>
    [...referrals.partners.values()].map((p) => ({ id: p.id, name: p.name }));

  /** Names for staff ids in lists: console accounts by name, Telegram staff by their Telegram id. */
  async function namer(ids: Iterable<string>, t: StaffContext['var']['t']) {
    const names = new Map<string, string>();
    for (const id of new Set(ids)) {
      if (id.startsWith('web:')) names.set(id, (await deps.accounts.get(id.slice(4)))?.name ?? id.slice(4));
      else if (id.startsWith('tg:')) names.set(id, t('Telegram #{id}', { id: id.slice(3) }));
      else if (id === 'system') names.set(id, t('system'));
    }
    return (id: string) => names.get(id) ?? id;
  }

  /** Banners show fixed texts only: nothing from the address is echoed. */
  const flashOf = (c: StaffContext) => {
    const t = c.get('t');
    const done = c.req.query('done');
    const error = c.req.query('error');
    if (done && Object.hasOwn(DONE_TEXT, done)) return { text: t(DONE_TEXT[done]!) };
    if (error && Object.hasOwn(ERROR_TEXT, error)) return { text: t(ERROR_TEXT[error]!), error: true };
    return null;
  };

  const notEnabled = (c: StaffContext) => {
    const view = viewOf(c);
    return c.html(
      page(view, {
        title: view.t('Cases'),
        body: html`<p>${view.t('Referrals are not enabled on this server.')}</p>`,
        flash: flashOf(c),
      }),
    );
  };

  const forbidden = (c: StaffContext) => c.text(c.get('t')('You may not do this on this case.'), 403);
  const missing = (c: StaffContext) => c.text(c.get('t')('This case does not exist.'), 404);

  /** The partner's active accounts, for "holder" filters and assigning. */
  async function colleaguesOf(account: StaffAccount) {
    return (await deps.accounts.list())
      .filter((a) => a.partner === account.partner && !a.disabled)
      .map((a) => ({ id: `web:${a.id}`, login: a.id, name: a.name }));
  }

  /** The text of the reply template picked on the case page, in the person's language. */
  async function prefillOf(id: string | undefined, partner: string, lang: string): Promise<string> {
    const template = id ? await deps.templates.get(partner, id) : null;
    return template ? templateText(template, lang) : '';
  }

  app.get('/', (c) => c.redirect(c.get('account') ? '/cases' : '/login', 303));

  app.get('/cases', async (c) => {
    const referrals = deps.referrals;
    if (!referrals) return notEnabled(c);
    const account = c.get('account') as StaffAccount;
    const asked = c.req.query('partner');
    // Each partner sees its own queue only, administrators included.
    if (asked && !mayListQueue(actorOf(account), asked)) {
      return c.text(c.get('t')('You can see only the cases of your own partner.'), 403);
    }
    const partner = account.partner;
    const filter = queueFilter(c.req.query(), actorOf(account).id, deps.clock.now());
    const queue = applyFilter(await referrals.listQueue(partner), filter);
    const view = viewOf(c);
    const claimedBy = [...queue.claimed, ...queue.overdue].map((x) => x.claimedBy ?? '');
    const partnerName = referrals.partners.get(partner)?.name ?? partner;
    const body = queueBody({
      view,
      content: deps.bundle.content,
      partner,
      partners: partnersOf(referrals),
      queue,
      now: deps.clock.now(),
      me: actorOf(account).id,
      who: await namer(claimedBy, view.t),
      filter,
      colleagues: await colleaguesOf(account),
    });
    c.header('cache-control', 'no-store');
    return c.html(
      page(view, {
        title: view.t('Cases · {partner}', { partner: partnerName }),
        body,
        flash: flashOf(c),
        live: {},
      }),
    );
  });

  /** The case if the account may see it; otherwise the response to send. */
  async function caseFor(c: StaffContext, referrals: StaffReferrals) {
    const no = c.req.param('no') ?? '';
    const account = c.get('account') as StaffAccount;
    if (!CASE_NO.test(no)) return { response: missing(c) };
    const summary = await referrals.find(no, actorOf(account));
    if (!summary) return { response: missing(c) };
    return { no, account, summary };
  }

  /** The case page; after a failed reply or note, with what was typed still in its box and the reason above. */
  async function casePage(
    c: StaffContext,
    referrals: StaffReferrals,
    found: { no: string; account: StaffAccount },
    failed?: { reason: string; action: string; text: string },
  ) {
    const details = await referrals.details(found.no, actorOf(found.account));
    if ('error' in details) return details.error === 'forbidden' ? forbidden(c) : missing(c);
    const view = viewOf(c);
    const ids = [
      details.case.claimedBy ?? '',
      ...details.audit.map((a) => a.by),
      ...details.messages.map((m) => m.by ?? ''),
      ...details.notes.map((n) => n.by),
    ];
    const body = caseBody({
      view,
      content: deps.bundle.content,
      details,
      partners: partnersOf(referrals),
      outcomes: OUTCOMES,
      now: deps.clock.now(),
      me: actorOf(found.account).id,
      who: await namer(ids, view.t),
      colleagues: await colleaguesOf(found.account),
      templates: await deps.templates.list(found.account.partner),
      attachmentsOpen: Boolean(deps.caseFiles || deps.attachments?.[details.case.channel]),
      prefill:
        failed?.action === 'reply'
          ? failed.text
          : await prefillOf(c.req.query('template'), found.account.partner, details.case.lang),
      ...(failed?.action === 'note' ? { notePrefill: failed.text } : {}),
    });
    // Personal data: never kept in a browser or proxy cache.
    c.header('cache-control', 'no-store');
    const flash = failed ? { text: view.t(ERROR_TEXT[failed.reason] ?? ERROR_TEXT.invalid!), error: true } : flashOf(c);
    return c.html(
      page(view, { title: view.t('Case {no}', { no: found.no }), body, flash, live: { case: found.no } }),
      failed ? (failed.reason === 'invalid' ? 400 : 409) : 200,
    );
  }

  app.get('/cases/:no', async (c) => {
    const referrals = deps.referrals;
    if (!referrals) return notEnabled(c);
    const found = await caseFor(c, referrals);
    if ('response' in found) return found.response;
    return casePage(c, referrals, found);
  });

  type Action = (
    referrals: StaffReferrals,
    no: string,
    body: Record<string, unknown>,
    c: StaffContext,
  ) => Promise<OpResult>;

  const text = (body: Record<string, unknown>, name: string) => (typeof body[name] === 'string' ? body[name] : '');

  const actions: Record<string, { done: string; run: Action }> = {
    claim: { done: 'claimed', run: (r, no, _b, c) => r.claim(no, actorOf(c.get('account') as StaffAccount)) },
    release: { done: 'released', run: (r, no, _b, c) => r.release(no, actorOf(c.get('account') as StaffAccount)) },
    transfer: {
      done: 'transferred',
      run: (r, no, b, c) => r.transfer(no, text(b, 'to'), actorOf(c.get('account') as StaffAccount)),
    },
    assign: {
      done: 'assigned',
      run: async (r, no, b, c) => {
        const account = c.get('account') as StaffAccount;
        const colleague = await deps.accounts.get(text(b, 'to'));
        // Only an active colleague of the same partner.
        if (!colleague || colleague.disabled || colleague.partner !== account.partner) {
          return { ok: false, reason: 'invalid' };
        }
        return r.assign(no, actorOf(account), actorOf(colleague));
      },
    },
    note: {
      done: 'noted',
      run: (r, no, b, c) => r.addNote(no, actorOf(c.get('account') as StaffAccount), text(b, 'text')),
    },
    reply: {
      done: 'replied',
      run: (r, no, b, c) => r.reply(no, actorOf(c.get('account') as StaffAccount), text(b, 'text')),
    },
    close: {
      done: 'closed',
      run: (r, no, b, c) => {
        const outcome = text(b, 'outcome');
        if (!(OUTCOMES as readonly string[]).includes(outcome))
          return Promise.resolve({ ok: false, reason: 'invalid' });
        return r.closeCase(
          no,
          actorOf(c.get('account') as StaffAccount),
          outcome as (typeof OUTCOMES)[number],
          text(b, 'note'),
        );
      },
    },
  };

  app.post('/cases/:no/:action', async (c) => {
    const referrals = deps.referrals;
    if (!referrals) return c.text(c.get('t')('Referrals are not enabled on this server.'), 404);
    const action = actions[c.req.param('action')];
    if (!action) return c.notFound();
    const found = await caseFor(c, referrals);
    if ('response' in found) return found.response;
    const body = await c.req.parseBody({ all: true });
    const result = await action.run(referrals, found.no, body, c);
    deps.logger.info(
      {
        event: `case_${c.req.param('action')}`,
        case: found.no,
        ok: result.ok,
        ...(result.ok ? {} : { reason: result.reason }),
      },
      'staff case action',
    );
    if (!result.ok && result.reason === 'forbidden') return forbidden(c);
    if (!result.ok && result.reason === 'not_found') return missing(c);
    const to = `/cases/${found.no}`;
    if (result.ok) return c.redirect(`${to}?done=${action.done}`, 303);
    // A reply or note that could not be saved or sent keeps what was typed (a redirect would lose it). A reply
    // waiting for the person is already in the conversation: not offered again.
    const typed = text(body, 'text');
    const name = c.req.param('action');
    if ((name === 'reply' || name === 'note') && typed.trim() !== '' && result.reason !== 'waiting_for_person') {
      return casePage(c, referrals, found, { reason: result.reason, action: name, text: typed });
    }
    // The page itself shows who has the case now: the address carries only the reason.
    return c.redirect(`${to}?error=${result.reason}`, 303);
  });
}

// The page shell: inline CSS (no extra request on a slow phone), a small navigation bar, no script.
import type { StaffAccount } from './accounts.ts';
import { Html, html } from './html.ts';
import type { T, UiLang } from './i18n.ts';

export type PageView = {
  lang: UiLang;
  t: T;
  account: StaffAccount | null;
  /** The session's CSRF token, put in every form. */
  csrf: string;
  /** Path of the current page, for the language links. */
  path: string;
  /** A channel needs a person (WhatsApp pairing lost, number blocked...): shown to signed-in staff on every page. */
  banner?: string | null;
};

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2433;background:#f4f5f7}
header{background:#12355b;color:#fff;padding:.5rem .75rem;display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:center}
header a{color:#fff;text-decoration:none}
.brand{font-weight:700;margin-right:auto}
nav{display:flex;flex-wrap:wrap;gap:.25rem;order:3;width:100%}
header form{order:2}
@media(min-width:40rem){nav{order:1;width:auto}}
nav a{padding:.3rem .5rem;border-radius:4px}
nav a[aria-current]{background:#2c5d8f}
header form{margin:0}
header button{background:none;border:1px solid #8fb0d3;color:#fff;padding:.25rem .5rem}
main{max-width:60rem;margin:0 auto;padding:.75rem}
:focus-visible{outline:3px solid #b35400;outline-offset:2px}
header :focus-visible,.skip:focus-visible{outline-color:#ffd166}
.skip{position:absolute;left:-100vw;top:.25rem;background:#12355b;color:#fff;padding:.5rem .75rem;z-index:10}
.skip:focus{left:.25rem}
h1{font-size:1.35rem;margin:.25rem 0 .75rem}
h2{font-size:1.1rem;margin:1.25rem 0 .5rem}
h3{font-size:1rem;margin:.75rem 0 .25rem}
a{color:#14558f}
.card{background:#fff;border:1px solid #d8dce3;border-radius:6px;padding:.75rem;margin:.5rem 0}
.cases{list-style:none;padding:0;margin:0}
.cases li{background:#fff;border:1px solid #d8dce3;border-left:4px solid #9aa5b4;border-radius:6px;padding:.5rem .75rem;margin:.4rem 0;display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:center}
.cases li.overdue{border-left-color:#c0392b}
.cases li.claimed{border-left-color:#2d7d46}
.cases .no{font-weight:700;font-family:ui-monospace,monospace}
.cases .meta{color:#4a5568;font-size:.9rem;flex:1 1 12rem}
.cases form{margin:0}
.tag{display:inline-block;white-space:nowrap;font-size:.8rem;padding:0 .4rem;border-radius:3px;background:#e4e8ee}
.tag.bad{background:#fbe3e1;color:#8a1f14}.tag.ok{background:#dff3e5;color:#1d5c31}.tag.warn{background:#fdf0d5;color:#7a5200}
button,.button{font:inherit;background:#14558f;color:#fff;border:0;border-radius:4px;padding:.45rem .9rem;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#e4e8ee;color:#1d2433;border:1px solid #5f6b7a}
button.danger{background:#a8322a}
label{display:block;margin:.5rem 0 .2rem;font-weight:600}
input[type=text],input[type=password],input[type=datetime-local],select,textarea{font:inherit;width:100%;padding:.45rem;border:1px solid #6b7380;border-radius:4px;background:#fff}
textarea{min-height:6rem}
fieldset{border:1px solid #d8dce3;border-radius:6px;margin:.5rem 0;padding:.5rem .75rem}
.checks label{display:inline-block;font-weight:400;margin:.2rem .8rem .2rem 0}
.flash{padding:.5rem .75rem;border-radius:6px;margin:.5rem 0;background:#dff3e5}
.flash.error{background:#fbe3e1}
.note{font-size:.9rem;background:#fdf0d5;color:#7a5200;padding:.2rem .5rem;border-radius:4px;margin:.25rem 0}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.92rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e4e8ee;vertical-align:top}
.scroll{overflow-x:auto}
.msgs{list-style:none;padding:0}
.msgs li{max-width:85%;margin:.3rem 0;padding:.4rem .6rem;border-radius:8px;background:#fff;border:1px solid #d8dce3;white-space:pre-wrap}
.msgs li.staff{margin-left:auto;background:#e3eefa}
.msgs small{display:block;color:#4a5568}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .75rem;margin:0}dt{font-weight:600}dd{margin:0;white-space:pre-wrap}
pre{background:#fff;border:1px solid #d8dce3;padding:.5rem;overflow-x:auto;font-size:.85rem}
.bubble{background:#fff;border:1px solid #d8dce3;border-radius:10px;padding:.5rem .75rem;white-space:pre-wrap;max-width:30rem}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end}
.actions form{margin:0}
progress{width:100%;height:1.2rem}
footer{text-align:center;font-size:.85rem;padding:1rem;color:#4a5568}
.muted{color:#4a5568}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5rem,1fr));gap:0 .75rem}
label.inline{display:inline-flex;gap:.35rem;align-items:center;font-weight:400;margin:0}
.cases li.urgent{border-left-color:#8a1f14;background:#fff7f6}
details.close summary{cursor:pointer;font-weight:600;padding:.45rem 0}
.notes li{background:#fdf8e6}
.chart .bar{display:grid;grid-template-columns:minmax(7rem,12rem) 1fr 2.5rem;gap:.5rem;align-items:center;margin:.2rem 0}
.chart .track{background:#e4e8ee;border-radius:3px;height:.9rem;display:block}
.chart .fill{background:#14558f;border-radius:3px;height:100%;display:block}
`.replace(/\n/g, '');

type NavItem = { href: string; label: string; admin?: boolean };

const NAV: NavItem[] = [
  { href: '/cases', label: 'Cases' },
  { href: '/outcomes', label: 'Outcomes' },
  { href: '/alerts', label: 'Alerts' },
  { href: '/content', label: 'Content' },
  { href: '/audio', label: 'Audio' },
  { href: '/templates', label: 'Templates', admin: true },
  { href: '/audit', label: 'Audit log', admin: true },
  { href: '/channels', label: 'Channels', admin: true },
  { href: '/admin/queues', label: 'Jobs', admin: true },
];

export function page(
  view: PageView,
  options: {
    title: string;
    body: Html;
    refreshSeconds?: number;
    flash?: { text: string; error?: boolean } | null;
    /** Live updates (console.js): the queue, or one case's page. */
    live?: { case?: string };
  },
): string {
  const { t, account } = view;
  const nav = account
    ? html`<nav>${NAV.filter((n) => !n.admin || account.role === 'admin').map(
        (n) =>
          html`<a href="${n.href}"${view.path.startsWith(n.href) ? new Html(' aria-current="page"') : ''}>${t(n.label)}</a>`,
      )}</nav><form method="post" action="/logout">${csrfField(view)}<button type="submit">${t('Log out')}</button></form>`
    : '';
  const refresh = options.refreshSeconds ? html`<meta http-equiv="refresh" content="${options.refreshSeconds}">` : '';
  const flash = options.flash
    ? html`<p class="flash${options.flash.error ? ' error' : ''}" role="status">${options.flash.text}</p>`
    : '';
  const banner =
    account && view.banner
      ? html`<p class="flash error" role="alert" id="channel-banner">WhatsApp: ${view.banner} <a href="/channels">${t('Channels')}</a></p>`
      : '';
  const other = view.lang === 'fr' ? { lang: 'en', label: 'English' } : { lang: 'fr', label: 'Français' };
  const live = options.live
    ? html`<div hidden data-live data-case="${options.live.case ?? ''}" data-text-new="${t('New case')}" data-text-message="${t('The person answered')}" data-text-reload="${t('Something changed on this page. Reload it')}"></div><script src="/static/console.js" defer></script>`
    : '';
  return `<!doctype html>${html`<html lang="${view.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${options.title} · Kunnafoni</title><style>${new Html(CSS)}</style>${refresh}</head><body><a class="skip" href="#main">${t('Skip to the content')}</a><header><a class="brand" href="/">Kunnafoni</a>${nav}</header><main id="main" tabindex="-1">${banner}<h1>${options.title}</h1>${flash}${options.body}</main>${live}<footer><a href="/lang/${other.lang}?back=${encodeURIComponent(view.path)}">${other.label}</a></footer></body></html>`}`;
}

export function csrfField(view: { csrf: string }): Html {
  return html`<input type="hidden" name="_csrf" value="${view.csrf}">`;
}

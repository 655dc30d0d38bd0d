// The channels page (administrators only): WhatsApp connection state with the pairing QR code, Telegram mode and webhook state.
import type { Hono } from 'hono';
import QRCode from 'qrcode';
import { requireAdmin, requireLogin } from '../auth.ts';
import { type ServerDeps, type StaffEnv, viewOf } from '../context.ts';
import { age, when } from '../format.ts';
import { html, raw } from '../html.ts';
import { csrfField, page } from '../layout.ts';
import type { TelegramStatus } from '../services.ts';

const WA_TEXT: Record<string, string> = {
  starting: 'starting',
  qr: 'waiting for pairing',
  ready: 'connected',
  degraded: 'connected, WhatsApp not reachable',
  reconnecting: 'reconnecting',
  waiting: 'waiting for the other process',
  blocked: 'stopped: an administrator must act',
  disconnected: 'disconnected',
};

/** How the bot hears Telegram, in words. */
const TG_MODE_TEXT = {
  polling: 'receiving messages (the bot asks Telegram for them)',
  webhook: 'receiving messages (Telegram sends them to this server)',
  off: 'not receiving messages (the bot is not started)',
} as const satisfies { [M in TelegramStatus['mode']]: string };

/** States in which "Try again now" makes sense (not while starting, pairing or connected). */
const RETRYABLE = new Set(['blocked', 'reconnecting', 'degraded']);

export function channelRoutes(app: Hono<StaffEnv>, deps: ServerDeps): void {
  // The WhatsApp pairing QR links a phone to the bot's number: administrators only.
  app.use('/channels', requireLogin, requireAdmin);
  app.use('/channels/*', requireLogin, requireAdmin);

  // After a ban, a library update or a long outage: an administrator asks for a new start now.
  app.post('/channels/whatsapp/retry', async (c) => {
    if (deps.whatsappRetry) await deps.whatsappRetry();
    return c.redirect('/channels', 303);
  });

  app.get('/channels', async (c) => {
    const view = viewOf(c);
    const { t } = view;
    const now = deps.clock.now();

    const wa = deps.whatsappState?.();
    let whatsapp = html`<p class="muted">${t('WhatsApp is not enabled (WHATSAPP_ENABLED=true turns it on).')}</p>`;
    if (wa) {
      deps.metrics.setWhatsAppState(wa.state);
      // The QR code is drawn on the server as SVG: no script, nothing downloaded.
      const qr = wa.state === 'qr' && wa.qr ? await QRCode.toString(wa.qr, { type: 'svg', margin: 2, width: 264 }) : '';
      whatsapp = html`<p><span class="tag ${wa.state === 'ready' ? 'ok' : 'bad'}" id="wa-state">${t(WA_TEXT[wa.state] ?? wa.state)}</span> ${t('for {age}', { age: age(now - wa.since, t) })}${wa.reason ? ` (${wa.reason})` : ''}</p>
${qr ? html`<p>${t('On the phone of the bot number: WhatsApp → Linked devices → Link a device, then scan:')}</p><div class="card" id="wa-qr" style="max-width:300px">${raw(qr)}</div>` : ''}
${wa.pairingCode ? html`<p>${t('Pairing code to type on the phone:')} <strong id="wa-code">${wa.pairingCode}</strong></p>` : ''}
${wa.attempt ? html`<p id="wa-retry">${t('Attempt {n}', { n: String(wa.attempt) })}${wa.nextTryAt ? html` · ${t('next try {when}', { when: when(wa.nextTryAt) })}` : ''}</p>` : ''}
${wa.attention ? html`<p class="flash error" id="wa-attention">${wa.attention}</p>` : ''}
${deps.whatsappRetry && RETRYABLE.has(wa.state) ? html`<form method="post" action="/channels/whatsapp/retry">${csrfField(view)}<button type="submit" id="wa-retry-now">${t('Try again now')}</button></form>` : ''}`;
    }

    let tg: TelegramStatus | null = null;
    let tgError = false;
    if (deps.telegramStatus) {
      try {
        tg = await deps.telegramStatus();
      } catch {
        tgError = true;
      }
    }
    const telegram = !deps.telegramStatus
      ? html`<p class="muted">${t('Telegram is not enabled (set TELEGRAM_BOT_TOKEN).')}</p>`
      : tgError || !tg
        ? html`<p class="flash error">${t('Telegram did not answer.')}</p>`
        : html`<dl class="card"><dt>${t('Messages')}</dt><dd id="tg-mode" data-mode="${tg.mode}">${t(TG_MODE_TEXT[tg.mode])}</dd>
${tg.mode === 'webhook' ? html`<dt>${t('Webhook')}</dt><dd>${tg.webhookUrl ?? t('not set')}</dd><dt>${t('Updates waiting')}</dt><dd>${tg.pendingUpdateCount ?? 0}</dd>` : ''}
${tg.lastErrorMessage ? html`<dt>${t('Last error')}</dt><dd>${tg.lastErrorMessage}${tg.lastErrorAt ? ` (${when(tg.lastErrorAt)})` : ''}</dd>` : ''}</dl>`;

    // While pairing, the QR code changes every few seconds: keep the page fresh.
    const live = wa && ['qr', 'starting', 'reconnecting', 'waiting'].includes(wa.state);
    return c.html(
      page(view, {
        title: t('Channels'),
        body: html`<h2>WhatsApp</h2>${whatsapp}<h2>Telegram</h2>${telegram}`,
        ...(live ? { refreshSeconds: 5 } : {}),
      }),
      200,
      { 'cache-control': 'no-store' },
    );
  });
}

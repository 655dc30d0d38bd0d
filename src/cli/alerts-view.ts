// What `kunnafoni alerts` prints: the preview before publishing, the progress while sending, the status.
import type { Alert } from '../alerts/alert-file.ts';
import type { AlertReport } from '../alerts/alert-store.ts';
import type { AudienceCount } from '../alerts/audience.ts';
import type { LabelledItemT } from '../content/schema.ts';
import { LANGUAGES } from '../engine/types.ts';

const LANGUAGE_NAMES = { fr: 'French', en: 'English', bm: 'Bambara' } as const;

export type ContentLabels = { alertTopics: readonly LabelledItemT[]; regions: readonly LabelledItemT[] };

const number = (n: number) => n.toLocaleString('en-US');

/** Said when an alert is due but no process can send it (no bot with Telegram connected). */
export const WAITING_FOR_TELEGRAM = 'waiting: Telegram is not connected';

const REASONS: Record<keyof AlertReport['failedReasons'], string> = {
  refused: 'refused by Telegram',
  telegram_error: 'Telegram errors on every attempt',
  no_answer: 'no answer from Telegram on every attempt',
  worker_error: 'sending failed on our side',
  interrupted: 'interrupted by a crash, not resent',
};

/** Nobody can send it: due (or sending) but no live sender. */
export function isWaiting(r: AlertReport): boolean {
  return r.state !== 'done' && r.senders === 0;
}

/** Bamako time is GMT all year. */
export function formatTime(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} GMT`;
}

export function previewText(alert: Alert, audience: AudienceCount, labels: ContentLabels, now: number): string {
  const name = (list: readonly LabelledItemT[], id: string) => list.find((i) => i.id === id)?.label.fr ?? id;
  const lines: string[] = [];
  lines.push(`Alert ${alert.id}`);
  lines.push(`  Topics:    ${alert.topics.map((t) => `${name(labels.alertTopics, t)} (${t})`).join(', ')}`);
  lines.push(
    `  Regions:   ${alert.regions === 'all' ? 'all regions' : alert.regions.map((r) => name(labels.regions, r)).join(', ')}`,
  );
  if (alert.languages) lines.push(`  Languages: only ${alert.languages.map((l) => LANGUAGE_NAMES[l]).join(', ')}`);
  lines.push(`  Send:      ${alert.sendAt && alert.sendAt > now ? formatTime(alert.sendAt) : 'now'}`);
  lines.push(`  Expires:   ${alert.expires ? formatTime(alert.expires) : 'never'}`);
  for (const lang of LANGUAGES) {
    const people = audience.byLang[lang];
    const own = alert.text[lang];
    if (!own && people === 0) continue;
    const note = own ? '' : `, no ${lang} text: they get the French one`;
    lines.push('');
    lines.push(
      `--- ${lang} (${LANGUAGE_NAMES[lang]}): ${number(people)} ${people === 1 ? 'person' : 'people'}${note} ---`,
    );
    lines.push(own ?? alert.text.fr);
  }
  lines.push('');
  lines.push(`Audience: ${number(audience.total)} ${audience.total === 1 ? 'person' : 'people'} on Telegram`);
  return `${lines.join('\n')}\n`;
}

function done(r: AlertReport): number {
  return r.sent + r.failed + r.blocked + r.skipped + r.expired;
}

function totalOf(r: AlertReport): number {
  return r.total ?? r.estimate;
}

function tally(r: AlertReport): string {
  const parts = [`sent ${number(r.sent)}`, `blocked ${number(r.blocked)}`, `failed ${number(r.failed)}`];
  if (r.uncertain > 0) parts.push(`uncertain ${number(r.uncertain)}`);
  if (r.skipped > 0) parts.push(`skipped ${number(r.skipped)}`);
  if (r.expired > 0) parts.push(`expired ${number(r.expired)}`);
  return parts.join(', ');
}

/** One line for a terminal, redrawn in place: [#########.........] 45%  4,500/10,000  sent ... */
export function progressBar(r: AlertReport, width = 30): string {
  const total = totalOf(r);
  const ratio = total === 0 ? 1 : Math.min(1, done(r) / total);
  const filled = Math.round(ratio * width);
  const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`;
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  const waiting = isWaiting(r) ? `  (${WAITING_FOR_TELEGRAM})` : '';
  return `[${bar}] ${percent}  ${number(done(r))}/${number(total)}  ${tally(r)}${waiting}`;
}

/** One plain line per update, for logs and pipes. */
export function progressLine(r: AlertReport): string {
  const waiting = isWaiting(r) ? ` (${WAITING_FOR_TELEGRAM})` : '';
  return `progress ${number(done(r))}/${number(totalOf(r))}: ${tally(r)}, pending ${number(r.pending)}${waiting}`;
}

export function summaryLine(r: AlertReport): string {
  return `Done: ${tally(r)}.`;
}

export function statusText(r: AlertReport): string {
  const state =
    r.state === 'scheduled'
      ? `scheduled${r.sendAt ? ` for ${formatTime(r.sendAt)}` : ''} (audience when published: ${number(r.estimate)})`
      : r.state === 'done'
        ? `done${r.finishedAt ? ` (${formatTime(r.finishedAt)})` : ''}`
        : 'sending';
  const reasons = Object.entries(r.failedReasons)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${n} ${REASONS[reason as keyof typeof REASONS] ?? reason}`);
  const lines = [
    `Alert ${r.id}: ${state}${isWaiting(r) ? ` — ${WAITING_FOR_TELEGRAM} (start the bot with TELEGRAM_BOT_TOKEN)` : ''}`,
    `delivered: ${r.sent}`,
    `pending: ${r.pending}`,
    `failed: ${r.failed}${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}`,
    `blocked: ${r.blocked} (they blocked the bot: unsubscribed)`,
    `uncertain: ${r.uncertain}${r.uncertain > 0 ? ' (delivered after an attempt that may also have arrived: they may have it twice)' : ''}`,
  ];
  if (r.skipped > 0) lines.push(`skipped: ${r.skipped} (unsubscribed or paused since publication)`);
  if (r.expired > 0) lines.push(`expired: ${r.expired} (not sent: the alert had expired)`);
  return `${lines.join('\n')}\n`;
}

// The files a person sent with their case, for the partner's own staff (the case policy's "read", as for the rest of
// the personal data): a page that plays voice notes and shows photos, and each file itself, never cached, every
// opening written to the partner's audit log. Another partner's case answers exactly like a missing one (404).
import type { Hono } from 'hono';
import { CaseAttachments, type FileInfo } from '../../referrals/attachments.ts';
import type { StaffAccount } from '../accounts.ts';
import { actorOf, type ServerDeps, type StaffContext, type StaffEnv, viewOf } from '../context.ts';
import { html } from '../html.ts';
import { page } from '../layout.ts';

const CASE_NO = /^K-[0-9A-Z]{4,8}$/;

type Kind = 'audio' | 'image' | 'video' | 'file';

const KIND_LABEL = {
  audio: 'Voice message',
  image: 'Photo',
  video: 'Video',
  file: 'Document',
} as const satisfies { [K in Kind]: string };

const kindOf = (contentType: string): Kind => {
  const top = contentType.split('/')[0];
  return top === 'audio' || top === 'image' || top === 'video' ? top : 'file';
};

const sizeText = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;

export function attachmentRoutes(app: Hono<StaffEnv>, deps: ServerDeps): void {
  const missing = (c: StaffContext) => c.text(c.get('t')('This case does not exist.'), 404);
  const cannotOpen = (c: StaffContext) => c.text(c.get('t')('This file cannot be opened here.'), 404);

  /** The case's file references, for staff allowed to read the case's personal data; null: answer 404. */
  async function filesOf(c: StaffContext) {
    const referrals = deps.referrals;
    const no = c.req.param('no') ?? '';
    const account = c.get('account') as StaffAccount;
    if (!referrals || !CASE_NO.test(no)) return null;
    const details = await referrals.details(no, actorOf(account));
    if ('error' in details) return null;
    return { no, account, details, media: details.personal?.media ?? [] };
  }

  /** Opens one reference: a file kept with the case, else the platform's own (Telegram's getFile), else null. */
  async function open(ref: string, channel: string) {
    if (CaseAttachments.isRef(ref)) return (await deps.caseFiles?.open(ref)) ?? null;
    return (await deps.attachments?.[channel]?.(ref).catch(() => null)) ?? null;
  }

  app.get('/cases/:no/attachments', async (c) => {
    const found = await filesOf(c);
    if (!found) return missing(c);
    const view = viewOf(c);
    const { t } = view;
    const infos: (FileInfo | null)[] = deps.caseFiles
      ? await deps.caseFiles.describe(found.media)
      : found.media.map(() => null);
    const channelOpens = Boolean(deps.attachments?.[found.details.case.channel]);
    const items = found.media.map((ref, i) => {
      const href = `/cases/${found.no}/attachments/${i}`;
      const info = infos[i];
      if (!info) {
        // A reference the platform may still open (Telegram), or a file that could not be kept.
        return !CaseAttachments.isRef(ref) && channelOpens
          ? html`<li><a href="${href}">${t('File {n}', { n: i + 1 })}</a></li>`
          : html`<li>${t('File {n}', { n: i + 1 })}: ${t('This file cannot be opened here.')}</li>`;
      }
      const kind = kindOf(info.contentType);
      const label = html`${t(KIND_LABEL[kind])} ${i + 1} · ${sizeText(info.size)}`;
      const player = {
        audio: html`<audio controls preload="none" src="${href}"></audio>`,
        image: html`<img src="${href}" alt="${t('Photo sent by the person')}" style="max-width:100%;height:auto">`,
        video: html`<video controls preload="none" src="${href}" style="max-width:100%"></video>`,
        file: '',
      } satisfies { [K in Kind]: unknown };
      return html`<li><p>${label}</p>${player[kind]}<p><a href="${href}?download=1">${t('Download')}</a></p></li>`;
    });
    const body = html`<p><a href="/cases/${found.no}">${t('Back to the case')}</a></p>${
      items.length ? html`<ul class="files">${items}</ul>` : html`<p>${t('No file was sent with this case.')}</p>`
    }<p>${t('Each opening of a file is written in the audit log.')}</p>`;
    c.header('cache-control', 'no-store');
    return c.html(page(view, { title: t('Files of case {no}', { no: found.no }), body }));
  });

  app.get('/cases/:no/attachments/:index', async (c) => {
    const found = await filesOf(c);
    if (!found) return missing(c);
    const index = c.req.param('index');
    const ref = /^\d{1,3}$/.test(index) ? found.media[Number(index)] : undefined;
    if (!ref) return cannotOpen(c);
    const file = await open(ref, found.details.case.channel);
    if (!file) return cannotOpen(c);
    await deps.audit.record({
      partner: found.details.case.partner,
      by: actorOf(found.account).id,
      action: 'attachment_viewed',
      case: found.no,
    });
    const inline = /^(image|audio|video)\//.test(file.contentType) && c.req.query('download') === undefined;
    c.header('content-type', file.contentType);
    c.header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${found.no}-${index}"`);
    c.header('cache-control', 'no-store');
    c.header('x-content-type-options', 'nosniff');
    c.header('content-security-policy', "default-src 'none'; sandbox");
    return c.body(new Uint8Array(file.body).buffer as ArrayBuffer);
  });
}

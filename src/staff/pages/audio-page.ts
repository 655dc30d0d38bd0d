// The audio page: every recordable item × language with its status and a player, and one recording's page with
// approve (administrators), replace by upload, and delete (administrators). No script: plain forms and <audio>.
import { seconds, UPLOAD_EXTENSIONS } from '../../audio/convert.ts';
import type { AudioItem } from '../../audio/items.ts';
import type { AudioCell, AudioStatus, Recording } from '../../audio/library.ts';
import type { Lang } from '../../engine/types.ts';
import { LANGUAGE_NAMES, when } from '../format.ts';
import { type Html, html } from '../html.ts';
import { csrfField, type PageView } from '../layout.ts';

const STATUS_TEXT: Record<AudioStatus, string> = {
  missing: 'not recorded',
  recorded: 'recorded',
  approved: 'approved',
};
const STATUS_CLASS: Record<AudioStatus, string> = { missing: 'bad', recorded: 'warn', approved: 'ok' };

export const audioHref = (item: AudioItem, lang: Lang) => `/audio/${item}/${lang}`;
const fileHref = (r: Recording) => `${audioHref(r.item, r.lang)}/file?v=${r.version}`;

function statusTag(view: PageView, status: AudioStatus): Html {
  return html`<span class="tag ${STATUS_CLASS[status]}">${view.t(STATUS_TEXT[status])}</span>`;
}

function player(r: Recording): Html {
  return html`<audio controls preload="none" src="${fileHref(r)}"></audio>`;
}

/** Who recorded or approved: a console account, or "Telegram" (its pseudonym means nothing to a reader). */
function who(staffId: string | undefined): string {
  if (!staffId) return '';
  return staffId.startsWith('web:') ? staffId.slice(4) : 'Telegram';
}

export function audioMatrixBody(
  view: PageView,
  input: {
    items: readonly AudioItem[];
    langs: readonly Lang[];
    cells: readonly AudioCell[];
    titleOf: (item: AudioItem) => string;
  },
): Html {
  const { t } = view;
  const cell = (item: AudioItem, lang: Lang) => input.cells.find((c) => c.item === item && c.lang === lang);
  const coverage = input.langs.map((lang) => {
    const approved = input.cells.filter((c) => c.lang === lang && c.status === 'approved').length;
    return html`<span class="tag" id="coverage-${lang}">${lang} ${approved}/${input.items.length}</span> `;
  });
  const rows = input.items.map(
    (item) =>
      html`<tr><th scope="row"><code>${item}</code><br><span class="muted">${input.titleOf(item)}</span></th>${input.langs.map(
        (lang) => {
          const c = cell(item, lang);
          const status = c?.status ?? 'missing';
          return html`<td id="cell-${item}-${lang}">${statusTag(view, status)}${c?.recording ? html`<br>${player(c.recording)}` : ''}<br><a href="${audioHref(item, lang)}">${t('manage')}</a></td>`;
        },
      )}</tr>`,
  );
  return html`<p>${t('Voice notes people hear: the first message of every FAQ and the texts heard first. Record from Telegram with /record ITEM LANG (e.g. /record welcome bm) in the staff group, or upload a file here. An administrator approves a recording before people hear it.')}</p>
<p>${t('Approved per language')}: ${coverage}</p>
<div class="scroll" tabindex="0"><table><thead><tr><th>${t('Item')}</th>${input.langs.map((l) => html`<th>${LANGUAGE_NAMES[l] ?? l}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function audioItemBody(
  view: PageView,
  input: { item: AudioItem; lang: Lang; recording: Recording | null; maxSeconds: number },
): Html {
  const { t } = view;
  const { item, lang, recording } = input;
  const isAdmin = view.account?.role === 'admin';
  const base = audioHref(item, lang);
  const formats = UPLOAD_EXTENSIONS.join(', ');
  const accept = UPLOAD_EXTENSIONS.map((e) => `.${e}`).join(',');
  const details = recording
    ? html`<dl class="card"><dt>${t('Status')}</dt><dd>${statusTag(view, recording.status)}</dd><dt>${t('Length')}</dt><dd id="length">${t('{seconds} s', { seconds: seconds(recording.durationMs) })}</dd>
${recording.recordedAt ? html`<dt>${t('Recorded by')}</dt><dd>${who(recording.recordedBy)} · ${when(recording.recordedAt)}</dd>` : ''}
${recording.approvedAt ? html`<dt>${t('Approved by')}</dt><dd>${who(recording.approvedBy)} · ${when(recording.approvedAt)}</dd>` : ''}</dl>
<p>${player(recording)}</p>${recording.source === 'content' ? html`<p class="note">${t('Shipped in content/audio/ (in the repository).')}</p>` : ''}`
    : html`<p class="muted">${t('Nothing recorded yet.')}</p>`;
  const own = recording?.source === 'data';
  const approve =
    isAdmin && own && recording.status === 'recorded'
      ? html`<form method="post" action="${base}/approve">${csrfField(view)}<button type="submit">${t('Approve')}</button></form>`
      : '';
  const remove =
    isAdmin && own
      ? html`<form method="post" action="${base}/delete">${csrfField(view)}<button type="submit" class="danger">${t('Delete')}</button></form>`
      : '';
  const label = recording
    ? 'Replace with a file ({formats}, up to {max} s)'
    : 'Record with a file ({formats}, up to {max} s)';
  const upload = html`<form method="post" action="${base}/upload" enctype="multipart/form-data" class="card">${csrfField(view)}<label for="file">${t(label, { formats, max: input.maxSeconds })}</label><input type="file" id="file" name="file" accept="${accept}" required> <button type="submit">${t('Upload')}</button></form>`;
  return html`${details}<div class="actions">${approve}${remove}</div>${upload}<p><a href="/audio">${t('All recordings')}</a></p>`;
}

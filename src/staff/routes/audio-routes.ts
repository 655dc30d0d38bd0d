// The console's audio page (issue 18): the recordings matrix, one recording's page, the file itself (logged-in staff
// only), approve and delete (administrators), and replace by upload (multipart, converted to OGG/Opus by ffmpeg).
import { readFile } from 'node:fs/promises';
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AudioError, DEFAULT_LIMITS } from '../../audio/convert.ts';
import { type AudioItem, isLang } from '../../audio/items.ts';
import type { AudioLibrary } from '../../audio/library.ts';
import type { Lang } from '../../engine/types.ts';
import { requireLogin } from '../auth.ts';
import { actorOf, type ServerDeps, type StaffContext, type StaffEnv, viewOf } from '../context.ts';
import { html } from '../html.ts';
import { page } from '../layout.ts';
import { audioHref, audioItemBody, audioMatrixBody } from '../pages/audio-page.ts';

/** Upload forms carry the file plus a few fields: the console's 64 KB form limit does not apply to them. */
export const AUDIO_UPLOAD_LIMIT_BYTES = DEFAULT_LIMITS.maxInputBytes + 64 * 1024;
export const isAudioUpload = (path: string): boolean => /^\/audio\/[a-z0-9-]+\/[a-z]+\/upload$/.test(path);

/** Fixed texts for `?done=` (banners never show text from the URL). */
const DONE_TEXT: Record<string, string> = {
  saved: 'Recording saved. An administrator approves it before people hear it.',
  approved: 'Recording approved: people who ask for audio now hear it.',
  deleted: 'Recording deleted.',
};

/** Size limit for the body parser of upload forms, with a clear message instead of a bare 413. */
export function audioUploadLimit() {
  return bodyLimit({
    maxSize: AUDIO_UPLOAD_LIMIT_BYTES,
    onError: (c) =>
      c.text(
        (c as unknown as StaffContext).get('t')('The file is too large ({size} MB); the most is {max} MB.', {
          size: `> ${Math.round(DEFAULT_LIMITS.maxInputBytes / 1024 / 1024)}`,
          max: Math.round(DEFAULT_LIMITS.maxInputBytes / 1024 / 1024),
        }),
        413,
      ),
  });
}

export function audioRoutes(app: Hono<StaffEnv>, deps: ServerDeps, library: AudioLibrary | undefined): void {
  app.use('/audio', requireLogin);
  app.use('/audio/*', requireLogin);

  const faqTitle = (item: AudioItem, lang: 'fr' | 'en') => {
    const faq = item.startsWith('faq-') ? deps.bundle.content.faqs.get(item.slice(4)) : undefined;
    return faq ? (faq.title[lang] ?? faq.title.fr ?? '') : '';
  };

  app.get('/audio', async (c) => {
    const view = viewOf(c);
    if (!library) {
      return c.html(
        page(view, { title: view.t('Audio'), body: html`<p>${view.t('Recordings are not available here.')}</p>` }),
      );
    }
    const body = audioMatrixBody(view, {
      items: library.items,
      langs: library.langs,
      cells: await library.matrix(),
      titleOf: (item) => faqTitle(item, view.lang),
    });
    return c.html(page(view, { title: view.t('Audio'), body }), 200, { 'cache-control': 'no-store' });
  });

  /** The item and language named in the path, or null when either is unknown. */
  const cellOf = (c: StaffContext): { item: AudioItem; lang: Lang } | null => {
    const item = c.req.param('item') ?? '';
    const lang = c.req.param('lang') ?? '';
    return library?.isItem(item) && isLang(lang) ? { item, lang } : null;
  };

  const itemPage = async (c: StaffContext, flash: { text: string; error?: boolean } | null, status: 200 | 400) => {
    const view = viewOf(c);
    const cell = cellOf(c);
    if (!library || !cell) return c.text(view.t('Unknown recording.'), 404);
    const body = audioItemBody(view, {
      ...cell,
      recording: await library.get(cell.item, cell.lang),
      maxSeconds: library.limits.maxDurationMs / 1000,
    });
    const title = view.t('Recording {item} ({lang})', cell);
    return c.html(page(view, { title, body, flash }), status, { 'cache-control': 'no-store' });
  };

  app.get('/audio/:item/:lang', (c) => {
    const done = DONE_TEXT[c.req.query('done') ?? ''];
    return itemPage(c, done ? { text: c.get('t')(done) } : null, 200);
  });

  app.get('/audio/:item/:lang/file', async (c) => {
    const cell = cellOf(c);
    const recording = cell && library ? await library.get(cell.item, cell.lang) : null;
    if (!recording) return c.text(c.get('t')('Unknown recording.'), 404);
    const bytes = await readFile(recording.path).catch(() => null);
    if (!bytes) return c.text(c.get('t')('Unknown recording.'), 404);
    const headers = {
      'content-type': 'audio/ogg',
      'accept-ranges': 'bytes',
      // The URL names the version: a replaced recording gets a new URL.
      'cache-control': 'private, max-age=86400',
    };
    // Browsers read an Ogg file's length from its end: without ranges the player shows no duration and cannot seek.
    const range = /^bytes=(\d*)-(\d*)$/.exec(c.req.header('range') ?? '');
    if (range && (range[1] || range[2])) {
      const size = bytes.length;
      const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size || start > end) {
        return c.body(null, 416, { ...headers, 'content-range': `bytes */${size}` });
      }
      return c.body(new Uint8Array(bytes.subarray(start, end + 1)), 206, {
        ...headers,
        'content-range': `bytes ${start}-${end}/${size}`,
        'content-length': String(end - start + 1),
      });
    }
    return c.body(new Uint8Array(bytes), 200, { ...headers, 'content-length': String(bytes.length) });
  });

  app.post('/audio/:item/:lang/upload', async (c) => {
    const cell = cellOf(c);
    const account = c.get('account');
    if (!library || !cell || !account) return c.text(c.get('t')('Unknown recording.'), 404);
    const t = c.get('t');
    const body = await c.req.parseBody();
    const file = body.file;
    if (!(file instanceof File) || file.size === 0)
      return itemPage(c, { text: t('Choose a file first.'), error: true }, 400);
    try {
      const bytes = Buffer.from(await file.arrayBuffer());
      const recording = await library.saveUpload(cell.item, cell.lang, bytes, file.name, actorOf(account).id);
      deps.logger.info({ item: cell.item, lang: cell.lang, durationMs: recording.durationMs }, 'audio: uploaded');
    } catch (err) {
      if (!(err instanceof AudioError)) throw err;
      return itemPage(c, { text: t(err.text, err.params), error: true }, 400);
    }
    return c.redirect(`${audioHref(cell.item, cell.lang)}?done=saved`, 303);
  });

  for (const action of ['approve', 'delete'] as const) {
    app.post(`/audio/:item/:lang/${action}`, async (c) => {
      const cell = cellOf(c);
      const account = c.get('account');
      if (!library || !cell || !account) return c.text(c.get('t')('Unknown recording.'), 404);
      if (account.role !== 'admin') return c.text(c.get('t')('Administrators only.'), 403);
      const by = actorOf(account).id;
      const done =
        action === 'approve'
          ? (await library.approve(cell.item, cell.lang, by)) !== null
          : await library.remove(cell.item, cell.lang);
      if (!done) {
        const t = c.get('t');
        return itemPage(
          c,
          {
            text: t('Nothing to approve or delete here (a shipped recording changes in the repository).'),
            error: true,
          },
          400,
        );
      }
      deps.logger.info({ item: cell.item, lang: cell.lang }, `audio: ${action}d`);
      return c.redirect(
        `${audioHref(cell.item, cell.lang)}?done=${action === 'approve' ? 'approved' : 'deleted'}`,
        303,
      );
    });
  }
}

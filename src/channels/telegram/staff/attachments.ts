// Opens a file a person sent on Telegram (photo, voice note, document), for the partner's staff in the console:
// getFile, then the file download of the Bot API. Nothing is kept: the console streams it to the staff member.
import type { Api } from 'grammy';

export type Attachment = { contentType: string; body: Uint8Array };

const TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  oga: 'audio/ogg',
  ogg: 'audio/ogg',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  mp4: 'video/mp4',
  pdf: 'application/pdf',
};

/** At most 20 MB: the Bot API does not hand out larger files anyway. */
const MAX_BYTES = 20 * 1024 * 1024;

export function telegramAttachments(api: () => Api, options: { apiRoot: string; token: string }) {
  return async (ref: string): Promise<Attachment | null> => {
    if (!/^[\w-]{10,200}$/.test(ref)) return null;
    const file = await api().getFile(ref);
    if (!file.file_path || (file.file_size ?? 0) > MAX_BYTES) return null;
    const res = await fetch(`${options.apiRoot}/file/bot${options.token}/${file.file_path}`);
    if (!res.ok) return null;
    const body = new Uint8Array(await res.arrayBuffer());
    if (body.byteLength > MAX_BYTES) return null;
    const ext = file.file_path.split('.').pop()?.toLowerCase() ?? '';
    return { contentType: TYPES[ext] ?? 'application/octet-stream', body };
  };
}

// A typed line -> engine input. "/start faq-arrested-abroad" is a deep link; "/voice", "/photo"... simulate media.
import type { Input, MediaKind } from '../../engine/types.ts';

const MEDIA: readonly MediaKind[] = ['voice', 'photo', 'document', 'location', 'sticker', 'video'];

export function parseConsoleLine(line: string): Input | null {
  const text = line.replace(/\r$/, '');
  if (text.trim() === '') return null;
  const start = /^\/start(?:\s+(\S+))?\s*$/.exec(text.trim());
  if (start) return start[1] ? { kind: 'start', payload: start[1] } : { kind: 'start' };
  const media = /^\/(\w+)\s*$/.exec(text.trim());
  if (media && (MEDIA as readonly string[]).includes(media[1]!)) {
    return { kind: 'media', media: media[1] as MediaKind, ref: `console-${media[1]}` };
  }
  return { kind: 'text', text };
}

// Recordings shipped with the content (content/audio/, see its README): `<lang>/<item>.ogg`, e.g.
// `bm/welcome.ogg` or `bm/faq-arrested-abroad.ogg`, and any file an FAQ names in its answer's `audio:` field.
// They were reviewed before being committed, so they count as approved.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Lang } from '../engine/types.ts';
import { AUDIO_LANGS, type AudioItem, faqItem } from './items.ts';
import { oggOpusInfo } from './ogg.ts';

export type ShippedRecording = {
  item: AudioItem;
  lang: Lang;
  path: string;
  durationMs: number;
  bytes: number;
  /** From the file's content: a changed file is a new version. */
  version: string;
};

export type ShippedProblem = { file: string; message: string };

/** What the loader needs from the content: the content/ folder and each FAQ's `audio:` fields. */
export type AudioContent = {
  root: string;
  faqs: ReadonlyMap<string, { answer: Partial<Record<Lang, { audio?: string | undefined } | undefined>> }>;
};

async function filesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name.endsWith('.ogg')).sort();
  } catch {
    return [];
  }
}

export async function loadShipped(
  content: AudioContent,
  items: readonly AudioItem[],
): Promise<{ recordings: ShippedRecording[]; problems: ShippedProblem[] }> {
  const recordings: ShippedRecording[] = [];
  const problems: ShippedProblem[] = [];
  const known = new Set<string>(items);
  const found = new Map<string, string>();
  for (const lang of AUDIO_LANGS) {
    for (const name of await filesIn(path.join(content.root, 'audio', lang))) {
      const item = name.slice(0, -'.ogg'.length);
      if (!known.has(item)) {
        problems.push({ file: `audio/${lang}/${name}`, message: `no recordable item is called "${item}"` });
        continue;
      }
      found.set(`${item}:${lang}`, path.join(content.root, 'audio', lang, name));
    }
  }
  for (const [id, faq] of content.faqs) {
    for (const lang of AUDIO_LANGS) {
      const audio = faq.answer[lang]?.audio;
      const key = `${faqItem(id)}:${lang}`;
      if (audio && !found.has(key)) found.set(key, path.join(content.root, audio));
    }
  }
  for (const [key, file] of found) {
    const [item, lang] = key.split(':') as [AudioItem, Lang];
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      // A missing file named by an FAQ is reported by `validate` already.
      continue;
    }
    const info = oggOpusInfo(bytes);
    const relative = path.relative(content.root, file);
    if (!info) {
      problems.push({ file: relative, message: 'not an OGG/Opus file (see content/audio/README.md)' });
      continue;
    }
    const version = createHash('sha256').update(bytes).digest('base64url').slice(0, 16);
    recordings.push({ item, lang, path: file, durationMs: info.durationMs, bytes: bytes.length, version });
  }
  return { recordings, problems };
}

// Coverage per language: how many recordable items have an approved recording. `validate` counts the recordings
// shipped in content/audio/ (it works offline); `audio list` counts those approved in the console as well.
import type { Lang } from '../engine/types.ts';
import { AUDIO_LANGS, recordableItems } from './items.ts';
import { type AudioContent, loadShipped } from './shipped.ts';

export type Coverage = Record<Lang, { approved: number; total: number }>;

/** "Audio approved per language: fr 0/23, en 0/23, bm 3/23." */
export function coverageLine(coverage: Coverage): string {
  const parts = AUDIO_LANGS.map((lang) => `${lang} ${coverage[lang].approved}/${coverage[lang].total}`);
  return `Audio approved per language: ${parts.join(', ')}.`;
}

/** For `kunnafoni validate`: the shipped recordings' coverage, and files in content/audio/ that are not used. */
export async function shippedAudioReport(
  content: AudioContent,
): Promise<{ line: string; problems: string[]; lines: string[] }> {
  const items = recordableItems(content.faqs.keys());
  const { recordings, problems } = await loadShipped(content, items);
  const coverage = {} as Coverage;
  for (const lang of AUDIO_LANGS) {
    coverage[lang] = { approved: recordings.filter((r) => r.lang === lang).length, total: items.length };
  }
  const line = `${coverageLine(coverage)} (content/audio/; recordings approved in the console: npx kunnafoni audio list)`;
  const found = problems.map((p) => `content/${p.file}: warning: ${p.message}`);
  /** What `validate` prints: the unusable files, then the coverage. */
  return { line, problems: found, lines: [...found, line] };
}

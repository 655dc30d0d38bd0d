// Guesses the language of a message from its function words (the stopword lists, plus a few words that
// only one language uses). Returns null when nothing tells: the search then weighs all languages alike.
import type { Lang } from '../../engine/types.ts';
import { words } from './normalize.ts';
import { STOPWORDS } from './stopwords.ts';

/** Words that point clearly to one language even though they are not stopwords of the others. */
const MARKERS: Record<Lang, ReadonlySet<string>> = {
  fr: new Set(['jai', 'cest', 'ke', 'koi', 'pr', 'ds', 'mon', 'mes', 'les', 'est', 'une', 'des', 'sans', 'avec']),
  en: new Set(['the', 'my', 'is', 'what', 'how', 'can', 'you', 'i', 'im', 'to', 'and', 'with', 'without']),
  bm: new Set(['ka', 'ye', 'be', 'te', 'ni', 'ko', 'wa', 'ne', 'sisan', 'fe', 'an', 'u', 'aw', 'don', 'ma']),
};

const ORDER: Lang[] = ['fr', 'en', 'bm'];

export function detectLanguage(text: string): Lang | null {
  // Bambara letters are a strong hint before normalisation folds them.
  const special = /[ɛɔɲŋ]/.test(text) ? 2 : 0;
  const counts: Record<Lang, number> = { fr: 0, en: 0, bm: special };
  for (const w of words(text)) {
    for (const lang of ORDER) {
      if (STOPWORDS[lang].has(w)) counts[lang] += 1;
      if (MARKERS[lang].has(w)) counts[lang] += 1;
    }
  }
  const best = ORDER.reduce((a, b) => (counts[b] > counts[a] ? b : a));
  const tie = ORDER.filter((l) => counts[l] === counts[best]).length > 1;
  return counts[best] === 0 || tie ? null : best;
}

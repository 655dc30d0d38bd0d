// The multilingual FAQ matcher: MiniSearch (BM25, fuzzy and prefix matching) over our own analysis
// (normalisation, SMS spelling, stopwords, stemming) and the synonyms file, with a calibrated confidence:
// it names a match only when the best FAQ is clearly ahead, and says "off topic" when nothing relates.
import MiniSearch from 'minisearch';
import type { FaqSearchResult, Lang } from '../../engine/types.ts';
import type { Content } from '../schema.ts';
import { questionTerms } from './analyze.ts';
import { type Calibration, DEFAULT_CALIBRATION, type Hit, judge } from './confidence.ts';
import { detectLanguage } from './detect-language.ts';
import { analyseFaqs, type FaqDoc, FIELDS, KINDS, OFF_TOPIC_DOC, SEARCH_LANGS } from './index-docs.ts';
import { normalizeForSearch } from './normalize.ts';
import { buildSynonyms, GROUP_MARK } from './synonyms.ts';

export type FaqSearch = {
  search(text: string, lang: Lang | null): FaqSearchResult;
  /** What the confidence is computed from (for tuning and the evaluation report). */
  inspect(text: string, lang: Lang | null): { terms: string[]; known: number; hits: Hit[] };
};

export type FaqSearchOptions = {
  calibration?: Calibration;
  /** How much a synonym counts compared with the word the person typed. */
  synonymWeight?: number;
};

const KIND_BOOST: Record<string, number> = { t: 2, q: 1.5, a: 0.3 };
/** Weight of each language's fields for a question in a given language (bm speakers mix in French). */
const LANG_BOOST: Record<Lang | 'any', Record<Lang, number>> = {
  fr: { fr: 1, en: 0.6, bm: 0.6 },
  en: { fr: 0.6, en: 1, bm: 0.6 },
  bm: { fr: 0.9, en: 0.6, bm: 1 },
  any: { fr: 1, en: 1, bm: 1 },
};
const MAX_RESULTS = 5;
/** Only the best hits by BM25 are calibrated (a large index returns hundreds for a common word). */
const MAX_CANDIDATES = 40;
/**
 * A term found in more than this share of the FAQs tells them apart too little to be worth its cost on a large
 * index ("mali" in a Malian rights bot): it is left out of the query and of the coverage count. 0.3 keeps
 * top-1 unchanged on the 1,000-FAQ benchmark content while cutting the p99 (0.2 starts losing answers).
 */
const COMMON_SHARE = 0.3;
/** A word used by at most this share of the FAQs is specific enough to answer on. */
const SPECIFIC_SHARE = 0.25;
const SPECIFIC_MIN_FAQS = 8;
/** Below this many FAQs, no term is treated as common. */
const COMMON_MIN_FAQS = 40;
/** Longer questions are cut: the first words say what it is about, and the cost stays bounded. */
const MAX_QUESTION_CHARS = 1000;
const MAX_QUESTION_TERMS = 24;
/**
 * Answers kept for questions asked again (people type the same few questions): the search reads only the
 * normalised words (see normalize.ts), so the same normalised text in the same language gets the same answer.
 */
const CACHED_ANSWERS = 1000;

function fieldBoosts(lang: Lang | 'any'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of KINDS) for (const l of SEARCH_LANGS) out[`${k}_${l}`] = KIND_BOOST[k]! * LANG_BOOST[lang][l];
  return out;
}
const BOOSTS = { fr: fieldBoosts('fr'), en: fieldBoosts('en'), bm: fieldBoosts('bm'), any: fieldBoosts('any') };
/**
 * Fields searched per question language: titles and phrasings of every language (people mix languages), but
 * answers only in the question's language (and French for Bambara): other answers weigh little and cost much.
 */
const SEARCHED: Record<Lang | 'any', string[]> = {
  fr: FIELDS.filter((f) => !f.startsWith('a_') || f === 'a_fr'),
  en: FIELDS.filter((f) => !f.startsWith('a_') || f === 'a_en'),
  bm: FIELDS.filter((f) => !f.startsWith('a_') || f === 'a_bm' || f === 'a_fr'),
  any: FIELDS,
};

export function createFaqSearch(
  content: Pick<Content, 'faqs' | 'synonyms' | 'offTopic'>,
  options: FaqSearchOptions = {},
): FaqSearch {
  const calibration = options.calibration ?? DEFAULT_CALIBRATION;
  const synonymWeight = options.synonymWeight ?? 0.7;
  const synonyms = buildSynonyms(content.synonyms);
  const { docs, vocabulary, documentFrequency } = analyseFaqs(content.faqs.values(), synonyms, content.offTopic);
  // Fields hold term arrays (see analyseFaqs): passed through untouched instead of joined and split again.
  const index = new MiniSearch<FaqDoc>({
    fields: FIELDS,
    stringifyField: (value: string[]) => value as unknown as string,
    tokenize: (terms: string) => terms as unknown as string[],
    processTerm: (term: string) => term,
  });
  index.addAll(docs);
  const commonAbove = docs.length >= COMMON_MIN_FAQS ? docs.length * COMMON_SHARE : Number.POSITIVE_INFINITY;
  const isCommon = (t: string) => (documentFrequency.get(t) ?? 0) > commonAbove;
  // An answer needs at least one matched word that few FAQs use: "droits" or "papiers" alone are not enough.
  const specificAtMost = docs.length >= SPECIFIC_MIN_FAQS ? docs.length * SPECIFIC_SHARE : Number.POSITIVE_INFINITY;

  const inspect = (text: string, lang: Lang | null) => {
    const asked = lang ?? detectLanguage(text);
    const terms = questionTerms(text.slice(0, MAX_QUESTION_CHARS), vocabulary)
      .filter((t) => !isCommon(t))
      .slice(0, MAX_QUESTION_TERMS);
    // Each search term remembers which typed terms it stands for, to count how much of the question matched.
    const weights = new Map<string, number>();
    const origins = new Map<string, number[]>();
    const add = (t: string, weight: number, at: number) => {
      weights.set(t, Math.max(weights.get(t) ?? 0, weight));
      origins.set(t, [...(origins.get(t) ?? []), at]);
    };
    for (const t of terms) add(t, 1, terms.indexOf(t));
    for (const group of synonyms.tag(terms)) if (!isCommon(group.token)) add(group.token, synonymWeight, group.at);
    const list = [...weights.keys()];
    const known = terms.filter((t) => vocabulary.has(t)).length;
    if (list.length === 0) return { terms, known, hits: [] };
    const found = index.search(list.join(' '), {
      tokenize: (s: string) => s.split(' '),
      processTerm: (t: string) => t,
      fields: SEARCHED[asked ?? 'any'],
      boost: BOOSTS[asked ?? 'any'],
      boostTerm: (t: string) => weights.get(t) ?? 1,
      // Words found as such in the FAQs match exactly; only unknown ones (typos, truncations) are looked up
      // by prefix and with spelling mistakes: more precise, and much cheaper on a large index.
      prefix: (t: string) => t.length >= 4 && !vocabulary.has(t) && !t.startsWith(GROUP_MARK),
      fuzzy: (t: string) =>
        vocabulary.has(t) || t.startsWith(GROUP_MARK) ? false : t.length >= 8 ? 2 : t.length >= 5 ? 1 : false,
      weights: { fuzzy: 0.5, prefix: 0.4 },
    });
    const unique = new Set(terms).size;
    const hits = found.slice(0, MAX_CANDIDATES).map((h) => {
      const covered = new Set<number>();
      for (const t of h.queryTerms) for (const at of origins.get(t) ?? []) covered.add(at);
      // MiniSearch multiplies by the number of query terms matched; count typed terms instead, so that a
      // word and its synonym group do not count twice.
      const raw = (h.score / h.queryTerms.length) * covered.size;
      const specific = h.terms.some((t) => (documentFrequency.get(t) ?? 0) <= specificAtMost);
      return { id: String(h.id), raw, matched: covered.size, coverage: covered.size / unique, specific };
    });
    return { terms, known, hits };
  };

  const searchUncached = (text: string, lang: Lang | null): FaqSearchResult => {
    const verdict = judge(inspect(text, lang).hits, calibration);
    const results = verdict.results.filter((r) => r.id !== OFF_TOPIC_DOC).slice(0, MAX_RESULTS);
    // The off-topic phrases fit best: not about rights.
    if (verdict.results[0]?.id === OFF_TOPIC_DOC) return { match: null, results, offTopic: true };
    return { ...verdict, match: verdict.match === OFF_TOPIC_DOC ? null : verdict.match, results };
  };

  // Least recently used first (a Map keeps insertion order; a hit moves its entry to the end).
  const cache = new Map<string, FaqSearchResult>();
  return {
    inspect,
    search(text, lang) {
      // Longer texts are cut before the analysis but not before the language guess: not cached.
      if (text.length > MAX_QUESTION_CHARS) return searchUncached(text, lang);
      const key = `${lang ?? ''}|${normalizeForSearch(text)}`;
      let found = cache.get(key);
      if (found) cache.delete(key);
      else {
        found = searchUncached(text, lang);
        if (cache.size >= CACHED_ANSWERS) cache.delete(cache.keys().next().value!);
      }
      cache.set(key, found);
      // A copy: a caller changing its answer does not change the next person's.
      return { ...found, results: found.results.map((r) => ({ ...r })) };
    },
  };
}

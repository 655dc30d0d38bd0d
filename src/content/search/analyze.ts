// Turns text into search terms: normalise, undo SMS spelling, drop stopwords and small numbers, stem.
// The same steps run on the FAQs (index) and on the question, so both sides meet on the same terms.

import { fold } from './fold.ts';
import { words } from './normalize.ts';
import { unSms } from './sms.ts';
import { stem } from './stem.ts';
import { ALL_STOPWORDS } from './stopwords.ts';

/** Ages, counts and hours ("16", "14h", "3mois") say little about which FAQ is meant. */
const SMALL_NUMBER = /^\d{1,2}[a-z]{0,4}$/;
/** French elision typed without the apostrophe: "lhopital", "dalgerie", "loim", "quil". */
const ELIDED = /^(?:[ld]([aeiouyh][a-z]{2,})|(?:j|m|t|s|n|c|qu)([aeiouyh][a-z]{3,}))$/;

const termOf = (word: string) => fold(stem(word));

function keep(word: string): boolean {
  return word.length > 1 && !ALL_STOPWORDS.has(word) && !SMALL_NUMBER.test(word);
}

// Texts repeat the same few thousand words: remember each word's terms (bounded, so a flood of
// invented words cannot grow it without end).
const CACHE_LIMIT = 200_000;
const cache = new Map<string, readonly string[]>();

function wordTerms(word: string): readonly string[] {
  let terms = cache.get(word);
  if (terms === undefined) {
    terms = unSms(word)
      .filter(keep)
      .map((u) => termOf(u));
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(word, terms);
  }
  return terms;
}

const chunkCache = new Map<string, readonly string[]>();

/** Terms of a whitespace-separated chunk ("l'école,"), cached: normalising is the costly part of indexing. */
function chunkTerms(chunk: string): readonly string[] {
  let terms = chunkCache.get(chunk);
  if (terms === undefined) {
    terms = words(chunk).flatMap((w) => wordTerms(w));
    if (chunkCache.size >= CACHE_LIMIT) chunkCache.clear();
    chunkCache.set(chunk, terms);
  }
  return terms;
}

/** Terms of an indexed text (FAQ titles, phrasings, answers). */
export function indexTerms(text: string): string[] {
  const out: string[] = [];
  for (const chunk of text.split(/\s+/)) if (chunk !== '') for (const t of chunkTerms(chunk)) out.push(t);
  return out;
}

/**
 * Terms of a question. `known` is the index vocabulary: an unknown word that is an elided form of a known one
 * ("lexpulsion") is split.
 */
export function questionTerms(text: string, known: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const w of words(text)) {
    for (const u of unSms(w)) {
      if (!keep(u)) continue;
      let term = termOf(u);
      if (!known.has(term)) {
        const m = ELIDED.exec(u);
        const rest = m?.[1] ?? m?.[2];
        if (rest !== undefined) {
          if (!keep(rest)) continue;
          if (known.has(termOf(rest))) term = termOf(rest);
        }
      }
      out.push(term);
    }
  }
  return out;
}

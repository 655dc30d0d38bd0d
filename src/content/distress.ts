// Distress words (content/distress.yaml): per category and language, the phrases that mean a person is in
// danger now. The engine asks `distress(text, lang)` before FAQ matching and before "off topic": a false alarm
// costs one message, a miss can cost a life, so the lists favour recall.
//
// Matching: the message and each phrase are normalised like the FAQ search does (lower case, no accents,
// Bambara letters folded, punctuation as spaces, SMS spellings expanded), then each word is folded by sound;
// a phrase matches when its words appear in the message in a row. A word ending in `*` matches any word
// starting with it (`suicid*` matches suicide, suicider, suicidaire).
import { z } from 'zod';
import type { DistressCategory, Lang } from '../engine/types.ts';
import { DISTRESS_CATEGORIES } from '../engine/types.ts';
import { fold } from './search/fold.ts';
import { words } from './search/normalize.ts';
import { unSms } from './search/sms.ts';

const phrases = z.array(z.string().trim().min(1, 'an empty phrase would match nothing')).min(1);
const perLang = z.object({ fr: phrases, en: phrases, bm: phrases }).strict();

/** content/distress.yaml: every category, every language (a missing one would silently miss people). */
export const DistressSchema = z
  .object(Object.fromEntries(DISTRESS_CATEGORIES.map((c) => [c, perLang])) as Record<DistressCategory, typeof perLang>)
  .strict();
export type DistressWords = z.infer<typeof DistressSchema>;

/** A phrase's word: the folded word, or the start of a word for `word*`. */
type PatternWord = { text: string; prefix: boolean };
/** `order`: its place in the list (urgency first), which decides between phrases found in one message. */
type Pattern = { words: readonly PatternWord[]; category: DistressCategory; order: number };

/** Normalised, SMS-expanded, sound-folded words of a text (kept in order). */
export function distressWords(text: string): string[] {
  return words(text)
    .flatMap((w) => unSms(w))
    .map((w) => foldWord(w));
}

function foldWord(w: string): string {
  return w.endsWith('*') ? `${fold(w.slice(0, -1))}*` : fold(w);
}

function patternWords(phrase: string): string[] {
  // Keep a trailing `*` through normalisation (which turns punctuation into spaces).
  return phrase
    .split(/\s+/)
    .filter((w) => w !== '')
    .flatMap((w) => {
      const star = w.endsWith('*');
      const parts = words(star ? w.slice(0, -1) : w).flatMap((p) => unSms(p));
      if (star && parts.length > 0) parts[parts.length - 1] = `${parts[parts.length - 1]}*`;
      return parts;
    })
    .map((w) => foldWord(w));
}

function matchesAt(message: readonly string[], at: number, pattern: readonly PatternWord[]): boolean {
  for (let k = 0; k < pattern.length; k++) {
    const word = message[at + k];
    const p = pattern[k]!;
    if (word === undefined) return false;
    if (p.prefix ? !word.startsWith(p.text) : word !== p.text) return false;
  }
  return true;
}

const NONE: readonly Pattern[] = [];

export type DistressMatcher = (text: string, lang: Lang | null) => { category: DistressCategory } | null;

/**
 * The matcher. Every language's phrases are tried whatever `lang` is (people mix languages and the session
 * language may be wrong); the categories are tried in order of urgency, so "je veux mourir, ils m'ont battu"
 * is `suicide`.
 */
export function createDistressMatcher(words_: DistressWords): DistressMatcher {
  // Found by their first word (one lookup per word of the message), those starting with `word*` tried everywhere.
  const byFirstWord = new Map<string, Pattern[]>();
  const prefixFirst: Pattern[] = [];
  let order = 0;
  for (const category of DISTRESS_CATEGORIES) {
    for (const lang of ['fr', 'en', 'bm'] as const) {
      for (const phrase of words_[category][lang]) {
        const w = patternWords(phrase).map((word) =>
          word.endsWith('*') ? { text: word.slice(0, -1), prefix: true } : { text: word, prefix: false },
        );
        const first = w[0];
        if (!first) continue;
        const pattern: Pattern = { words: w, category, order: order++ };
        if (first.prefix) prefixFirst.push(pattern);
        else byFirstWord.set(first.text, [...(byFirstWord.get(first.text) ?? []), pattern]);
      }
    }
  }
  return (text) => {
    const message = distressWords(text);
    // The most urgent phrase found anywhere in the message.
    let found: Pattern | null = null;
    const consider = (p: Pattern, at: number) => {
      if ((found === null || p.order < found.order) && matchesAt(message, at, p.words)) found = p;
    };
    for (let at = 0; at < message.length; at++) {
      for (const p of byFirstWord.get(message[at]!) ?? NONE) consider(p, at);
      for (const p of prefixFirst) consider(p, at);
    }
    return found === null ? null : { category: (found as Pattern).category };
  };
}

// Recognising which choice a person meant: the number, the label in any language, a synonym;
// case, accents and emoji digits do not matter, and a small typo in a longer word is forgiven.
import { boundedEditDistance, normalizeText } from './text.ts';

export type ChoiceCandidate = { id: string; texts: string[] };

export type ChoiceMatch = { kind: 'match'; id: string } | { kind: 'out_of_range' } | { kind: 'none' };

const BUILTIN_SYNONYMS: Record<string, string[]> = {
  yes: ['oui', 'yes', 'ok', 'okay', 'daccord', 'd accord', 'awo', 'awɔ', 'ɔn hɔn', 'on hon', 'ya', 'yeah', 'yep', 'wi'],
  no: ['non', 'no', 'nope', 'ayi', 'a yi', 'ayi de', 'nan'],
  cancel: ['annuler', 'cancel', 'a to', 'ka dabila'],
  skip: ['passer', 'skip', 'suivant', 'next', 'a to ten'],
  back: ['retour', 'back', 'ka segin'],
};

/** `exact`: only the number or a whole label counts (typed questions, where free text is the answer). */
export function recognizeChoice(raw: string, candidates: readonly ChoiceCandidate[], exact = false): ChoiceMatch {
  const text = normalizeText(raw);
  if (text === '') return { kind: 'none' };

  // "2", "2.", "2)", "n°2", "1️⃣": the number of the choice.
  const numeric = /^(?:n o |no |n )?(\d{1,3})$/.exec(text);
  if (numeric) {
    const n = Number(numeric[1]);
    const chosen = candidates[n - 1];
    return chosen ? { kind: 'match', id: chosen.id } : { kind: 'out_of_range' };
  }

  const forms = candidates.map((c) => ({
    id: c.id,
    forms: [...c.texts, ...(BUILTIN_SYNONYMS[c.id] ?? [])].map(normalizeText).filter((f) => f !== ''),
  }));

  for (const c of forms) if (c.forms.includes(text)) return { kind: 'match', id: c.id };
  if (exact) return { kind: 'none' };

  // A label said with a few more words ("oui merci", "1 oui") counts when exactly one choice fits.
  const words = new Set(text.split(' '));
  const contained = forms.filter((c) => c.forms.some((f) => f.split(' ').every((w) => words.has(w))));
  if (contained.length === 1 && words.size <= 4) return { kind: 'match', id: contained[0]!.id };

  // Part of a label ("asile" for "Asile, réfugiés") counts when it fits exactly one choice.
  if (text.length >= 4) {
    const partial = forms.filter((c) => c.forms.some((f) => ` ${f} `.includes(` ${text} `)));
    if (partial.length === 1) return { kind: 'match', id: partial[0]!.id };
  }

  // One typo in a word of five letters or more ("francais" vs "franssais").
  if (text.length >= 5) {
    const close = forms.filter((c) => c.forms.some((f) => f.length >= 5 && boundedEditDistance(f, text, 1) <= 1));
    if (close.length === 1) return { kind: 'match', id: close[0]!.id };
  }
  return { kind: 'none' };
}

/** Whether a normalised text is one of the words (for global keywords). */
export function isOneOf(raw: string, words: readonly string[]): boolean {
  if (words.length === 0) return false;
  const { normal, typed } = wordForms(words);
  const text = normalizeText(raw);
  // Words without letters ("?", "👍") compare as typed.
  const asTyped = raw.trim();
  return (text !== '' && normal.has(text)) || (asTyped !== '' && typed.has(asTyped));
}

// The words come from the loaded flows, which do not change: their forms are worked out once per list.
const formsOfWords = new WeakMap<readonly string[], { normal: Set<string>; typed: Set<string> }>();

function wordForms(words: readonly string[]): { normal: Set<string>; typed: Set<string> } {
  let forms = formsOfWords.get(words);
  if (forms === undefined) {
    forms = { normal: new Set(words.map(normalizeText)), typed: new Set(words.map((w) => w.trim())) };
    formsOfWords.set(words, forms);
  }
  return forms;
}

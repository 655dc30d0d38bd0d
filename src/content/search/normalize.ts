// First step of the search analyser: lower case, no accents, Bambara letters folded, apostrophes and
// punctuation become spaces, so "J'ai été EXPULSÉ" and "jai ete expulse" end up as comparable words.

const LETTERS: Record<string, string> = { ɛ: 'e', ɔ: 'o', ɲ: 'ny', ŋ: 'ng', œ: 'oe', æ: 'ae' };

export function normalizeForSearch(text: string): string {
  let out = text.toLowerCase();
  // Plain ASCII (most messages) skips the Unicode work.
  if (/[^\x00-\x7f]/.test(out)) {
    out = out
      .replace(/[ɛɔɲŋœæ]/g, (c) => LETTERS[c]!)
      .normalize('NFD')
      .replace(/\p{M}/gu, '');
  }
  return out.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

export function words(text: string): string[] {
  const normal = normalizeForSearch(text);
  return normal === '' ? [] : normal.split(' ');
}

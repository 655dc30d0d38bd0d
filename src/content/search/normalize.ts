// First step of the search analyser: lower case, no accents, Bambara letters folded, apostrophes and
// punctuation become spaces, so "J'ai été EXPULSÉ" and "jai ete expulse" end up as comparable words.

export function normalizeForSearch(text: string): string {
  return text
    .toLowerCase()
    .replace(/ɛ/g, 'e')
    .replace(/ɔ/g, 'o')
    .replace(/ɲ/g, 'ny')
    .replace(/ŋ/g, 'ng')
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function words(text: string): string[] {
  const normal = normalizeForSearch(text);
  return normal === '' ? [] : normal.split(' ');
}

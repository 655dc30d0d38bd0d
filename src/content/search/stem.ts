// A light suffix stripper for French and English (after normalisation, so no accents), used on both the
// indexed text and the question, so that expulsé / expulsée / expulser / expulsion, or deported /
// deportation, meet on one stem. It is deliberately shallow: over-stemming would merge unrelated words.
// One function serves both languages because people mix them; French and English cognates often meet
// (identité / identity -> ident, biométrique / biometric -> biometr).

const KEEP = new Set([
  'pays',
  'fils',
  'plus',
  'sans',
  'dans',
  'vers',
  'tres',
  'apres',
  'mois',
  'fois',
  'temps',
  'corps',
  'bus',
  'is',
  'was',
  'has',
  'this',
  'us',
  'yes',
  'news',
  'visas',
  'gas',
  'process',
  'access',
  'business',
  'alias',
  'status',
  'virus',
  'abus',
  'refus',
  'recus',
  'bamako',
  'gens',
]);

/** Words whose stem would meet an unrelated word's: données (data) is not donner (to give). */
const OWN_STEM: Record<string, string> = { donnee: 'donnee', donnees: 'donnee' };

/** Suffixes tried longest first; `min` is the shortest stem that may remain. */
const SUFFIXES: { end: string; min: number; to?: string }[] = [
  { end: 'issements', min: 3 },
  { end: 'issement', min: 3 },
  { end: 'ements', min: 4 },
  { end: 'ement', min: 4 },
  { end: 'ments', min: 4 },
  { end: 'ment', min: 4 },
  { end: 'ations', min: 3 },
  { end: 'ation', min: 3 },
  { end: 'ution', min: 3, to: 'u' },
  { end: 'sions', min: 3, to: 's' },
  { end: 'sion', min: 3, to: 's' },
  { end: 'tions', min: 3, to: 't' },
  { end: 'tion', min: 3, to: 't' },
  { end: 'iques', min: 4 },
  { end: 'ique', min: 4 },
  { end: 'ics', min: 4 },
  { end: 'ic', min: 4 },
  { end: 'ites', min: 4 },
  { end: 'ite', min: 4 },
  { end: 'ity', min: 4 },
  { end: 'elle', min: 3, to: 'el' },
  { end: 'enne', min: 3, to: 'en' },
  { end: 'ies', min: 3, to: 'i' },
  { end: 'aux', min: 3, to: 'al' },
  { end: 'ings', min: 3 },
  { end: 'ing', min: 3 },
  { end: 'edly', min: 3 },
  { end: 'ly', min: 4 },
  { end: 'ees', min: 3 },
  { end: 'ee', min: 3 },
  { end: 'ers', min: 4 },
  { end: 'er', min: 3 },
  { end: 'ez', min: 4 },
  { end: 'ed', min: 3 },
  { end: 'es', min: 4 },
  { end: 'ir', min: 4 },
  { end: 'e', min: 3 },
  { end: 's', min: 3 },
  { end: 'x', min: 4 },
];

export function stem(word: string): string {
  if (word.length <= 3 || KEEP.has(word) || /\d/.test(word)) return word;
  const own = OWN_STEM[word];
  if (own !== undefined) return own;
  let w = word;
  // Plural first, then one derivational or verbal ending.
  if (w.length > 4 && /[^su]s$/.test(w) && !w.endsWith('ies')) w = w.slice(0, -1);
  for (const s of SUFFIXES) {
    if (w.endsWith(s.end) && w.length - s.end.length >= s.min) {
      w = w.slice(0, -s.end.length) + (s.to ?? '');
      if ((s.end === 'ing' || s.end === 'ed' || s.end === 'ings') && /([bdfgklmnprtz])\1$/.test(w)) w = w.slice(0, -1);
      break;
    }
  }
  // A trailing "e" left by the plural step (expulsees -> expulse -> expuls).
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

// Normalisation of what people type, so "Éxpulsé", "expulse" and "EXPULSE " compare equal.

/** Keycap emoji (1️⃣, also typed without the variation selector) and 🔟 become plain digits. */
export function emojiDigitsToText(text: string): string {
  return text.replace(/([0-9])\uFE0F?\u20E3/g, '$1').replace(/\u{1F51F}/gu, '10');
}

// Labels and keywords are normalised again and again: remember the recent ones.
const cache = new Map<string, string>();
const CACHE_SIZE = 5000;

/** Lower case, no accents, no punctuation, single spaces. Bambara letters ɛ ɔ ɲ ŋ fold to e o ny ng. */
export function normalizeText(text: string): string {
  const known = cache.get(text);
  if (known !== undefined) return known;
  const normal = foldText(text);
  if (cache.size >= CACHE_SIZE) cache.clear();
  cache.set(text, normal);
  return normal;
}

function foldText(text: string): string {
  return emojiDigitsToText(text)
    .toLowerCase()
    .replace(/ɛ/g, 'e')
    .replace(/ɔ/g, 'o')
    .replace(/ɲ/g, 'ny')
    .replace(/ŋ/g, 'ng')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[’'`´]/g, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Edit distance counting a swap of two neighbours as one edit; returns max+1 as soon as it is exceeded. */
export function boundedEditDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, rows[i - 2]![j - 2]! + 1);
      row.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

// Normalisation of what people type, so "Éxpulsé", "expulse" and "EXPULSE " compare equal.

const EMOJI_DIGITS: Record<string, string> = {
  '0️⃣': '0',
  '1️⃣': '1',
  '2️⃣': '2',
  '3️⃣': '3',
  '4️⃣': '4',
  '5️⃣': '5',
  '6️⃣': '6',
  '7️⃣': '7',
  '8️⃣': '8',
  '9️⃣': '9',
  '🔟': '10',
};

/** Keycap emoji (1️⃣, also typed without the variation selector) become plain digits. */
export function emojiDigitsToText(text: string): string {
  let out = text;
  for (const [emoji, digit] of Object.entries(EMOJI_DIGITS)) {
    out = out.split(emoji).join(digit);
    out = out.split(emoji.replace('\uFE0F', '')).join(digit);
  }
  return out;
}

/** Lower case, no accents, no punctuation, single spaces. Bambara letters ɛ ɔ ɲ ŋ fold to e o ny ng. */
export function normalizeText(text: string): string {
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

/** Edit distance, bounded: returns max+1 as soon as it is exceeded. */
export function boundedEditDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

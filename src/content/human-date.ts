// Dates written for people in each language ("29 nov. 2026", "29 Nov 2026", "Nowanburukalo tile 29, 2026"),
// never the ISO form content files use.
import type { Lang } from '../engine/types.ts';
import { parseIsoDate } from './dates.ts';

const MONTHS: Record<Lang, readonly string[]> = {
  fr: ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'],
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
  bm: [
    'Zanwuyekalo',
    'Feburuyekalo',
    'Marisikalo',
    'Awirilikalo',
    'Mɛkalo',
    'Zuwɛnkalo',
    'Zuluyekalo',
    'Utikalo',
    'Sɛtanburukalo',
    'Ɔkutɔburukalo',
    'Nowanburukalo',
    'Desanburukalo',
  ],
};

/** `iso` (YYYY-MM-DD) as a person reads it in `lang`; the text itself when it is not a real date. */
export function humanDate(iso: string, lang: Lang): string {
  const ms = parseIsoDate(iso);
  if (ms === null) return iso;
  const d = new Date(ms);
  const day = d.getUTCDate();
  const month = MONTHS[lang][d.getUTCMonth()]!;
  const year = d.getUTCFullYear();
  if (lang === 'bm') return `${month} tile ${day}, ${year}`;
  return `${lang === 'fr' && day === 1 ? '1er' : day} ${month} ${year}`;
}

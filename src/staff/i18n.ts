// The console speaks French (the partners' working language) and English. Pages are written in English and
// `t()` looks the French up here; a missing entry shows the English text rather than nothing.
import { FRENCH } from './i18n-fr.ts';

export type UiLang = 'fr' | 'en';
export type Params = Record<string, string | number>;
export type T = (text: string, params?: Params) => string;

export const LANG_COOKIE = 'kf_lang';

function fill(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export function translator(lang: UiLang): T {
  return (text, params) => fill(lang === 'fr' ? (FRENCH[text] ?? text) : text, params);
}

/** The cookie set by the language links wins; then the browser's preference between fr and en; then fr. */
export function pickLang(cookie: string | undefined, acceptLanguage: string | undefined): UiLang {
  if (cookie === 'fr' || cookie === 'en') return cookie;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.trim().slice(0, 2).toLowerCase();
    if (tag === 'fr' || tag === 'en') return tag;
  }
  return 'fr';
}

// i18next set up for the bot: flat keys, fallback to French (the source language) for every language,
// no HTML escaping here (each channel escapes for its own markup).
import i18next, { type i18n } from 'i18next';
import { isLang, type Lang, SOURCE_LANGUAGE } from '../engine/types.ts';
import type { LocaleSet } from './locales.ts';

export type Translate = (lang: Lang, key: string, params?: Record<string, string>) => string;

export type Translator = {
  t: Translate;
  /** The text of a key in every language that has it (for recognising typed choices). */
  allTexts(key: string): string[];
  has(lang: Lang, key: string): boolean;
};

/** The words that mark a French text shown in another language because its translation is missing. */
export const FALLBACK_MARK_KEY = 'common.in_french';

/** `defaults`: values every text may use, e.g. {{session_days}} from the configuration. */
export function createTranslator(strings: LocaleSet, defaults: Record<string, string> = {}): Translator {
  const instance: i18n = i18next.createInstance();
  const resources = Object.fromEntries(Object.entries(strings).map(([lang, table]) => [lang, { translation: table }]));
  void instance.init({
    resources,
    lng: SOURCE_LANGUAGE,
    fallbackLng: { default: [SOURCE_LANGUAGE] },
    keySeparator: false,
    nsSeparator: false,
    interpolation: { escapeValue: false, defaultVariables: defaults },
    initAsync: false,
    returnNull: false,
  });
  const fixed = new Map<Lang, ReturnType<i18n['getFixedT']>>();
  const tFor = (lang: Lang) => {
    let t = fixed.get(lang);
    if (!t) {
      t = instance.getFixedT(lang);
      fixed.set(lang, t);
    }
    return t;
  };
  // Most strings have no parameters: translate each once.
  const plain = new Map<string, string>();
  /** A text missing in the person's language is shown in French, and says so ("(faransikan na)"). */
  const marked = (lang: Lang, key: string, text: string): string => {
    if (lang === SOURCE_LANGUAGE || key in strings[lang] || !(key in strings[SOURCE_LANGUAGE])) return text;
    const mark = strings[lang][FALLBACK_MARK_KEY];
    return mark ? `${text} (${mark})` : text;
  };
  return {
    t: (lang, key, params) => {
      if (params) return marked(lang, key, String(tFor(lang)(key, params)));
      const cacheKey = `${lang}\u0000${key}`;
      let text = plain.get(cacheKey);
      if (text === undefined) {
        text = marked(lang, key, String(tFor(lang)(key, {})));
        plain.set(cacheKey, text);
      }
      return text;
    },
    allTexts: (key) =>
      Object.values(strings)
        .map((table) => table[key])
        .filter((v): v is string => typeof v === 'string'),
    has: (lang, key) => key in strings[lang],
  };
}

/** First guess of a person's language from their platform's language code ("fr-FR", "en", "bm"). */
export function guessLanguage(platformCode: string | undefined): Lang {
  const code = (platformCode ?? '').toLowerCase().slice(0, 2);
  return isLang(code) ? code : SOURCE_LANGUAGE;
}

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
  // Texts with parameters: plain {{name}} placeholders are filled here (what i18next does for them, without its
  // per-call option handling); anything else (formats, nesting, a missing key) goes through i18next.
  const templates = new Map<string, Template | null>();
  const templateOf = (lang: Lang, key: string): Template | null => {
    const cacheKey = `${lang}\u0000${key}`;
    let template = templates.get(cacheKey);
    if (template === undefined) {
      const text = strings[lang][key] ?? strings[SOURCE_LANGUAGE][key];
      template = typeof text === 'string' ? compileTemplate(text) : null;
      templates.set(cacheKey, template);
    }
    return template;
  };
  return {
    t: (lang, key, params) => {
      if (params) {
        // `count` and `context` choose another key in i18next (plurals, contexts): left to it.
        const template = 'count' in params || 'context' in params ? null : templateOf(lang, key);
        const text = template ? fillTemplate(template, params, defaults) : String(tFor(lang)(key, params));
        return marked(lang, key, text);
      }
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

/** A text cut at its {{name}} placeholders: literal, name, literal, name, ..., literal. */
export type Template = string[];

/** Null when the text uses more than plain placeholders (i18next formats, unescaped values, nesting, plurals). */
export function compileTemplate(text: string): Template | null {
  if (text.includes('$t(') || text.includes('{{-')) return null;
  const parts: string[] = [];
  let at = 0;
  for (const match of text.matchAll(/\{\{(.+?)\}\}/g)) {
    const name = match[1]!.trim();
    if (!/^\w+$/.test(name)) return null;
    parts.push(text.slice(at, match.index), name);
    at = match.index + match[0].length;
  }
  parts.push(text.slice(at));
  return parts;
}

/** i18next's interpolation for plain placeholders: the parameter, else the default, else the placeholder stays. */
export function fillTemplate(
  template: Template,
  params: Record<string, unknown>,
  defaults: Record<string, string>,
): string {
  let out = template[0]!;
  for (let i = 1; i < template.length; i += 2) {
    const name = template[i]!;
    const value = Object.hasOwn(params, name) ? params[name] : defaults[name];
    // A parameter given as undefined reads as nothing; one not given at all leaves {{name}} (i18next's way).
    out += value === undefined ? (Object.hasOwn(params, name) ? '' : `{{${name}}}`) : String(value);
    out += template[i + 1]!;
  }
  return out;
}

/** First guess of a person's language from their platform's language code ("fr-FR", "en", "bm"). */
export function guessLanguage(platformCode: string | undefined): Lang {
  const code = (platformCode ?? '').toLowerCase().slice(0, 2);
  return isLang(code) ? code : SOURCE_LANGUAGE;
}

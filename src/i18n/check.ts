// Missing translations: an error for fr (the source) and en, a warning for bm (machine drafts are catching up).
import type { SourceProblem } from '../common/source-problems.ts';
import { DRAFT_LANGUAGES, LANGUAGES, SOURCE_LANGUAGE } from '../engine/types.ts';
import type { LocaleSet } from './locales.ts';

export function localeProblems(strings: LocaleSet, requiredKeys: readonly string[]): SourceProblem[] {
  const problems: SourceProblem[] = [];
  for (const lang of LANGUAGES) {
    for (const key of requiredKeys) {
      if (key in strings[lang]) continue;
      problems.push({
        file: `locales/${lang}/${key.split('.')[0]}.json`,
        line: 1,
        col: 1,
        path: key.split('.').slice(1).join('.'),
        message: `i18n key "${key}" is missing in ${lang}`,
        severity: DRAFT_LANGUAGES.includes(lang) ? 'warning' : 'error',
      });
    }
    if (lang === SOURCE_LANGUAGE) continue;
    for (const key of Object.keys(strings[lang])) {
      if (key in strings[SOURCE_LANGUAGE]) continue;
      problems.push({
        file: `locales/${lang}/${key.split('.')[0]}.json`,
        line: 1,
        col: 1,
        path: key.split('.').slice(1).join('.'),
        message: `i18n key "${key}" has no French source text`,
        severity: 'warning',
      });
    }
  }
  return problems;
}

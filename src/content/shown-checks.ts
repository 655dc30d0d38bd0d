// Checks of what people will actually read, which need the locales: the first message of every FAQ answer
// as shown (notice, points, who can help, source line) fits a phone, and no locale string has a placeholder
// its French source does not have (it would reach people as "{{org}}").
import { problemAt, type SourceProblem, type YamlSource } from '../common/source-problems.ts';
import { LANGUAGES, type Lang } from '../engine/types.ts';
import { firstMessageLength, type Translate } from './faq-message.ts';
import type { Content } from './schema.ts';
import { problemIn } from './sources.ts';

/** Characters of the first message of an answer, everything in it. */
export const FIRST_MESSAGE_MAX = 600;

export function faqLengthProblems(content: Content, t: Translate): SourceProblem[] {
  const problems: SourceProblem[] = [];
  for (const faq of content.faqs.values()) {
    for (const lang of LANGUAGES) {
      if (!faq.answer[lang]) continue;
      const length = firstMessageLength(content, faq, lang, t);
      if (length <= FIRST_MESSAGE_MAX) continue;
      problems.push(
        problemIn(
          faq,
          `content/faqs/${faq.id}.yaml`,
          ['answer', lang, 'points'],
          `the first message is ${length} characters as shown (notice, points, who can help, source line): at most ${FIRST_MESSAGE_MAX}; move points to "more" or shorten them`,
        ),
      );
    }
  }
  return problems;
}

/** The loaded locales (i18n's LocaleSet and LocaleSources; content may not import i18n). */
type LocaleSet = Record<Lang, Record<string, string>>;
type LocaleSources = Record<Lang, Map<string, { source: YamlSource; path: string[] }>>;

const PLACEHOLDER = /\{\{\s*([\w.-]+)\s*\}\}/g;
const placeholders = (text: string) => new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!));

export function localePlaceholderProblems(strings: LocaleSet, sources: LocaleSources): SourceProblem[] {
  const problems: SourceProblem[] = [];
  for (const lang of LANGUAGES) {
    if (lang === 'fr') continue;
    for (const [key, text] of Object.entries(strings[lang])) {
      const french = strings.fr[key];
      if (french === undefined) continue;
      const known = placeholders(french);
      for (const name of placeholders(text)) {
        if (known.has(name)) continue;
        const where = sources[lang].get(key);
        const message = `unknown placeholder {{${name}}} in "${key}" (the French text has ${known.size === 0 ? 'none' : [...known].map((k) => `{{${k}}}`).join(', ')}): people would read it as is`;
        problems.push(
          where
            ? problemAt(where.source, where.path, message)
            : { file: `locales/${lang}`, line: 1, col: 1, path: key, message, severity: 'error' },
        );
      }
    }
  }
  return problems;
}

// One search document per FAQ, with a field per kind of text (title, phrasings, answer) and language.
import type { Lang } from '../../engine/types.ts';
import type { Faq } from '../schema.ts';

export const KINDS = ['t', 'q', 'a'] as const;
export type Kind = (typeof KINDS)[number];
export const SEARCH_LANGS: readonly Lang[] = ['fr', 'en', 'bm'];
export const FIELDS: string[] = KINDS.flatMap((k) => SEARCH_LANGS.map((l) => `${k}_${l}`));

export type FaqDoc = { id: string } & Record<string, string>;

export function faqDocument(faq: Faq): FaqDoc {
  const doc: FaqDoc = { id: faq.id };
  for (const lang of SEARCH_LANGS) {
    doc[`t_${lang}`] = faq.title[lang] ?? '';
    doc[`q_${lang}`] = (faq.questions[lang] ?? []).join('\n');
    const answer = faq.answer[lang];
    doc[`a_${lang}`] = answer ? `${answer.text}\n${answer.more ?? ''}` : '';
  }
  return doc;
}

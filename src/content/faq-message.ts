// What a person sees of an FAQ answer: the first message and the "more" part, in their language.
import type { Lang } from '../engine/types.ts';
import type { Faq } from './schema.ts';

/** Whether the answer shown in `lang` (its own, or the French fallback) has a "more" part. */
export function faqHasMore(faq: Faq, lang: Lang): boolean {
  const answer = faq.answer[lang] ?? faq.answer.fr;
  return answer.more !== undefined;
}

// The plain baseline the evaluation compares against: MiniSearch with its default settings over the same
// content (title, phrasings and answer of every language), answering with its top result whenever there is one.
import MiniSearch from 'minisearch';
import type { FaqSearchResult, Lang } from '../../engine/types.ts';
import type { Content } from '../schema.ts';

export function createBaselineSearch(content: Pick<Content, 'faqs'>): {
  search(text: string, lang: Lang | null): FaqSearchResult;
} {
  const index = new MiniSearch({ fields: ['title', 'questions', 'answer'] });
  index.addAll(
    [...content.faqs.values()].map((faq) => ({
      id: faq.id,
      title: Object.values(faq.title).join('\n'),
      questions: Object.values(faq.questions)
        .flatMap((q) => q ?? [])
        .join('\n'),
      answer: Object.values(faq.answer)
        .map((a) => (a ? [...Object.values(a.points), ...Object.values(a.more ?? {})].join('\n') : ''))
        .join('\n'),
    })),
  );
  return {
    search(text) {
      const hits = index.search(text);
      const top = hits[0]?.score ?? 1;
      const results = hits.slice(0, 5).map((h) => ({ id: String(h.id), score: h.score / top }));
      return { match: results[0]?.id ?? null, results, offTopic: results.length === 0 };
    },
  };
}

// PLACEHOLDER written by the lead so the runtime can be wired before the tuned matcher lands.
// The content-search helper owns this file: replace it with the real `createFaqSearch` (same signature).
import MiniSearch from 'minisearch';
import type { FaqSearchResult, Lang } from '../../engine/types.ts';
import type { FaqSearcher } from '../catalog.ts';
import type { Content } from '../schema.ts';

export function createFaqSearch(content: Content): FaqSearcher {
  const index = new MiniSearch<{ id: string; text: string }>({ fields: ['text'], storeFields: ['id'] });
  index.addAll(
    [...content.faqs.values()].map((f) => ({
      id: f.id,
      text: [...Object.values(f.title), ...f.questions.fr, ...f.questions.en, ...(f.questions.bm ?? [])].join(' '),
    })),
  );
  return {
    search(text: string, _lang: Lang | null): FaqSearchResult {
      const hits = index.search(text, { fuzzy: 0.2, prefix: true }).slice(0, 5);
      const top = hits[0]?.score ?? 1;
      const results = hits.map((h) => ({ id: String(h.id), score: h.score / top }));
      const confident = hits.length > 0 && (hits[1] === undefined || hits[0]!.score > hits[1].score * 1.5);
      return { match: confident ? results[0]!.id : null, results, offTopic: hits.length === 0 };
    },
  };
}

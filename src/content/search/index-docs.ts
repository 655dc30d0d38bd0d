// One search document per FAQ, with a field per kind of text (title, phrasings, first answer message) and
// language. Documents are analysed here, once, into terms (plus synonym group tokens), so the index only
// splits on spaces and the search knows every term's document frequency.
import type { Lang } from '../../engine/types.ts';
import type { Faq, OffTopicPhrases } from '../schema.ts';
import { indexTerms } from './analyze.ts';
import type { SynonymTable } from './synonyms.ts';

export const KINDS = ['t', 'q', 'a'] as const;
export type Kind = (typeof KINDS)[number];
export const SEARCH_LANGS: readonly Lang[] = ['fr', 'en', 'bm'];
export const FIELDS: string[] = KINDS.flatMap((k) => SEARCH_LANGS.map((l) => `${k}_${l}`));

/** Field values are already terms; the index takes them as they are. */
export type FaqDoc = { id: string } & Record<string, string | string[]>;

/** The texts of an FAQ per field. The answer's longer "more" part is left out: it adds noise, not recall. */
export function faqTexts(faq: Faq): Record<string, string> {
  const out: Record<string, string> = {};
  for (const lang of SEARCH_LANGS) {
    out[`t_${lang}`] = faq.title[lang] ?? '';
    out[`q_${lang}`] = (faq.questions[lang] ?? []).join('\n');
    out[`a_${lang}`] = Object.values(faq.answer[lang]?.points ?? {}).join('\n');
  }
  return out;
}

export type AnalysedDocs = {
  docs: FaqDoc[];
  /** Every word term of the FAQs (no group tokens). */
  vocabulary: Set<string>;
  /** Number of FAQs each term or group token occurs in. */
  documentFrequency: Map<string, number>;
};

/** Id of the extra document holding the off-topic phrases (never an FAQ id: those are lower-case words). */
export const OFF_TOPIC_DOC = '~off-topic';

/** The off-topic phrases as one document's fields (phrasings only). */
function offTopicTexts(phrases: OffTopicPhrases): Record<string, string> {
  const out: Record<string, string> = {};
  for (const lang of SEARCH_LANGS) {
    out[`t_${lang}`] = '';
    out[`q_${lang}`] = (phrases[lang] ?? []).join('\n');
    out[`a_${lang}`] = '';
  }
  return out;
}

export function analyseFaqs(faqs: Iterable<Faq>, synonyms: SynonymTable, offTopic?: OffTopicPhrases): AnalysedDocs {
  const docs: FaqDoc[] = [];
  const vocabulary = new Set<string>();
  const documentFrequency = new Map<string, number>();
  const sources: { id: string; texts: Record<string, string> }[] = [...faqs].map((faq) => ({
    id: faq.id,
    texts: faqTexts(faq),
  }));
  if (offTopic && Object.values(offTopic).some((p) => p && p.length > 0))
    sources.push({ id: OFF_TOPIC_DOC, texts: offTopicTexts(offTopic) });
  for (const { id, texts } of sources) {
    const doc: FaqDoc = { id };
    const seen = new Set<string>();
    for (const [field, text] of Object.entries(texts)) {
      const terms = indexTerms(text);
      for (const t of terms) {
        vocabulary.add(t);
        seen.add(t);
      }
      for (const g of synonyms.tag(terms)) {
        terms.push(g.token);
        seen.add(g.token);
      }
      // In answers, how often a word recurs says little (and indexing each occurrence costs time).
      doc[field] = field.startsWith('a_') ? [...new Set(terms)] : terms;
    }
    for (const t of seen) documentFrequency.set(t, (documentFrequency.get(t) ?? 0) + 1);
    docs.push(doc);
  }
  return { docs, vocabulary, documentFrequency };
}

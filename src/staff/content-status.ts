// The state of the content, for editors: FAQs by review status and age, how complete each language is,
// and which contacts are still unverified. Pure: computed from the loaded bundle.
import type { Content } from '../content/schema.ts';
import { LANGUAGES, type Lang } from '../engine/types.ts';

export type FaqReviewStatus = 'reviewed' | 'draft' | 'machine-draft' | 'missing';

export type FaqStatusRow = {
  id: string;
  title: string;
  reviewed: string;
  ageDays: number;
  /** Reviewed more than 12 months ago (`validate --strict` fails on it). */
  stale: boolean;
  status: Record<Lang, FaqReviewStatus>;
};

export type LanguageCompleteness = {
  lang: Lang;
  /** FAQs with an answer in this language, and of those, reviewed ones. */
  faqAnswers: number;
  faqReviewed: number;
  faqTotal: number;
  /** UI strings present, against the French (source) set. */
  strings: number;
  stringsTotal: number;
  missingStrings: string[];
};

export type UnverifiedContact = { id: string; name: string; organisation: boolean; unverifiedDetails: number };

export type ContentStatus = {
  faqs: FaqStatusRow[];
  /** Per language: how many FAQs are in each review status. */
  byStatus: Record<Lang, Record<FaqReviewStatus, number>>;
  languages: LanguageCompleteness[];
  unverifiedContacts: UnverifiedContact[];
};

const DAY = 86_400_000;
export const STALE_AFTER_DAYS = 365;

export function contentStatus(
  content: Content,
  strings: Readonly<Record<Lang, Readonly<Record<string, string>>>>,
  now: number,
): ContentStatus {
  const faqs: FaqStatusRow[] = [...content.faqs.values()].map((faq) => {
    const reviewedAt = Date.parse(`${faq.reviewed}T00:00:00Z`);
    const ageDays = Number.isNaN(reviewedAt) ? Number.POSITIVE_INFINITY : Math.floor((now - reviewedAt) / DAY);
    const status = Object.fromEntries(LANGUAGES.map((lang) => [lang, faq.answer[lang]?.status ?? 'missing'])) as Record<
      Lang,
      FaqReviewStatus
    >;
    return {
      id: faq.id,
      title: faq.title.fr,
      reviewed: faq.reviewed,
      ageDays,
      stale: ageDays > STALE_AFTER_DAYS,
      status,
    };
  });
  // Oldest review first: that is what needs attention.
  faqs.sort((a, b) => b.ageDays - a.ageDays || a.id.localeCompare(b.id));

  const byStatus = Object.fromEntries(
    LANGUAGES.map((lang) => {
      const counts: Record<FaqReviewStatus, number> = { reviewed: 0, draft: 0, 'machine-draft': 0, missing: 0 };
      for (const row of faqs) counts[row.status[lang]]++;
      return [lang, counts];
    }),
  ) as Record<Lang, Record<FaqReviewStatus, number>>;

  const sourceKeys = Object.keys(strings.fr);
  const languages = LANGUAGES.map((lang): LanguageCompleteness => {
    const missingStrings = sourceKeys.filter((k) => !(k in strings[lang])).sort();
    return {
      lang,
      faqAnswers: faqs.filter((f) => f.status[lang] !== 'missing').length,
      faqReviewed: byStatus[lang].reviewed,
      faqTotal: faqs.length,
      strings: sourceKeys.length - missingStrings.length,
      stringsTotal: sourceKeys.length,
      missingStrings,
    };
  });

  const unverifiedContacts = [...content.contacts.values()]
    .map((c) => ({
      id: c.id,
      name: c.name,
      organisation: !c.verified.status,
      unverifiedDetails: c.channels.filter((ch) => !ch.verified).length,
    }))
    .filter((c) => c.organisation || c.unverifiedDetails > 0);

  return { faqs, byStatus, languages, unverifiedContacts };
}

// What the engine may know of content (ContentCatalog): ids for menus and checks, contacts by region and need,
// referral routing, and the FAQ search.
import type { ContentCatalog, FaqSearchResult, Lang } from '../engine/types.ts';
import type { Contact, Content } from './schema.ts';

export type FaqSearcher = { search(text: string, lang: Lang | null): FaqSearchResult };

const serves = (contact: Contact, region: string, need: string) =>
  (contact.regions.includes(region) || contact.regions.includes('all')) &&
  (contact.needs.includes(need) || need === '' || need === 'other');

/** Verified organisations first, then those that take referrals, then file order. */
function rank(a: Contact, b: Contact): number {
  return (
    Number(b.verified.status) - Number(a.verified.status) || Number(b.accepts_referrals) - Number(a.accepts_referrals)
  );
}

export function buildCatalog(content: Content, searcher: FaqSearcher): ContentCatalog {
  const contacts = [...content.contacts.values()];
  const topics = content.topics.map((t) => ({
    id: t.id,
    faqIds: [...content.faqs.values()].filter((f) => f.topics.includes(t.id)).map((f) => f.id),
  }));
  return {
    faqIds: new Set(content.faqs.keys()),
    topics,
    regions: content.regions.map((r) => r.id),
    needs: content.needs.map((n) => n.id),
    alertTopics: content.alertTopics.map((a) => a.id),
    contactsFor: (region, need) =>
      contacts
        .filter((c) => serves(c, region, need))
        .sort(rank)
        .map((c) => c.id),
    referralPartnerFor: (region, need) =>
      contacts.filter((c) => c.accepts_referrals && serves(c, region, need)).sort(rank)[0]?.id ?? null,
    faqHasMore: (faqId) => Boolean(content.faqs.get(faqId)?.answer.fr.more),
    search: (text, lang) => searcher.search(text, lang),
  };
}

// What the engine may know of content (ContentCatalog): ids for checks and menus, contacts by region and need,
// and the FAQ search. Built once from loaded content; pure afterwards.
import {
  type ContentCatalog,
  DISTRESS_CATEGORIES,
  type DistressCategory,
  type FaqSearchResult,
  type Lang,
} from '../engine/types.ts';
import { ALL_REGIONS } from './check-faqs.ts';
import { createDistressMatcher } from './distress.ts';
import { faqHasMore } from './faq-message.ts';
import type { Contact, Content } from './schema.ts';

/** The need "something else": every organisation of the region may help. */
const ANY_NEED = 'other';

export type FaqSearcher = { search(text: string, lang: Lang | null): FaqSearchResult };

export function buildCatalog(content: Content, search: FaqSearcher): ContentCatalog {
  const faqs = [...content.faqs.values()];
  const topics = content.topics.map((t) => ({
    id: t.id,
    faqIds: faqs.filter((f) => f.topics.includes(t.id)).map((f) => f.id),
  }));
  const all = [...content.contacts.values()];
  const contacts = all.filter((c) => c.kind === 'organisation');
  const emergency = all.filter((c) => c.kind === 'emergency');
  const distress = createDistressMatcher(content.distress);
  return {
    faqIds: new Set(content.faqs.keys()),
    topics,
    regions: content.regions.map((r) => r.id),
    needs: content.needs.map((n) => n.id),
    alertTopics: content.alertTopics.map((a) => a.id),
    contactsFor: (region, need) => contactsFor(contacts, region, need),
    referralPartnerFor: (region, need) => {
      const best = contactsFor(contacts, region, need)[0];
      return best !== undefined && content.contacts.get(best)?.accepts_referrals ? best : null;
    },
    faqHasMore: (faqId, lang) => {
      const faq = content.faqs.get(faqId);
      if (!faq) return false;
      return lang === undefined ? LANGS.some((l) => faqHasMore(faq, l)) : faqHasMore(faq, lang);
    },
    search: (text, lang) => search.search(text, lang),
    distress,
    emergencyContactsFor: (country, category) => emergencyContactsFor(emergency, country, category),
  };
}

const LANGS: readonly Lang[] = ['fr', 'en', 'bm'];

/** Emergency lines that work in `country`, those meant for `category` first; none for an unknown place. */
export function emergencyContactsFor(
  contacts: readonly Contact[],
  country: string | null,
  category?: DistressCategory,
): string[] {
  if (country === null) return [];
  const code = country.toUpperCase();
  // A line that names the category earlier in its `distress` list is more specific to it.
  const rank = (c: Contact) => {
    const at = category === undefined ? -1 : c.distress.indexOf(category);
    return at === -1 ? DISTRESS_CATEGORIES.length : at;
  };
  return contacts
    .filter((c) => c.kind === 'emergency' && c.countries.includes(code))
    .map((c, order) => ({ c, order }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.order - b.order)
    .map(({ c }) => c.id);
}

/**
 * Organisations serving `region` (or every region) that help with `need` (any need when it is "" or "other"),
 * best first: those that take referrals, then verified ones, then those working in that very region before
 * those serving everywhere. Ties keep file order.
 */
export function contactsFor(contacts: readonly Contact[], region: string, need: string): string[] {
  const rank = (c: Contact) =>
    (c.accepts_referrals ? 0 : 4) + (c.verified.status ? 0 : 2) + (c.regions.includes(region) ? 0 : 1);
  return contacts
    .map((c, order) => ({ c, order }))
    .filter(({ c }) => c.regions.includes(region) || c.regions.includes(ALL_REGIONS))
    .filter(({ c }) => need === '' || need === ANY_NEED || c.needs.includes(need))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.order - b.order)
    .map(({ c }) => c.id);
}

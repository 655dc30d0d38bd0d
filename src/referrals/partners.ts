// Partners are the contacts that accept referrals. Routing picks one by need and region.
import type { Contact } from '../content/schema.ts';

export type Partner = {
  id: string;
  name: string;
  needs: readonly string[];
  regions: readonly string[];
  languages: readonly string[];
};

/** A contact serving every region or every need lists "all". */
const ALL = 'all';

export function partnersFromContacts(contacts: Iterable<Contact>): Partner[] {
  const partners: Partner[] = [];
  for (const c of contacts) {
    if (!c.accepts_referrals) continue;
    partners.push({ id: c.id, name: c.name, needs: c.needs, regions: c.regions, languages: c.languages });
  }
  return partners;
}

/**
 * The partner for a need in a region: an exact region and need first, then a partner serving all regions, then one
 * taking every need; among equals, the order of the list (content order). The fallback when nobody matches.
 */
export function routePartner(partners: readonly Partner[], need: string, region: string, fallbackId: string): string {
  let best: { id: string; rank: number } | null = null;
  for (const p of partners) {
    const regionRank = p.regions.includes(region) ? 0 : p.regions.includes(ALL) ? 1 : -1;
    const needRank = p.needs.includes(need) ? 0 : p.needs.includes(ALL) ? 2 : -1;
    if (regionRank < 0 || needRank < 0) continue;
    const rank = regionRank + needRank;
    if (!best || rank < best.rank) best = { id: p.id, rank };
  }
  return best?.id ?? fallbackId;
}

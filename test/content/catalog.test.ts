// The catalog the engine sees (topics, contacts by region and need, "more" parts) and content labels.

import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog } from '../../src/content/catalog.ts';
import { faqTitle, needLabel, regionLabel, topicLabel } from '../../src/content/labels.ts';
import { loadContent } from '../../src/content/load.ts';
import type { Content } from '../../src/content/schema.ts';
import { createFaqSearch } from '../../src/content/search/index.ts';
import { writeContent } from './write-content.ts';

let root: string;
let content: Content;
beforeAll(async () => {
  root = await writeContent({
    faqs: [
      { id: 'b-work', topics: ['work'] },
      { id: 'a-travel', topics: ['travel'], more: true },
      { id: 'c-both', topics: ['travel', 'work'] },
    ],
    contacts: [
      { id: 'everywhere', regions: ['all'], needs: ['legal'], verified: true, verifiedOn: '2026-10-01' },
      { id: 'local-unverified', regions: ['kayes'], needs: ['legal'] },
      {
        id: 'local-verified',
        regions: ['kayes'],
        needs: ['legal', 'health'],
        verified: true,
        verifiedOn: '2026-10-01',
      },
      {
        id: 'no-referrals',
        regions: ['kayes'],
        needs: ['legal'],
        verified: true,
        verifiedOn: '2026-10-01',
        referrals: false,
      },
    ],
  });
  content = (await loadContent(root)).content!;
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('buildCatalog', () => {
  it('lists topics in file order with their FAQs in file order', () => {
    const catalog = buildCatalog(content, createFaqSearch(content));
    expect(catalog.topics).toEqual([
      { id: 'travel', faqIds: ['a-travel', 'c-both'] },
      { id: 'work', faqIds: ['b-work', 'c-both'] },
    ]);
    expect(catalog.regions).toEqual(['bamako', 'kayes', 'abroad']);
    expect(catalog.needs).toEqual(['legal', 'health', 'other']);
    expect(catalog.alertTopics).toEqual(['travel']);
    expect([...catalog.faqIds].sort()).toEqual(['a-travel', 'b-work', 'c-both']);
  });

  it('offers contacts for a region and need: referral-takers and verified first, local before national', () => {
    const catalog = buildCatalog(content, createFaqSearch(content));
    expect(catalog.contactsFor('kayes', 'legal')).toEqual([
      'local-verified',
      'everywhere',
      'local-unverified',
      'no-referrals',
    ]);
    expect(catalog.contactsFor('kayes', 'health')).toEqual(['local-verified']);
    expect(catalog.contactsFor('bamako', 'legal')).toEqual(['everywhere']);
    expect(catalog.contactsFor('bamako', 'other')).toEqual(['everywhere']);
    expect(catalog.contactsFor('abroad', 'health')).toEqual([]);
    expect(catalog.referralPartnerFor('kayes', 'legal')).toBe('local-verified');
    expect(catalog.referralPartnerFor('abroad', 'health')).toBeNull();
  });

  it('knows which FAQs have a "more" part and searches through the given search', () => {
    const catalog = buildCatalog(content, createFaqSearch(content));
    expect(catalog.faqHasMore('a-travel')).toBe(true);
    expect(catalog.faqHasMore('a-travel', 'bm')).toBe(true);
    expect(catalog.faqHasMore('b-work')).toBe(false);
    expect(catalog.faqHasMore('b-work', 'fr')).toBe(false);
    expect(catalog.faqHasMore('unknown', 'fr')).toBe(false);
    const fixed = { match: 'b-work', results: [{ id: 'b-work', score: 1 }], offTopic: false };
    expect(buildCatalog(content, { search: () => fixed }).search('anything', 'fr')).toBe(fixed);
  });
});

describe('the shipped contacts', () => {
  it('route every need to at least one organisation working in Mali, trafficking included', async () => {
    const shipped = (await loadContent(path.join(import.meta.dirname, '../..'))).content!;
    const inMali = [...shipped.contacts.values()].filter(
      (c) => c.kind === 'organisation' && c.regions.some((r) => r !== 'abroad'),
    );
    for (const need of shipped.needs.map((n) => n.id).filter((n) => n !== 'other'))
      expect(
        inMali.filter((c) => c.needs.includes(need)).map((c) => c.id),
        need,
      ).not.toEqual([]);
  });

  it('claim no language nobody sourced', async () => {
    const shipped = (await loadContent(path.join(import.meta.dirname, '../..'))).content!;
    for (const c of shipped.contacts.values()) expect(c.languages, c.id).toEqual([]);
  });
});

describe('labels', () => {
  it('gives labels in the asked language, French when missing, the id when unknown', () => {
    expect(topicLabel(content, 'travel', 'fr')).toBe('Voyage');
    expect(topicLabel(content, 'travel', 'en')).toBe('travel');
    expect(topicLabel(content, 'travel', 'bm')).toBe('Voyage');
    expect(regionLabel(content, 'kayes', 'fr')).toBe('Kayes');
    expect(needLabel(content, 'nope', 'fr')).toBe('nope');
    expect(faqTitle(content, 'a-travel', 'bm')).toBe('Kunnafoni a-travel');
    expect(faqTitle(content, 'a-travel', 'en')).toBe('Title a-travel');
  });
});

// Questions asked again are answered from the search's cache: the same answer as the first time, whatever the
// spelling differences the search ignores, and a caller changing an answer never changes the next person's.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../../src/content/load.ts';
import type { Content } from '../../src/content/schema.ts';
import { createFaqSearch } from '../../src/content/search/index.ts';

let content: Content;
beforeAll(async () => {
  content = (await loadContent(path.join(import.meta.dirname, '../..'))).content!;
});

describe('FAQ search cache', () => {
  it('answers a repeated question as a fresh search does, per language', () => {
    const cached = createFaqSearch(content);
    const questions = ['la police a pris mon passeport', 'i was arrested abroad what are my rights', 'bonjour'];
    for (const q of questions) {
      for (const lang of ['fr', 'en', null] as const) {
        const first = cached.search(q, lang);
        expect(cached.search(q, lang)).toEqual(first);
        expect(cached.search(q.toUpperCase(), lang)).toEqual(first);
        expect(createFaqSearch(content).search(q, lang)).toEqual(first);
      }
    }
    expect(cached.search('la police a pris mon passeport', 'fr').match).toBe('passport-taken');
  });

  it('keeps its answers apart from what callers do with them', () => {
    const search = createFaqSearch(content);
    const first = search.search('la police a pris mon passeport', 'fr');
    const expected = structuredClone(first);
    first.match = 'something-else';
    first.results.length = 0;
    expect(search.search('la police a pris mon passeport', 'fr')).toEqual(expected);
  });
});

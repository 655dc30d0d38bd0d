// The FAQ search as a person meets it: messages typed without accents, with typos and SMS spelling, in
// French, English or Bambara; an answer only when the bot is sure; "off topic" for unrelated messages.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../../src/content/load.ts';
import type { Content } from '../../src/content/schema.ts';
import { createFaqSearch, detectLanguage, type FaqSearch } from '../../src/content/search/index.ts';
import { writeContent } from './write-content.ts';

let search: FaqSearch;
beforeAll(async () => {
  const { content } = await loadContent(path.join(import.meta.dirname, '../..'));
  search = createFaqSearch(content!);
});

const answer = (q: string, lang: 'fr' | 'en' | 'bm' | null = 'fr') => search.search(q, lang).match;

describe('FAQ search on the shipped content', () => {
  it('ignores accents and case', () => {
    const accented = search.search("J'ai été expulsé de France", 'fr');
    expect(search.search('jai ete expulse de france', 'fr')).toEqual(accented);
    expect(search.search('JAI ETE EXPULSE DE FRANCE', 'fr')).toEqual(accented);
  });

  it('finds the answer through typos and phonetic spelling', () => {
    expect(answer('mon pasport a ete confiske par la polise')).toBe('passport-taken');
    expect(answer('passeprot confisqué')).toBe('passport-taken');
    expect(answer('mon patron me paie pa ke faire')).toBe('unpaid-wages');
    expect(answer('c koi ponam')).toBe('ponam');
  });

  it('understands synonyms (kicked out = deported, disparu = sans nouvelles)', () => {
    expect(answer('kicked out of libya, back in bamako', 'en')).toBe('expelled-help');
    expect(answer('my son disappeared on the way to libya', 'en')).toBe('missing-relative');
  });

  it('answers Bambara and mixed messages', () => {
    expect(answer('u ye n ka pasipori mine', 'bm')).toBe('passport-taken');
    expect(answer('n denmisen te lakoli la', 'bm')).toBe('children-school');
    expect(answer('n dogoke tununna', null)).toBe('missing-relative');
  });

  it('guesses the language when none is given', () => {
    expect(answer('je veux rentrer chez moi, je suis bloque a bamako', null)).toBe('stranded-in-mali');
    expect(answer('i want to go home, im stuck in bamako', null)).toBe('stranded-in-mali');
    expect(detectLanguage('where can I get help')).toBe('en');
    expect(detectLanguage('je suis bloqué à la frontière')).toBe('fr');
    expect(detectLanguage('n b’a fɛ ka segin so')).toBe('bm');
    expect(detectLanguage('')).toBeNull();
  });

  it('is not sure about a question that fits several FAQs: no match, but the closest ones to offer', () => {
    const r = search.search('expulsion', 'fr');
    expect(r.match).toBeNull();
    expect(r.offTopic).toBe(false);
    const offered = r.results.map((x) => x.id).slice(0, 3);
    expect(offered).toContain('collective-expulsion');
    for (const id of offered) expect(id, id).toMatch(/expul|expelled/);
  });

  it('says "off topic" for the weather, football, recipes, greetings and noise', () => {
    for (const q of ['quelle est la meteo a kayes', 'recette du mafe', 'bonjour', '', '???', 'tell me a joke']) {
      const r = search.search(q, null);
      expect(r.match, q).toBeNull();
      expect(r.offTopic, q).toBe(true);
    }
  });

  it('returns at most five results, best first, with scores between 0 and 1', () => {
    for (const q of ['papiers', 'mon frere a disparu en mer', 'aide', 'I was deported from Spain']) {
      const { results } = search.search(q, null);
      expect(results.length).toBeLessThanOrEqual(5);
      for (const r of results) expect(r.score >= 0 && r.score <= 1).toBe(true);
      expect(results.map((r) => r.score)).toEqual([...results.map((r) => r.score)].sort((a, b) => b - a));
    }
  });

  it('copes with very long and strange messages', () => {
    const long = `${'bonjour je suis la '.repeat(500)} mon passeport a été confisqué par mon patron`;
    expect(search.search(long, 'fr').results.length).toBeLessThanOrEqual(5);
    expect(search.search('🙏🙏🙏 ‮‏ \u200b', null)).toEqual({ match: null, results: [], offTopic: true });
  });
});

describe('FAQ search on small content', () => {
  const roots: string[] = [];
  afterAll(async () => {
    for (const r of roots) await rm(r, { recursive: true, force: true });
  });
  const load = async (spec: Parameters<typeof writeContent>[0]): Promise<Content> => {
    const root = await writeContent(spec);
    roots.push(root);
    return (await loadContent(root)).content!;
  };

  it('uses content/synonyms.yaml: a word of a group finds an FAQ written with another', async () => {
    const faqs = [
      { id: 'lost-passport', questions: ['mon passeport est perdu'] },
      { id: 'school', questions: ['inscrire mon enfant à école'] },
    ];
    const withSynonyms = createFaqSearch(await load({ faqs, synonyms: 'fr:\n  - [passeport, bouquin]\n' }));
    const without = createFaqSearch(await load({ faqs, synonyms: 'fr:\n  - [école, lycée]\n' }));
    expect(withSynonyms.search('bouquin', 'fr').results[0]?.id).toBe('lost-passport');
    expect(without.search('bouquin', 'fr').results).toEqual([]);
  });

  it('does not answer when two FAQs fit equally well', async () => {
    const s = createFaqSearch(
      await load({
        faqs: [
          { id: 'one', questions: ['carte consulaire perdue'] },
          { id: 'two', questions: ['carte consulaire perdue'] },
          // Unrelated FAQs, so that the shared words are rare enough to count (BM25 weighs words by rarity).
          ...['salaire impayé', 'école refusée', 'frère disparu', 'demande asile', 'hôpital urgence'].map((q, i) => ({
            id: `other-${i}`,
            questions: [q],
          })),
        ],
      }),
    );
    const r = s.search('carte consulaire perdue', 'fr');
    expect(r.match).toBeNull();
    expect(r.offTopic).toBe(false);
    expect(r.results.map((x) => x.id).sort()).toEqual(['one', 'two']);
    // With one of them alone, the same question gets its answer.
    const single = createFaqSearch(
      await load({
        faqs: [
          { id: 'one', questions: ['carte consulaire perdue'] },
          ...['salaire impayé', 'école refusée', 'frère disparu', 'demande asile', 'hôpital urgence'].map((q, i) => ({
            id: `other-${i}`,
            questions: [q],
          })),
        ],
      }),
    );
    expect(single.search('carte consulaire perdue', 'fr').match).toBe('one');
  });

  it('does not answer on a word many FAQs use, even when one FAQ uses it more', async () => {
    // "papiers" is in 4 of 10 FAQs: too common to answer on alone, though "perdus" tips the balance.
    const others = ['salaire', 'école', 'frère', 'asile', 'hôpital', 'visa'].map((w, i) => ({
      id: `other-${i}`,
      questions: [i < 3 ? `papiers ${w}` : w],
      everyLanguage: true,
    }));
    const s = createFaqSearch(
      await load({
        faqs: [
          {
            id: 'lost',
            title: 'Papiers perdus',
            questions: ['papiers', 'papiers perdus', 'mes papiers'],
            everyLanguage: true,
          },
          ...others,
          { id: 'prison', questions: ['prison'] },
          { id: 'consulat', questions: ['consulat'] },
          { id: 'travail', questions: ['travail'] },
        ],
      }),
    );
    const generic = s.search('papiers', null);
    expect(generic.results[0]?.id).toBe('lost');
    expect(generic.offTopic).toBe(false);
    expect(generic.match).toBeNull();
    expect(s.search('papiers perdus', null).match).toBe('lost');
  });
});

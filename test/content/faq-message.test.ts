// What a person reads of an FAQ answer: the first message fits a phone in every language with everything in
// it, one source line with a date written for people, the "being reviewed" notice once, "more" only where
// the language has more, and every point French has in every language.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEXT_PARAMS } from '../../src/app/bundle.ts';
import { formatProblem } from '../../src/common/source-problems.ts';
import { faqHasMore, faqMessages, firstMessageLength } from '../../src/content/faq-message.ts';
import { humanDate } from '../../src/content/human-date.ts';
import { loadContent } from '../../src/content/load.ts';
import { FIRST_MESSAGE_MAX } from '../../src/content/shown-checks.ts';
import { LANGUAGES } from '../../src/engine/types.ts';
import { loadLocales } from '../../src/i18n/locales.ts';
import { createTranslator } from '../../src/i18n/translator.ts';
import { writeContent } from './write-content.ts';

const repoRoot = path.join(import.meta.dirname, '../..');
const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

describe('the shipped FAQ answers', async () => {
  const { content } = await loadContent(repoRoot);
  const { strings } = await loadLocales(repoRoot);
  const t = createTranslator(strings, DEFAULT_TEXT_PARAMS).t;
  const faqs = [...content!.faqs.values()];

  it('are at least 36, each with its first message within 600 characters in every language', () => {
    expect(faqs.length).toBeGreaterThanOrEqual(36);
    for (const faq of faqs)
      for (const lang of LANGUAGES)
        expect(firstMessageLength(content!, faq, lang, t), `${faq.id} ${lang}`).toBeLessThanOrEqual(FIRST_MESSAGE_MAX);
  });

  it('have every point French has in English and Bambara (nothing marked not applicable)', () => {
    for (const faq of faqs) {
      const ids = (lang: 'fr' | 'en' | 'bm') =>
        [...Object.keys(faq.answer[lang]!.points), ...Object.keys(faq.answer[lang]!.more ?? {})].sort();
      expect(ids('en'), faq.id).toEqual(ids('fr'));
      expect(ids('bm'), faq.id).toEqual(ids('fr'));
    }
  });

  it('never tell people the Migrant Workers Convention is not ratified by the states that expel them', () => {
    const all = faqs.flatMap((f) =>
      LANGUAGES.flatMap((l) => [...Object.values(f.answer[l]!.points), ...Object.values(f.answer[l]!.more ?? {})]),
    );
    for (const text of all) {
      expect(text).not.toMatch(/la plupart des pays où travaillent les Maliens/i);
      expect(text).not.toMatch(/most countries where Malians work/i);
    }
  });

  it('show one source line with a date people read, no ISO date, no file name, no English in French', () => {
    const [fr] = faqMessages(content!, content!.faqs.get('arrested-abroad')!, 'short', 'fr', t);
    const last = fr!.paragraphs.at(-1)!;
    expect(last).toMatch(/^Source : Convention de Vienne, art\. 36 · vérifié le \d{1,2}(er)? \S+ 20\d\d$/);
    const text = fr!.paragraphs.join('\n');
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}|\.md\b|#\d|Vienna Convention|relire/);
    const [bm] = faqMessages(content!, content!.faqs.get('arrested-abroad')!, 'short', 'bm', t);
    expect(bm!.paragraphs.at(-1)).toMatch(/^A bɔyɔrɔ: Vienne layidu.* · a lajɛra \S+kalo tile \d+, 20\d\d$/);
    expect(bm!.paragraphs[0]).toContain('Masin');
  });

  it('say "being reviewed" once per conversation: not when the session already saw it', () => {
    const faq = content!.faqs.get('arrested-abroad')!;
    const first = faqMessages(content!, faq, 'short', 'fr', t)[0]!.paragraphs;
    const later = faqMessages(content!, faq, 'short', 'fr', t, { reviewNoticeShown: true })[0]!.paragraphs;
    expect(first[0]).toBe(t('fr', 'faq.draft'));
    expect(later).not.toContain(t('fr', 'faq.draft'));
    expect(later.length).toBe(first.length - 1);
  });

  it('"more" gives the further points and every source', () => {
    const faq = content!.faqs.get('collective-expulsion')!;
    const [more] = faqMessages(content!, faq, 'more', 'en', t);
    expect(more!.paragraphs.join('\n')).toContain('African Charter (art. 12(4)) says a foreigner legally admitted');
    expect(more!.paragraphs.at(-1)).toContain('African Charter, art. 12(4) and 12(5)');
  });
});

describe('"more" and missing translations', () => {
  it('is offered only where the language shown has more', async () => {
    const root = await writeContent({ faqs: [{ id: 'long', more: true }, { id: 'short' }] });
    roots.push(root);
    const { content, problems } = await loadContent(root);
    if (!content) throw new Error(problems.map(formatProblem).join('\n'));
    for (const lang of LANGUAGES) {
      expect(faqHasMore(content.faqs.get('long')!, lang)).toBe(true);
      expect(faqHasMore(content.faqs.get('short')!, lang)).toBe(false);
    }
  });
});

describe('dates written for people', () => {
  it('in each language', () => {
    expect(humanDate('2026-11-29', 'fr')).toBe('29 nov. 2026');
    expect(humanDate('2026-12-01', 'fr')).toBe('1er déc. 2026');
    expect(humanDate('2026-11-29', 'en')).toBe('29 Nov 2026');
    expect(humanDate('2026-11-29', 'bm')).toBe('Nowanburukalo tile 29, 2026');
  });
});

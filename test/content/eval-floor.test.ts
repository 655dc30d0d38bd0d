// The search goals on the evaluation set (test/fixtures/faq-eval.jsonl, see `npm run eval:faq`): CI fails
// when a change (new FAQ, new phrasing, synonyms) makes the search miss them.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContent } from '../../src/content/load.ts';
import { createBaselineSearch } from '../../src/content/search/baseline.ts';
import { evaluate, parseEvalCases } from '../../src/content/search/evaluate.ts';
import { createFaqSearch } from '../../src/content/search/index.ts';

const root = path.join(import.meta.dirname, '../..');

describe('FAQ search on the evaluation set', async () => {
  const { content } = await loadContent(root);
  const cases = parseEvalCases(await readFile(path.join(root, 'test/fixtures/faq-eval.jsonl'), 'utf8'));
  const search = createFaqSearch(content!);
  const report = evaluate(cases, (q, lang) => search.search(q, lang));

  it('has at least 150 in-scope questions, 5 per FAQ, and 20 off-topic ones', () => {
    expect(report.inScope).toBeGreaterThanOrEqual(150);
    expect(report.offTopic).toBeGreaterThanOrEqual(20);
    for (const id of content!.faqs.keys()) {
      expect(cases.filter((c) => c.expect === id).length, id).toBeGreaterThanOrEqual(5);
    }
  });

  it('puts the right FAQ first for at least 97% of in-scope questions', () => {
    expect(report.top1).toBeGreaterThanOrEqual(0.97);
  });

  it('rejects at least 95% of off-topic questions and answers wrongly at most 1% of the time', () => {
    expect(report.offTopicRejected).toBeGreaterThanOrEqual(0.95);
    expect(report.confidentlyWrong).toBeLessThanOrEqual(0.01);
  });

  it('tells confusable questions apart (violence vs child alone, trauma vs return, Mauritania vs Algeria)', () => {
    const first = (q: string) => search.search(q, 'fr').results[0]?.id;
    expect(first('ma femme a été violée sur la route')).toBe('sexual-violence');
    expect(first('traumatisé')).toBe('psychological-support');
    expect(first('je suis traumatise depuis mon retour')).toBe('psychological-support');
    expect(first('expulsé de mauritanie sans carte de séjour')).toBe('expelled-mauritania');
    expect(first("expulsé d'algérie vers le niger")).toBe('expelled-algeria');
    expect(first('un enfant de 14 ans voyage seul sans ses parents')).toBe('unaccompanied-child');
  });

  it('does not answer messages that only share words with rights questions', () => {
    for (const q of ['score du match mali senegal', 'je cherche une femme pour me marier', 'looking for a wife'])
      expect(search.search(q, null).match, q).toBeNull();
  });

  it('beats the plain MiniSearch baseline on informal questions', () => {
    const baseline = createBaselineSearch(content!);
    const base = evaluate(cases, (q, lang) => baseline.search(q, lang));
    expect(report.informalTop1).toBeGreaterThan(base.informalTop1);
  });
});

// Regression floor on the evaluation set (test/fixtures/faq-eval.jsonl): the goals are higher (see
// `npm run eval:faq`); these floors fail CI when a change makes the search clearly worse.
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

  it('puts the right FAQ first for at least 80% of in-scope questions', () => {
    expect(report.top1).toBeGreaterThanOrEqual(0.8);
  });

  it('rejects most off-topic questions and rarely answers wrongly', () => {
    expect(report.offTopicRejected).toBeGreaterThanOrEqual(0.8);
    expect(report.confidentlyWrong).toBeLessThanOrEqual(0.05);
  });

  it('beats the plain MiniSearch baseline on informal questions', () => {
    const baseline = createBaselineSearch(content!);
    const base = evaluate(cases, (q, lang) => baseline.search(q, lang));
    expect(report.informalTop1).toBeGreaterThan(base.informalTop1);
  });
});

// `npm run eval:faq`: the FAQ search and a plain MiniSearch baseline on test/fixtures/faq-eval.jsonl, side by side.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblem } from '../src/common/source-problems.ts';
import { loadContent } from '../src/content/load.ts';
import { createBaselineSearch } from '../src/content/search/baseline.ts';
import { evaluate, formatComparison, parseEvalCases } from '../src/content/search/evaluate.ts';
import { createFaqSearch } from '../src/content/search/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { content, problems } = await loadContent(root);
if (!content) {
  for (const p of problems) console.error(formatProblem(p));
  process.exit(1);
}
const cases = parseEvalCases(await readFile(path.join(root, 'test/fixtures/faq-eval.jsonl'), 'utf8'));
const ours = createFaqSearch(content);
const baseline = createBaselineSearch(content);
const a = evaluate(cases, (q, lang) => ours.search(q, lang));
const b = evaluate(cases, (q, lang) => baseline.search(q, lang));
console.log(formatComparison(a, b));
const verbose = process.argv.includes('--verbose');
if (verbose) {
  console.log('\nmisses (in scope, first result not the expected FAQ):');
  for (const m of a.misses)
    console.log(`  expected ${m.expect}, got ${m.got ?? '-'} (match ${m.match ?? '-'}): ${m.q}`);
}

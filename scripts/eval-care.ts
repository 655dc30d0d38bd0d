// `npm run eval:care`: the distress matcher on test/fixtures/care-eval.jsonl — recall on distress messages in
// fr/en/bm (informal spellings included) and false alarms on ordinary rights questions.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblem } from '../src/common/source-problems.ts';
import { evaluateCare, formatCareReport, parseCareCases } from '../src/content/care-eval.ts';
import { createDistressMatcher } from '../src/content/distress.ts';
import { loadContent } from '../src/content/load.ts';
import { parseEvalCases } from '../src/content/search/evaluate.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { content, problems } = await loadContent(root);
if (!content) {
  for (const p of problems) console.error(formatProblem(p));
  process.exit(1);
}
const cases = parseCareCases(await readFile(path.join(root, 'test/fixtures/care-eval.jsonl'), 'utf8'));
const match = createDistressMatcher(content.distress);
console.log(formatCareReport(evaluateCare(cases, match)));

// For information: the FAQ evaluation questions (rights questions, some of them about violence, injury or a child
// alone, which rightly count as distress) that the distress words catch.
const faqCases = parseEvalCases(await readFile(path.join(root, 'test/fixtures/faq-eval.jsonl'), 'utf8'));
const caught = faqCases.flatMap((c) => {
  const got = match(c.q, c.lang);
  return got ? [`  [${got.category}] (${c.expect ?? 'off topic'}) ${c.q}`] : [];
});
console.log(`\nFAQ evaluation questions taken for distress: ${caught.length} of ${faqCases.length}`);
if (process.argv.includes('--verbose')) console.log(caught.join('\n'));

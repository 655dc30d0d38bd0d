// `npm run eval:care`: the distress matcher on test/fixtures/care-eval.jsonl — recall on distress messages in
// fr/en/bm (informal spellings included) and false alarms on ordinary rights questions.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblem } from '../src/common/source-problems.ts';
import { evaluateCare, formatCareReport, parseCareCases } from '../src/content/care-eval.ts';
import { createDistressMatcher } from '../src/content/distress.ts';
import { loadContent } from '../src/content/load.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { content, problems } = await loadContent(root);
if (!content) {
  for (const p of problems) console.error(formatProblem(p));
  process.exit(1);
}
const cases = parseCareCases(await readFile(path.join(root, 'test/fixtures/care-eval.jsonl'), 'utf8'));
console.log(formatCareReport(evaluateCare(cases, createDistressMatcher(content.distress))));

// `kunnafoni faq search`: what the bot's FAQ search answers for a question, or for a file of questions.
//   faq search [--lang fr|en|bm] [--json] "question"
//   faq search --batch FILE [--json]      FILE: JSON lines {"q": "...", "lang": "fr"|"en"|"bm"|null}; "-" reads stdin
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatProblem } from '../common/source-problems.ts';
import { faqTitle } from '../content/labels.ts';
import { loadContent } from '../content/load.ts';
import type { Content } from '../content/schema.ts';
import { createFaqSearch, type FaqSearch } from '../content/search/index.ts';
import { type FaqSearchResult, LANGUAGES, type Lang } from '../engine/types.ts';
import { parseArgs, stringOption } from './args.ts';

export type FaqIo = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; root: string };

const USAGE = `Usage: kunnafoni faq search [--lang fr|en|bm] [--json] "question"
       kunnafoni faq search --batch FILE [--json]   (FILE: JSON lines {"q": "...", "lang": "fr"|"en"|"bm"|null})
`;

export async function faqCommand(argv: string[], io: FaqIo): Promise<number> {
  const args = parseArgs(argv, ['json']);
  const [sub, ...words] = args.positionals;
  if (sub !== 'search') return usage(io, sub ? `unknown faq command "${sub}"` : undefined);
  const json = args.options.has('json');
  const langOption = args.options.get('lang');
  const batch = stringOption(args, 'batch');
  if (langOption !== undefined && !isLang(langOption)) return usage(io, '--lang must be fr, en or bm');
  if (batch === undefined && words.length === 0) return usage(io, 'no question given');
  if (batch !== undefined && words.length > 0) return usage(io, 'give a question or --batch FILE, not both');

  const root = path.resolve(io.root, stringOption(args, 'root') ?? '.');
  const { content, problems } = await loadContent(root);
  if (!content) {
    for (const p of problems.filter((x) => x.severity === 'error')) io.stderr.write(`${formatProblem(p)}\n`);
    io.stderr.write('faq: the content has errors (run `kunnafoni validate`)\n');
    return 1;
  }
  const search = createFaqSearch(content);
  const show = (question: string, result: FaqSearchResult, lang: Lang | null) =>
    io.stdout.write(json ? `${JSON.stringify(publicShape(result))}\n` : readable(question, result, content, lang));

  if (batch === undefined) {
    const lang = (langOption as Lang | undefined) ?? null;
    const question = words.join(' ');
    show(question, search.search(question, lang), lang);
    return 0;
  }
  return runBatch(batch, root, search, io, show, json);
}

async function runBatch(
  file: string,
  root: string,
  search: FaqSearch,
  io: FaqIo,
  show: (q: string, r: FaqSearchResult, lang: Lang | null) => void,
  json = true,
): Promise<number> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(path.resolve(root, file), 'utf8');
  } catch {
    io.stderr.write(`faq: cannot read ${file}\n`);
    return 1;
  }
  let bad = 0;
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const parsed = parseLine(line);
    if ('error' in parsed) {
      bad += 1;
      io.stderr.write(`${JSON.stringify({ line: i + 1, error: parsed.error })}\n`);
      // Keep one output line per input line, so outputs still line up with inputs.
      if (json) io.stdout.write(`${JSON.stringify({ match: null, results: [], error: parsed.error })}\n`);
      return;
    }
    show(parsed.q, search.search(parsed.q, parsed.lang), parsed.lang);
  });
  return bad > 0 ? 1 : 0;
}

function parseLine(line: string): { q: string; lang: Lang | null } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: 'not valid JSON' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { error: 'expected an object {"q": ...}' };
  const { q, lang } = value as { q?: unknown; lang?: unknown };
  if (typeof q !== 'string') return { error: '"q" must be a string' };
  if (lang !== undefined && lang !== null && !isLang(lang)) return { error: '"lang" must be "fr", "en", "bm" or null' };
  return { q, lang: (lang as Lang | undefined) ?? null };
}

/** Exactly the documented output: {"match": ..., "results": [{"id": ..., "score": ...}]}. */
function publicShape(result: FaqSearchResult) {
  return { match: result.match, results: result.results.map((r) => ({ id: r.id, score: r.score })) };
}

function readable(question: string, result: FaqSearchResult, content: Content, lang: Lang | null): string {
  const shown: Lang = lang ?? 'fr';
  const lines = [`? ${question}`];
  if (result.match) lines.push(`answer: ${result.match} — ${faqTitle(content, result.match, shown)}`);
  else
    lines.push(
      result.offTopic
        ? 'no answer: looks unrelated to migrants’ rights'
        : 'no answer: not sure (offers the closest topics)',
    );
  result.results.forEach((r, i) => {
    lines.push(`  ${i + 1}. ${r.score.toFixed(3)}  ${r.id.padEnd(22)} ${faqTitle(content, r.id, shown)}`);
  });
  return `${lines.join('\n')}\n`;
}

function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

function usage(io: FaqIo, problem?: string): number {
  io.stderr.write(`${problem ? `faq: ${problem}\n` : ''}${USAGE}`);
  return 2;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// Reads content YAML files: parse with positions, validate with a zod schema, report every problem.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import {
  parseYamlSource,
  problemAt,
  type SourceProblem,
  type YamlSource,
  zodProblems,
} from '../common/source-problems.ts';
import { rememberSource } from './sources.ts';

export type Loaded<T> = { value: T; source: YamlSource };

/** `rel` is relative to the repository root (it is what problems print); `root` is that root. */
export async function readYaml(
  root: string,
  rel: string,
  required: boolean,
): Promise<{ source: YamlSource | null; problems: SourceProblem[] }> {
  let text: string;
  try {
    text = await readFile(path.join(root, rel), 'utf8');
  } catch {
    const severity = required ? 'error' : 'warning';
    return { source: null, problems: [{ file: rel, line: 1, col: 1, path: '', message: 'file not found', severity }] };
  }
  return parseYamlSource(rel, text);
}

export async function readValidated<S extends z.ZodType>(
  root: string,
  rel: string,
  schema: S,
  required = true,
): Promise<{ loaded: Loaded<z.infer<S>> | null; problems: SourceProblem[] }> {
  const { source, problems } = await readYaml(root, rel, required);
  if (!source) return { loaded: null, problems };
  const parsed = schema.safeParse(source.data);
  if (!parsed.success)
    return { loaded: null, problems: [...problems, ...zodProblems(source, parsed.error).map(plainer)] };
  if (parsed.data && typeof parsed.data === 'object') rememberSource(parsed.data, source);
  return { loaded: { value: parsed.data, source }, problems };
}

/**
 * Reads a folder of one-item-per-file YAML (content/faqs, content/contacts): each file validated on its own,
 * ids unique and equal to the file name. Items come back in file-name order.
 */
export async function readItemFolder<S extends z.ZodType<{ id: string }>>(
  root: string,
  relDir: string,
  schema: S,
  emptyIs: 'error' | 'warning' = 'error',
): Promise<{ items: Loaded<z.infer<S>>[]; problems: SourceProblem[] }> {
  const problems: SourceProblem[] = [];
  const names = await readdir(path.join(root, relDir)).catch(() => null);
  if (names === null) {
    problems.push({ file: relDir, line: 1, col: 1, path: '', message: 'folder not found', severity: 'error' });
    return { items: [], problems };
  }
  const files = names.filter((n) => /\.ya?ml$/.test(n)).sort();
  if (files.length === 0) {
    problems.push({
      file: relDir,
      line: 1,
      col: 1,
      path: '',
      message: 'no YAML files in this folder',
      severity: emptyIs,
    });
  }
  const items: Loaded<z.infer<S>>[] = [];
  const seen = new Map<string, string>();
  for (const name of files) {
    const rel = path.posix.join(relDir, name);
    const read = await readValidated(root, rel, schema);
    problems.push(...read.problems);
    if (!read.loaded) continue;
    const { value, source } = read.loaded;
    const other = seen.get(value.id);
    if (other) {
      problems.push(problemAt(source, ['id'], `duplicate id "${value.id}" (also in ${other})`));
      continue;
    }
    seen.set(value.id, rel);
    if (name.replace(/\.ya?ml$/, '') !== value.id) {
      problems.push(problemAt(source, ['id'], `id "${value.id}" differs from the file name "${name}"`));
    }
    items.push(read.loaded);
  }
  return { items, problems };
}

/** zod says "expected string, received undefined" for a field that is not there: say "missing" instead. */
function plainer(p: SourceProblem): SourceProblem {
  if (!/received undefined$/.test(p.message)) return p;
  const field = p.path.split('.').pop() ?? '';
  const why = field === 'fr' ? ' (French is required: it is shown when a translation is missing)' : '';
  return { ...p, message: `missing "${field}"${why}` };
}

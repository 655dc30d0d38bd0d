// UI strings live in locales/<lang>/<area>.json; the file name is the first part of the key
// (locales/fr/menu.json {"title": "..."} is "menu.title"). Files starting with "_" hold metadata.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseYamlSource, type SourceProblem, type YamlSource } from '../common/source-problems.ts';
import { LANGUAGES, type Lang } from '../engine/types.ts';

export type Strings = Record<string, string>;
export type LocaleSet = Record<Lang, Strings>;
/** Where each key is defined, for error messages. */
export type LocaleSources = Record<Lang, Map<string, { source: YamlSource; path: string[] }>>;

export type LocaleMeta = Partial<Record<Lang, { status?: string; note?: string }>>;

export async function loadLocales(
  root: string,
): Promise<{ strings: LocaleSet; sources: LocaleSources; meta: LocaleMeta; problems: SourceProblem[] }> {
  const strings = Object.fromEntries(LANGUAGES.map((l) => [l, {}])) as LocaleSet;
  const sources = Object.fromEntries(LANGUAGES.map((l) => [l, new Map()])) as LocaleSources;
  const meta: LocaleMeta = {};
  const problems: SourceProblem[] = [];
  for (const lang of LANGUAGES) {
    const dir = path.join(root, 'locales', lang);
    const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
    for (const file of files) {
      const rel = path.relative(root, path.join(dir, file));
      const parsed = parseYamlSource(rel, await readFile(path.join(dir, file), 'utf8'));
      problems.push(...parsed.problems);
      if (!parsed.source) continue;
      if (file.startsWith('_')) {
        meta[lang] = parsed.source.data as { status?: string };
        continue;
      }
      const area = file.replace(/\.json$/, '');
      flatten(parsed.source.data, [area], (key, value, p) => {
        if (typeof value !== 'string') {
          problems.push({
            file: rel,
            line: 1,
            col: 1,
            path: p.join('.'),
            message: 'values must be text',
            severity: 'error',
          });
          return;
        }
        strings[lang][key] = value;
        sources[lang].set(key, { source: parsed.source!, path: p });
      });
    }
  }
  return { strings, sources, meta, problems };
}

function flatten(
  value: unknown,
  prefix: string[],
  visit: (key: string, value: unknown, jsonPath: string[]) => void,
): void {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, [...prefix, k], visit);
    return;
  }
  visit(prefix.join('.'), value, prefix.slice(1));
}

// Loads flows/*.yaml: parse with positions, validate with the zod schema, then cross-check every reference.
// Every problem is collected (never only the first), each with its file, line, column and path.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  parseYamlSource,
  problemAt,
  type SourceProblem,
  sortProblems,
  zodProblems,
} from '../common/source-problems.ts';
import { LANGUAGES } from '../engine/types.ts';
import { checkFlows, type FlowCheckContext } from './check.ts';
import type { LoadedFlow } from './loaded-flow.ts';
import { type Flow, FlowFileSchema, type FlowSet } from './schema.ts';

export type FlowLoadResult = {
  flowSet: FlowSet | null;
  /** Texts written inline in flows, under generated keys, per language (merged into i18n). */
  inlineTexts: Record<string, Record<string, string>>;
  problems: SourceProblem[];
};

export async function readFlowFiles(root: string): Promise<{ loaded: LoadedFlow[]; problems: SourceProblem[] }> {
  const dir = path.join(root, 'flows');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((f) => /\.ya?ml$/.test(f)).sort();
  const loaded: LoadedFlow[] = [];
  const problems: SourceProblem[] = [];
  if (names.length === 0) {
    problems.push({ file: 'flows', line: 1, col: 1, path: '', message: 'no flow files found', severity: 'error' });
  }
  const seen = new Map<string, string>();
  for (const name of names) {
    const rel = path.join('flows', name);
    const { source, problems: syntax } = parseYamlSource(rel, await readFile(path.join(dir, name), 'utf8'));
    problems.push(...syntax);
    if (!source) continue;
    const parsed = FlowFileSchema.safeParse(source.data);
    if (!parsed.success) {
      problems.push(...zodProblems(source, parsed.error));
      continue;
    }
    const flow = parsed.data;
    const other = seen.get(flow.id);
    if (other) {
      problems.push(problemAt(source, ['id'], `duplicate flow id "${flow.id}" (also in ${other})`));
      continue;
    }
    seen.set(flow.id, rel);
    if (name.replace(/\.ya?ml$/, '') !== flow.id) {
      problems.push(problemAt(source, ['id'], `flow id "${flow.id}" differs from its file name`, 'warning'));
    }
    loaded.push({ flow, source });
  }
  return { loaded, problems };
}

export async function loadFlows(root: string, context: FlowCheckContext): Promise<FlowLoadResult> {
  const { loaded, problems } = await readFlowFiles(root);
  const checked = checkFlows(loaded, context);
  problems.push(...checked.problems);
  const inlineTexts: Record<string, Record<string, string>> = Object.fromEntries(LANGUAGES.map((l) => [l, {}]));
  for (const item of loaded) extractInlineTexts(item.flow, inlineTexts);
  const hasErrors = problems.some((p) => p.severity === 'error');
  const flowSet: FlowSet | null = hasErrors ? null : deepFreeze(checked.flowSet);
  return { flowSet, inlineTexts, problems: sortProblems(problems) };
}

/** Replaces inline per-language texts with generated i18n keys, so the engine only ever deals in keys. */
function extractInlineTexts(flow: Flow, out: Record<string, Record<string, string>>): void {
  const register = (text: unknown, key: string): unknown => {
    if (text && typeof text === 'object' && 'fr' in text) {
      for (const [lang, value] of Object.entries(text as Record<string, string>)) out[lang]![key] = value;
      return key;
    }
    return text;
  };
  for (const [nodeId, node] of Object.entries(flow.nodes)) {
    const base = `flows.${flow.id}.${nodeId}`;
    if (Array.isArray(node.say)) node.say = node.say.map((t, i) => register(t, `${base}.say${i}`) as string);
    else if (node.say) node.say = register(node.say, `${base}.say0`) as string;
    if (node.ask?.prompt) node.ask.prompt = register(node.ask.prompt, `${base}.prompt`) as string;
    if (node.ask?.explain) node.ask.explain = register(node.ask.explain, `${base}.explain`) as string;
    for (const choice of node.ask?.choices ?? []) {
      choice.label = register(choice.label, `${base}.choice-${choice.id}`) as string;
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

// Problems found in a YAML source file, reported as `file:line:col path: message`
// so an editor (or a person) can jump to the exact place.
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { ZodError } from 'zod';

export type Severity = 'error' | 'warning';

export type SourceProblem = {
  file: string;
  line: number;
  col: number;
  /** Dotted path inside the document, e.g. `nodes.ask-consent.next`. */
  path: string;
  message: string;
  severity: Severity;
};

export type YamlSource = {
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  data: unknown;
};

export type PathPart = string | number;

export function formatProblem(p: SourceProblem): string {
  const where = `${p.file}:${p.line}:${p.col}`;
  const prefix = p.severity === 'warning' ? 'warning: ' : '';
  return `${where} ${p.path ? `${p.path}: ` : ''}${prefix}${p.message}`;
}

export function pathString(path: readonly PathPart[]): string {
  return path.map(String).join('.');
}

/** Parses YAML keeping positions; syntax errors come back as problems with their line and column. */
export function parseYamlSource(file: string, text: string): { source: YamlSource | null; problems: SourceProblem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: SourceProblem[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    return {
      file,
      line: pos.line,
      col: pos.col,
      path: '',
      message: `invalid YAML: ${e.message.split('\n')[0]}`,
      severity: 'error',
    };
  });
  if (problems.length > 0) return { source: null, problems };
  return { source: { file, doc, lineCounter, data: doc.toJS() }, problems };
}

/** Line and column of the deepest node that exists along `path` (the key itself when `onKey`). */
export function locate(source: YamlSource, path: readonly PathPart[], onKey = false): { line: number; col: number } {
  let node: Node | null = source.doc.contents as Node | null;
  let keyNode: Node | null = null;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === String(part));
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value as Node | null;
      if (!node) {
        node = keyNode;
        break;
      }
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part] as Node | undefined;
      if (!item) break;
      keyNode = null;
      node = item;
    } else {
      break;
    }
  }
  const target = onKey && keyNode ? keyNode : node;
  const offset = target?.range?.[0] ?? 0;
  const pos = source.lineCounter.linePos(offset);
  return { line: pos.line, col: pos.col };
}

export function problemAt(
  source: YamlSource,
  path: readonly PathPart[],
  message: string,
  severity: Severity = 'error',
  onKey = false,
): SourceProblem {
  const { line, col } = locate(source, path, onKey);
  return { file: source.file, line, col, path: pathString(path), message, severity };
}

/** One problem per zod issue, placed where the issue points in the YAML. */
export function zodProblems(source: YamlSource, error: ZodError): SourceProblem[] {
  const out: SourceProblem[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push(problemAt(source, [...path, key], `unknown field "${key}"`, 'error', true));
      }
      continue;
    }
    if (issue.code === 'invalid_key') {
      // A record key (a node id, a keyword id...) that breaks the id rule: point at the key itself.
      const detail = (issue as unknown as { issues?: { message: string }[] }).issues?.[0]?.message ?? issue.message;
      out.push(problemAt(source, path, `invalid id: ${detail}`, 'error', true));
      continue;
    }
    if (issue.code === 'invalid_union') {
      // Report the branch that went furthest rather than "invalid input".
      const branches = issue.errors as unknown as { path: PropertyKey[]; message: string }[][];
      const best = branches.map((b) => b[0]).filter((b) => b !== undefined)[0];
      const deepest = branches
        .flat()
        .sort((a, b) => b.path.length - a.path.length)
        .find(() => true);
      const detail = deepest && deepest.path.length > 0 ? deepest : best;
      if (detail) {
        const full = [...path, ...detail.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
        out.push(problemAt(source, full, detail.message));
        continue;
      }
    }
    out.push(problemAt(source, path, issue.message));
  }
  return out;
}

export function sortProblems(problems: SourceProblem[]): SourceProblem[] {
  return [...problems].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col);
}

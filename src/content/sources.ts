// Remembers which YAML file (and node) each loaded content object came from, so checks that run later
// (e.g. `validate --strict` against today's date) can still point at file:line:col.
import {
  type PathPart,
  problemAt,
  type Severity,
  type SourceProblem,
  type YamlSource,
} from '../common/source-problems.ts';

const origins = new WeakMap<object, { source: YamlSource; path: readonly PathPart[] }>();

export function rememberSource(item: object, source: YamlSource, path: readonly PathPart[] = []): void {
  origins.set(item, { source, path });
}

/** A problem placed inside the file `item` was loaded from; `fallbackFile` when it was built in memory. */
export function problemIn(
  item: object,
  fallbackFile: string,
  path: readonly PathPart[],
  message: string,
  severity: Severity = 'error',
): SourceProblem {
  const origin = origins.get(item);
  if (!origin) return { file: fallbackFile, line: 1, col: 1, path: path.map(String).join('.'), message, severity };
  return problemAt(origin.source, [...origin.path, ...path], message, severity);
}

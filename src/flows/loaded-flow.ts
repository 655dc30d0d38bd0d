// A flow file as read from disk: the validated flow and its source (for file:line:col problems). A leaf, so the
// loader (which reads files) and the checker (which reports on them) both use it without importing each other.
import type { YamlSource } from '../common/source-problems.ts';
import type { Flow } from './schema.ts';

export type LoadedFlow = { flow: Flow; source: YamlSource };

// What an action is: a registered unit with its schema (the flow format), its load-time check and its execution
// (goflow's pattern). Adding an action is one file here, its entry in index.ts, and its test data in
// test/fixtures/engine/actions/<name>.json.
import { z } from 'zod';
import type { Effect, Env, Session } from '../types.ts';

/** What an action may do while the engine runs a node. */
export interface ActionRun {
  readonly session: Session;
  readonly env: Env;
  /** The value with "{{variable}}" placeholders filled from the session. */
  fill(template: string): string;
  say(key: string, params?: Record<string, string>): void;
  emit(effect: Effect): void;
}

/** What an action may check when the flows are loaded. */
export interface ActionCheck {
  faqIds: ReadonlySet<string>;
  topicIds: ReadonlySet<string>;
  /** Reports an error at a path inside the action's value. */
  problem(path: (string | number)[], message: string): void;
}

export type ActionDef<N extends string, S extends z.ZodType> = {
  name: N;
  schema: S;
  /** One line for flow authors (shown by editors through the JSON Schema). */
  description: string;
  check?(value: z.output<S>, ctx: ActionCheck): void;
  run(value: z.output<S>, ctx: ActionRun): void;
};

export function defineAction<N extends string, S extends z.ZodType>(def: ActionDef<N, S>): ActionDef<N, S> {
  return def;
}

/** A value, or "{{variable}}". */
export const template = z.string().describe('A value, or "{{variable}}"');

export const varName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'variable names are lower-case words joined by "_"');

export function isLiteral(value: string): boolean {
  return !value.includes('{{');
}

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

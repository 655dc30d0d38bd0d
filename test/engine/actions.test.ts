// Per-action test data (goflow style): for every registered action, test/fixtures/engine/actions/<name>.json lists
// an action as written in a flow, the session before, and the effects and session after. An action without test
// data fails here. After a deliberate change, `npm run golden` rewrites them: review the diff.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_NAMES, ActionSchema, runAction } from '../../src/engine/actions/index.ts';
import { fillTemplate } from '../../src/engine/template.ts';
import { type Effect, newSession, type Session } from '../../src/engine/types.ts';
import { env } from './fixture.ts';

type Case = {
  description: string;
  action: unknown;
  before?: Partial<Session>;
  effects?: Effect[];
  after?: Partial<Session>;
};

const DIR = path.resolve(import.meta.dirname, '../fixtures/engine/actions');

function run(c: Case): { effects: Effect[]; after: Partial<Session> } {
  const session: Session = { ...newSession(), ...structuredClone(c.before ?? {}) };
  const effects: Effect[] = [];
  const action = ActionSchema.parse(c.action);
  runAction(action, {
    session,
    env: env(),
    fill: (v) => fillTemplate(v, session.vars),
    say: (key, params) => effects.push({ type: 'say', key, ...(params ? { params } : {}) }),
    emit: (effect) => effects.push(effect),
  });
  const { v: _v, askVersion: _a, retries: _r, ...after } = session;
  return { effects, after };
}

describe('per-action test data', () => {
  for (const name of ACTION_NAMES) {
    it(name, () => {
      const file = path.join(DIR, `${name}.json`);
      expect(existsSync(file), `test data for the action "${name}" (${file})`).toBe(true);
      const data = JSON.parse(readFileSync(file, 'utf8')) as { cases: Case[] };
      expect(data.cases.length).toBeGreaterThan(0);
      const actual = data.cases.map((c) => ({ ...c, ...run(c) }));
      if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, `${JSON.stringify({ cases: actual }, null, 2)}\n`);
      for (const c of data.cases) expect(c.action).toHaveProperty(name);
      expect(actual).toEqual(data.cases);
    });
  }
});

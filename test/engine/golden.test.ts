// Golden transcripts in the style of goflow's test data: each file lists inputs and the exact effects expected.
// After a deliberate change of behaviour, regenerate with UPDATE_GOLDEN=1 and review the diff.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { step } from '../../src/engine/step.ts';
import { type Effect, type Input, newSession } from '../../src/engine/types.ts';
import type { FlowSet } from '../../src/flows/schema.ts';
import { env, fixtureFlows } from './fixture.ts';

type Transcript = { description: string; steps: { input: Input; effects: Effect[] }[] };

const DIR = path.resolve(import.meta.dirname, '../fixtures/golden');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

let flows: FlowSet;
beforeAll(async () => {
  flows = await fixtureFlows();
});

describe('golden transcripts', () => {
  it('has transcripts to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of files) {
    it(file, () => {
      const transcript = JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Transcript;
      let session = newSession();
      const actual = transcript.steps.map(({ input }) => {
        const r = step(flows, session, input, env());
        session = r.session;
        return { input, effects: r.effects };
      });
      if (process.env.UPDATE_GOLDEN === '1') {
        writeFileSync(path.join(DIR, file), `${JSON.stringify({ ...transcript, steps: actual }, null, 2)}\n`);
      }
      expect(actual).toEqual(transcript.steps);
    });
  }
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowJsonSchema } from '../../src/flows/schema.ts';
import { REPO_ROOT } from '../support/app.ts';

describe('flow JSON Schema', () => {
  it('the committed schema/flow.schema.json matches the zod schema (run `npx kunnafoni schema --out schema/flow.schema.json`)', () => {
    const committed = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schema/flow.schema.json'), 'utf8'));
    expect(committed).toEqual(flowJsonSchema());
  });

  it('every shipped flow file points editors at it', () => {
    for (const name of ['main', 'rights', 'question', 'near-me', 'referral', 'alerts', 'my-data']) {
      const text = readFileSync(path.join(REPO_ROOT, 'flows', `${name}.yaml`), 'utf8');
      expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/flow.schema.json');
    }
  });

  it('describes nodes, actions and targets for autocompletion', () => {
    const text = JSON.stringify(flowJsonSchema());
    for (const word of ['show_faq', 'search_faq', 'erase_my_data', 'on_text', 'keywords', 'deeplinks'])
      expect(text).toContain(word);
  });
});

// Flow diagrams: every node and every route of a flow is drawn, in Mermaid syntax a viewer accepts.
import { describe, expect, test } from 'vitest';
import { flowGraph, flowToMermaid } from '../../src/flows/diagram.ts';
import type { Flow } from '../../src/flows/schema.ts';
import { shippedBundle } from '../support/app.ts';

const FLOW: Flow = {
  id: 'demo',
  start: 'ask-need',
  nodes: {
    'ask-need': {
      say: 'demo.hello',
      ask: {
        type: 'choice',
        choices: [
          { id: 'food', label: 'demo.food', next: 'check' },
          { id: 'home', label: 'demo.home', next: 'main:menu' },
        ],
        on_text: 'question:search',
      },
    },
    check: {
      switch: { on: 'region', cases: { bamako: 'demo:end', 'say "hi"': 'end' }, default: 'ask-need' },
    },
    end: { say: 'demo.bye', end: true },
  },
};

describe('flowGraph', () => {
  test('lists every node and every route, resolving "this-flow:node" to the local node', () => {
    const g = flowGraph(FLOW);
    expect(g.nodes.map((n) => n.id)).toEqual(['ask-need', 'check', 'end']);
    expect(g.edges).toEqual([
      { from: 'ask-need', to: 'check', kind: 'choice', label: 'food', external: false },
      { from: 'ask-need', to: 'main:menu', kind: 'choice', label: 'home', external: true },
      { from: 'ask-need', to: 'question:search', kind: 'text', label: 'free text', external: true },
      { from: 'check', to: 'end', kind: 'case', label: 'bamako', external: false },
      { from: 'check', to: 'end', kind: 'case', label: 'say "hi"', external: false },
      { from: 'check', to: 'ask-need', kind: 'default', label: 'other', external: false },
    ]);
  });
});

describe('flowToMermaid', () => {
  test('draws nodes by kind, other flows as subroutines, and escapes quotes', () => {
    const text = flowToMermaid(FLOW);
    expect(text.split('\n')).toEqual([
      'flowchart TD',
      '  start_((demo)) --> n_ask_need',
      '  n_ask_need("ask-need<br/>say<br/>ask choice")',
      '  n_check{"check<br/>switch region"}',
      '  n_end(["end<br/>say<br/>end"])',
      '  x_main__menu[["main:menu"]]',
      '  x_question__search[["question:search"]]',
      '  n_ask_need -->|"food"| n_check',
      '  n_ask_need -->|"home"| x_main__menu',
      '  n_ask_need -->|"free text"| x_question__search',
      '  n_check -->|"bamako"| n_end',
      '  n_check -->|"say #quot;hi#quot;"| n_end',
      '  n_check -->|"other"| n_ask_need',
      '',
    ]);
  });

  test('every shipped flow: each node is drawn once and each arrow ends at a drawn node', async () => {
    const bundle = await shippedBundle();
    for (const flow of Object.values(bundle.flows.flows)) {
      const lines = flowToMermaid(flow).split('\n');
      const declared = new Set(lines.map((l) => /^ {2}([nx]_\w+)[[({]/.exec(l)?.[1]).filter(Boolean));
      expect(declared.size, flow.id).toBeGreaterThanOrEqual(Object.keys(flow.nodes).length);
      for (const id of Object.keys(flow.nodes)) {
        expect(
          lines.filter(
            (l) =>
              l.startsWith(`  n_${id.replace(/-/g, '_')}(`) ||
              l.startsWith(`  n_${id.replace(/-/g, '_')}[`) ||
              l.startsWith(`  n_${id.replace(/-/g, '_')}{`),
          ),
          `${flow.id}:${id}`,
        ).toHaveLength(1);
      }
      for (const line of lines.filter((l) => l.includes('-->'))) {
        const target = line.trim().split(' ').at(-1)!;
        expect(declared.has(target), `${flow.id}: ${line}`).toBe(true);
      }
    }
  });
});

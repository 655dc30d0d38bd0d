// A flow drawn as a graph, for people who edit flows without reading YAML: `flowGraph` lists nodes and edges,
// `flowToMermaid` writes them as a Mermaid flowchart (`kunnafoni diagram`, and the staff console's content page).
// Pure: no I/O, same output for the same flow.
import { actionName } from '../engine/actions/index.ts';
import { type Flow, type FlowNode, parseTarget, RETURN_TARGET } from './schema.ts';

export type EdgeKind = 'next' | 'choice' | 'answer' | 'text' | 'cancel' | 'case' | 'default';

export type GraphNode = {
  id: string;
  /** What the node does, in order: say, do (actions), ask (kind), switch (variable), end. */
  does: string[];
  shape: 'step' | 'question' | 'switch' | 'end';
};

export type GraphEdge = {
  from: string;
  /** A node of this flow, or `flow:node` of another. */
  to: string;
  kind: EdgeKind;
  label?: string;
  /** True when `to` is in another flow. */
  external: boolean;
};

export type FlowGraph = { flow: string; start: string; nodes: GraphNode[]; edges: GraphEdge[] };

function describe(node: FlowNode): { does: string[]; shape: GraphNode['shape'] } {
  const does: string[] = [];
  if (node.say !== undefined) does.push('say');
  for (const action of node.do ?? []) does.push(actionName(action));
  if (node.ask) does.push(node.ask.from ? `ask ${node.ask.type}: ${node.ask.from}` : `ask ${node.ask.type}`);
  if (node.switch) does.push(`switch ${node.switch.on}`);
  if (node.end) does.push('end');
  const shape = node.ask ? 'question' : node.switch ? 'switch' : node.end ? 'end' : 'step';
  return { does, shape };
}

export function flowGraph(flow: Flow): FlowGraph {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const local = (target: string) => {
    if (target === RETURN_TARGET) return { to: target, external: true };
    const { flow: to, node } = parseTarget(target, flow.id);
    return to === flow.id ? { to: node, external: false } : { to: target, external: true };
  };
  const edge = (from: string, target: string | undefined, kind: EdgeKind, label?: string) => {
    if (!target) return;
    edges.push({ from, ...local(target), kind, ...(label !== undefined ? { label } : {}) });
  };

  for (const [id, node] of Object.entries(flow.nodes)) {
    nodes.push({ id, ...describe(node) });
    const ask = node.ask;
    if (ask) {
      for (const choice of ask.choices ?? []) edge(id, choice.next ?? ask.next, 'choice', choice.id);
      if (ask.from || ask.type !== 'choice' || !ask.choices?.length) edge(id, ask.next, 'answer');
      edge(id, ask.on_text, 'text', 'free text');
      edge(id, ask.cancel, 'cancel', 'cancel');
    }
    if (node.switch) {
      for (const [value, target] of Object.entries(node.switch.cases)) edge(id, target, 'case', value);
      edge(id, node.switch.default, 'default', 'other');
    }
    edge(id, node.next, 'next');
  }
  // Choices falling through to ask.next and a plain ask.next can draw the same arrow twice: keep one.
  const seen = new Set<string>();
  const unique = edges.filter((e) => {
    const key = `${e.from}>${e.to}>${e.kind}>${e.label ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { flow: flow.id, start: flow.start, nodes, edges: unique };
}

/** Mermaid ids are kept to letters, digits and _ (ids such as "end" or with "-" confuse its parser). */
function mermaidId(target: string, external: boolean): string {
  const safe = target.replace(/[^a-z0-9]/g, (c) => (c === '-' ? '_' : c === ':' ? '__' : ''));
  return external ? `x_${safe}` : `n_${safe}`;
}

/** Text inside Mermaid quotes: quotes and angle brackets as Mermaid entities. */
function mermaidText(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

const SHAPES: Record<GraphNode['shape'], [string, string]> = {
  step: ['[', ']'],
  question: ['(', ')'],
  switch: ['{', '}'],
  end: ['([', '])'],
};

export function flowToMermaid(flow: Flow): string {
  const graph = flowGraph(flow);
  const lines = ['flowchart TD', `  start_((${mermaidText(flow.id)})) --> ${mermaidId(graph.start, false)}`];
  for (const node of graph.nodes) {
    const [open, close] = SHAPES[node.shape];
    const label = [node.id, ...node.does].map(mermaidText).join('<br/>');
    lines.push(`  ${mermaidId(node.id, false)}${open}"${label}"${close}`);
  }
  const externals = [...new Set(graph.edges.filter((e) => e.external).map((e) => e.to))];
  for (const target of externals) lines.push(`  ${mermaidId(target, true)}[["${mermaidText(target)}"]]`);
  for (const e of graph.edges) {
    const label = e.label !== undefined ? `|"${mermaidText(e.label)}"|` : '';
    lines.push(`  ${mermaidId(e.from, false)} -->${label} ${mermaidId(e.to, e.external)}`);
  }
  return `${lines.join('\n')}\n`;
}

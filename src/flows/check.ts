// Cross-checks of loaded flows: every target, i18n key, FAQ and topic id must exist;
// unreachable nodes and loops that never wait for input are warned about.
import { type PathPart, problemAt, type SourceProblem } from '../common/source-problems.ts';
import { isLiteral } from '../engine/actions/action.ts';
import { checkAction } from '../engine/actions/index.ts';
import { DRAFT_LANGUAGES, LANGUAGES, type Lang } from '../engine/types.ts';
import type { LoadedFlow } from './loaded-flow.ts';
import {
  type Flow,
  type FlowSet,
  type FlowText,
  MAIN_FLOW,
  MENU_NODE,
  parseTarget,
  RETURN_TARGET,
  ROUTE_NAMES,
  type Target,
} from './schema.ts';

export type FlowCheckContext = {
  hasKey(lang: Lang, key: string): boolean;
  faqIds: ReadonlySet<string>;
  topicIds: ReadonlySet<string>;
};

type NodeRef = `${string}:${string}`;

export function checkFlows(
  loaded: LoadedFlow[],
  context: FlowCheckContext,
): { flowSet: FlowSet; problems: SourceProblem[] } {
  const problems: SourceProblem[] = [];
  const byId = new Map(loaded.map((l) => [l.flow.id, l]));
  const edges = new Map<NodeRef, { to: NodeRef; waits: boolean }[]>();
  const roots: NodeRef[] = [];
  const keywords: FlowSet['keywords'][number][] = [];
  const deeplinks: FlowSet['deeplinks'][number][] = [];
  const routes: { -readonly [K in keyof FlowSet['routes']]: FlowSet['routes'][K] } = {};

  const resolve = (target: Target, from: Flow): NodeRef | null => {
    const { flow: flowId, node: nodeId } = parseTarget(target, from.id);
    const flow = byId.get(flowId)?.flow;
    return flow?.nodes[nodeId] ? `${flowId}:${nodeId}` : null;
  };

  for (const { flow, source } of loaded) {
    const at = (path: PathPart[], message: string, severity: 'error' | 'warning' = 'error') =>
      problems.push(problemAt(source, path, message, severity));

    const target = (path: PathPart[], value: Target | undefined, from?: NodeRef, waits = false) => {
      // "return" goes back to where the person was: it has no fixed node.
      if (value === undefined || value === RETURN_TARGET) return;
      const ref = resolve(value, flow);
      if (!ref) {
        const to = parseTarget(value, flow.id);
        const what = !byId.has(to.flow) ? `unknown flow "${to.flow}"` : `unknown node "${value}"`;
        at(path, what);
        return;
      }
      if (from) edges.get(from)!.push({ to: ref, waits });
      else roots.push(ref);
    };

    const text = (path: PathPart[], value: FlowText | undefined) => {
      if (value === undefined) return;
      if (typeof value === 'string' || 'key' in value) {
        const key = typeof value === 'string' ? value : value.key;
        for (const lang of LANGUAGES) {
          if (!context.hasKey(lang, key)) {
            at(path, `i18n key "${key}" is missing in ${lang}`, DRAFT_LANGUAGES.includes(lang) ? 'warning' : 'error');
          }
        }
        return;
      }
      for (const lang of LANGUAGES) {
        if (!(value as Partial<Record<Lang, string>>)[lang]) {
          at(path, `inline text has no ${lang} version`, DRAFT_LANGUAGES.includes(lang) ? 'warning' : 'error');
        }
      }
    };

    if (!flow.nodes[flow.start]) at(['start'], `unknown node "${flow.start}"`);
    else roots.push(`${flow.id}:${flow.start}`);

    for (const [nodeId, node] of Object.entries(flow.nodes)) {
      const here: NodeRef = `${flow.id}:${nodeId}`;
      edges.set(here, []);
      const base: PathPart[] = ['nodes', nodeId];
      const says = node.say === undefined ? [] : Array.isArray(node.say) ? node.say : [node.say];
      says.forEach((t, i) => {
        text(Array.isArray(node.say) ? [...base, 'say', i] : [...base, 'say'], t);
      });

      if (!node.ask && !node.next && !node.switch && !node.end) {
        at(base, 'a node must ask something, go somewhere (next or switch) or end');
      }
      if (node.ask && (node.next || node.switch || node.end)) {
        at(base, 'a node that asks routes through its answers: put next inside ask or on the choices');
      }
      target([...base, 'next'], node.next, here);
      if (node.switch) {
        for (const [value, t] of Object.entries(node.switch.cases))
          target([...base, 'switch', 'cases', value], t, here);
        target([...base, 'switch', 'default'], node.switch.default, here);
      }

      node.do?.forEach((action, i) => {
        const path = [...base, 'do', i, Object.keys(action)[0] ?? ''];
        checkAction(action, {
          faqIds: context.faqIds,
          topicIds: context.topicIds,
          problem: (inner, message) => at([...path, ...inner], message),
        });
      });

      const ask = node.ask;
      if (!ask) continue;
      const askPath = [...base, 'ask'];
      text([...askPath, 'prompt'], ask.prompt);
      text([...askPath, 'explain'], ask.explain);
      target([...askPath, 'next'], ask.next, here, true);
      target([...askPath, 'on_text'], ask.on_text, here, true);
      target([...askPath, 'cancel'], ask.cancel, here, true);
      if (ask.type === 'choice' && !ask.choices?.length && !ask.from) {
        at(askPath, 'a choice question needs "choices" or "from"');
      }
      if (ask.from === 'faqs' && !ask.topic) at(askPath, '"from: faqs" needs "topic"');
      if (ask.from && !ask.next && !ask.choices?.some((c) => c.next)) {
        at(askPath, `choices "from: ${ask.from}" need "next"`);
      }
      if (ask.type !== 'choice' && !ask.next) at(askPath, `a ${ask.type} question needs "next"`);
      if (ask.optional && !ask.next) at(askPath, '"optional" needs "next" (where "skip" goes)');
      const ids = new Set<string>();
      ask.choices?.forEach((choice, i) => {
        const path = [...askPath, 'choices', i];
        if (ids.has(choice.id)) at([...path, 'id'], `duplicate choice id "${choice.id}"`);
        ids.add(choice.id);
        text([...path, 'label'], choice.label);
        if (!choice.next && !ask.next) at(path, `choice "${choice.id}" has no next and the question has none`);
        target([...path, 'next'], choice.next, here, true);
        for (const [name, value] of Object.entries(choice.set ?? {})) {
          if (name === 'faq' && isLiteral(value) && !context.faqIds.has(value)) {
            at([...path, 'set', name], `unknown FAQ "${value}"`);
          }
        }
      });
    }

    for (const [id, keyword] of Object.entries(flow.keywords ?? {})) {
      const path: PathPart[] = ['keywords', id];
      if (keywords.some((k) => k.id === id)) at(path, `duplicate keyword "${id}"`);
      for (const lang of LANGUAGES) {
        if (DRAFT_LANGUAGES.includes(lang) || keyword.words[lang]?.length) continue;
        at([...path, 'words'], `keyword "${id}" has no ${lang} words`);
      }
      target([...path, 'goto'], keyword.goto);
      keywords.push({ id, keyword, flow: flow.id });
    }
    for (const name of ROUTE_NAMES) {
      const route = flow.routes?.[name];
      if (!route) continue;
      if (flow.id !== MAIN_FLOW) at(['routes', name], `routes are declared in the "${MAIN_FLOW}" flow`);
      target(['routes', name, 'goto'], route.goto);
      routes[name] = { ...route, flow: flow.id };
    }
    if (flow.routes?.confused) routes.confused = Object.values(flow.routes.confused.words).flat();
    flow.deeplinks?.forEach((link, i) => {
      target(['deeplinks', i, 'goto'], link.goto);
      deeplinks.push({ link, flow: flow.id });
    });
  }

  const main = byId.get(MAIN_FLOW);
  if (!main) {
    const anyFlow = loaded[0];
    if (anyFlow) problems.push(problemAt(anyFlow.source, [], `the flow "${MAIN_FLOW}" is missing (it holds the menu)`));
  } else if (!main.flow.nodes[MENU_NODE]) {
    problems.push(problemAt(main.source, ['nodes'], `the main flow needs a "${MENU_NODE}" node`));
  } else {
    roots.push(`${MAIN_FLOW}:${MENU_NODE}`);
  }

  problems.push(...graphWarnings(loaded, edges, roots));
  const flows = Object.fromEntries(loaded.map((l) => [l.flow.id, l.flow]));
  return { flowSet: { flows, keywords, deeplinks, routes }, problems };
}

function graphWarnings(
  loaded: LoadedFlow[],
  edges: Map<NodeRef, { to: NodeRef; waits: boolean }[]>,
  roots: NodeRef[],
): SourceProblem[] {
  const problems: SourceProblem[] = [];
  const sourceOf = new Map(loaded.map((l) => [l.flow.id, l.source]));
  const reached = new Set<NodeRef>();
  const queue = [...roots];
  while (queue.length > 0) {
    const ref = queue.pop()!;
    if (reached.has(ref)) continue;
    reached.add(ref);
    for (const e of edges.get(ref) ?? []) queue.push(e.to);
  }
  for (const ref of edges.keys()) {
    if (reached.has(ref)) continue;
    const [flowId, nodeId] = ref.split(':') as [string, string];
    problems.push(
      problemAt(sourceOf.get(flowId)!, ['nodes', nodeId], `node "${nodeId}" is never reached`, 'warning', true),
    );
  }

  // A cycle through nodes that never ask would spin until the step bound: find them.
  const state = new Map<NodeRef, 'visiting' | 'done'>();
  const reported = new Set<NodeRef>();
  const visit = (ref: NodeRef, stack: NodeRef[]) => {
    state.set(ref, 'visiting');
    for (const e of edges.get(ref) ?? []) {
      if (e.waits) continue;
      const s = state.get(e.to);
      if (s === 'visiting' && !reported.has(e.to)) {
        const cycle = [...stack.slice(stack.indexOf(e.to)), e.to];
        reported.add(e.to);
        const [flowId, nodeId] = e.to.split(':') as [string, string];
        problems.push(
          problemAt(
            sourceOf.get(flowId)!,
            ['nodes', nodeId],
            `loop that never waits for input: ${cycle.join(' -> ')}`,
            'warning',
            true,
          ),
        );
      } else if (!s) {
        visit(e.to, [...stack, e.to]);
      }
    }
    state.set(ref, 'done');
  };
  for (const ref of edges.keys()) if (!state.has(ref)) visit(ref, [ref]);
  return problems;
}

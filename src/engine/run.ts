// One step's working state (the session being changed, the effects so far) and the moves every part of the engine
// makes with it: entering nodes and running them, resolving targets, asking again, saying, and failing gently.
import type { FlowAsk, FlowNode, FlowSet, FlowText, Target } from '../flows/schema.ts';
import { MAIN_FLOW, MENU_NODE, parseTarget, RETURN_TARGET } from '../flows/schema.ts';
import { type ActionRun, runAction } from './actions/index.ts';
import { choicesOf, type QuestionChoices, type ResolvedChoice, textRef, visibleChoices } from './ask-choices.ts';
import type { ChoiceCandidate } from './choices.ts';
import { MAX_STEPS_PER_INPUT } from './limits.ts';
import { fillTemplate } from './template.ts';
import { type Effect, type Env, NO_FACTS, type Session } from './types.ts';

export type Position = { flow: string; node: string };

export class Run {
  readonly effects: Effect[] = [];
  private steps = 0;
  private readonly actionRun: ActionRun;

  constructor(
    readonly flows: FlowSet,
    readonly session: Session,
    readonly env: Env,
  ) {
    this.actionRun = {
      session,
      env,
      fill: (v) => fillTemplate(v, session.vars),
      say: (key, params) => this.say(key, params),
      emit: (effect) => {
        this.effects.push(effect);
      },
    };
  }

  /** Leaves the current question for a while: `return` brings the person back to it. */
  detour(target: Position): void {
    const s = this.session;
    const here =
      s.flow && s.node && this.node({ flow: s.flow, node: s.node })?.ask ? { flow: s.flow, node: s.node } : null;
    s.retries = 0;
    if (here && !(here.flow === MAIN_FLOW && here.node === MENU_NODE)) s.back = here;
    else delete s.back;
    this.enter(target);
  }

  reAsk(): void {
    const s = this.session;
    const node = this.node({ flow: s.flow!, node: s.node! });
    if (node?.ask) this.emitAsk(node.ask);
  }

  enter(first: Position): void {
    let target: Position | null = first;
    while (target) {
      this.steps += 1;
      if (this.steps > MAX_STEPS_PER_INPUT) return this.brokenFlow('loop', `${target.flow}:${target.node}`);
      const node = this.node(target);
      if (!node) return this.brokenFlow('unknown_node', `${target.flow}:${target.node}`);
      const s = this.session;
      s.flow = target.flow;
      s.node = target.node;
      // Back at the menu, nothing is pending any more.
      if (target.flow === MAIN_FLOW && target.node === MENU_NODE) delete s.back;
      target = this.runNode(node);
    }
  }

  /** Runs a node; returns where to go next, or null when it waits for input or ends. */
  private runNode(node: FlowNode): Position | null {
    const s = this.session;
    for (const text of asArray(node.say)) this.sayText(text);
    for (const action of node.do ?? []) runAction(action, this.actionRun);
    if (node.ask) {
      s.askVersion += 1;
      s.retries = 0;
      delete s.page;
      this.emitAsk(node.ask);
      return null;
    }
    if (node.switch) {
      const value = this.switchValue(node.switch.on);
      return this.resolve(node.switch.cases[value] ?? node.switch.default);
    }
    if (node.next) return this.resolve(node.next);
    // The conversation is over: nothing is pending (the next message starts from the menu).
    s.flow = undefined;
    s.node = undefined;
    return null;
  }

  /**
   * Built in: `lang`, `channel`, the facts (`has_case`, `case_held`, `has_alerts`), `has_audio` (recordings exist in
   * the person's language) and `from_flow` (the flow a keyword took the person from); other names are the session's
   * variables.
   */
  private switchValue(name: string): string {
    const facts = this.env.facts ?? NO_FACTS;
    switch (name) {
      case 'lang':
        return this.session.lang ?? '';
      case 'channel':
        return this.env.channel;
      case 'has_case':
        return facts.openCase ? 'yes' : 'no';
      case 'case_held':
        return facts.openCase?.heldByStaff ? 'yes' : 'no';
      case 'has_alerts':
        return facts.hasAlerts ? 'yes' : 'no';
      case 'from_flow':
        return this.session.back?.flow ?? '';
      case 'has_audio':
        return (this.env.recordings?.[this.session.lang ?? this.env.lang]?.length ?? 0) > 0 ? 'yes' : 'no';
      default:
        return this.session.vars[name] ?? '';
    }
  }

  emitAsk(ask: FlowAsk): void {
    const prompt = ask.prompt ? this.textRef(ask.prompt) : undefined;
    this.effects.push({
      type: 'ask',
      ...(prompt ? { key: prompt.key, ...(prompt.params ? { params: prompt.params } : {}) } : {}),
      choices: this.visibleChoices(this.choicesOf(ask)).map(({ id, label }) => ({ id, label })),
      version: this.session.askVersion,
      ...(ask.type !== 'choice' ? { typed: true as const } : {}),
    });
  }

  choicesOf(ask: FlowAsk): QuestionChoices {
    return choicesOf(ask, this.session.vars, this.env);
  }

  visibleChoices(all: QuestionChoices): ResolvedChoice[] {
    return visibleChoices(all, this.session.page ?? 0);
  }

  candidates(choices: ResolvedChoice[]): ChoiceCandidate[] {
    return choices.map((c) => ({ id: c.id, texts: [...this.env.labelTexts(c.label), ...(c.synonyms ?? [])] }));
  }

  textRef(text: FlowText): { key: string; params?: Record<string, string> } {
    return textRef(text, this.session.vars);
  }

  private sayText(text: FlowText): void {
    const ref = this.textRef(text);
    this.say(ref.key, ref.params);
  }

  say(key: string, params?: Record<string, string>): void {
    this.effects.push({ type: 'say', key, ...(params ? { params } : {}) });
  }

  /** A flow that cannot go on: log it, apologise, show the menu. Never throws. */
  brokenFlow(code: string, detail: string): void {
    this.effects.push({ type: 'flow_error', code, detail });
    this.say('error.generic');
    const s = this.session;
    const menu = this.node({ flow: MAIN_FLOW, node: MENU_NODE });
    s.flow = MAIN_FLOW;
    s.node = MENU_NODE;
    // Show the menu's question without running its actions again (they may be what loops).
    if (menu?.ask) {
      s.askVersion += 1;
      this.emitAsk(menu.ask);
    } else {
      s.flow = undefined;
      s.node = undefined;
    }
  }

  flow(id: string) {
    return this.flows.flows[id];
  }

  node(pos: Position): FlowNode | undefined {
    return this.flow(pos.flow)?.nodes[pos.node];
  }

  resolve(target: Target, fromFlow?: string): Position {
    if (target === RETURN_TARGET) {
      const back = this.session.back;
      delete this.session.back;
      return back && this.node(back) ? back : { flow: MAIN_FLOW, node: MENU_NODE };
    }
    return parseTarget(target, fromFlow ?? this.session.flow ?? MAIN_FLOW);
  }
}

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

// The engine: one person's conversation state + one input -> new state + effects.
// Pure: no I/O, no clock of its own, no randomness. Input that does not fit is re-asked, never an error.
import type { FlowAction, FlowAsk, FlowNode, FlowSet, FlowText, Target } from '../flows/schema.ts';
import { MAIN_FLOW, MENU_NODE, parseTarget, RETURN_TARGET } from '../flows/schema.ts';
import { splitList } from './actions/action.ts';
import { type ActionRun, runAction } from './actions/index.ts';
import { findCaseNumber, parseCaseNumber } from './case-number.ts';
import { type ChoiceCandidate, isOneOf, recognizeChoice } from './choices.ts';
import { fillTemplate } from './template.ts';
import { normalizeText } from './text.ts';
import { type ChoiceView, type Effect, type Env, type Input, LANGUAGES, NO_FACTS, type Session } from './types.ts';

/** Nodes entered for one input before the engine decides the flows loop. */
export const MAX_STEPS_PER_INPUT = 50;
/** Wrong answers to one question before the person is offered the menu. */
export const MAX_RETRIES = 3;
export const MAX_TEXT_LENGTH = 1000;

export type StepResult = { session: Session; effects: Effect[] };

type Position = { flow: string; node: string };
type ResolvedChoice = ChoiceView & { next?: Target; set?: Record<string, string>; synonyms?: string[] };

export function step(flows: FlowSet, session: Session, input: Input, env: Env): StepResult {
  const run = new Run(flows, structuredClone(session), env);
  run.handle(input);
  return { session: run.session, effects: run.effects };
}

class Run {
  readonly effects: Effect[] = [];
  private steps = 0;

  constructor(
    private readonly flows: FlowSet,
    readonly session: Session,
    private readonly env: Env,
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

  private readonly actionRun: ActionRun;

  handle(input: Input): void {
    const s = this.session;
    if (input.kind === 'start') return this.start(input.payload);

    if (input.kind === 'text' && this.route(input.text)) return;

    if (!s.node || !s.flow) {
      // New person, expired session, or a finished conversation.
      if (!s.lang && (input.kind === 'choice' || input.kind === 'text')) {
        if (input.kind === 'choice' || /^\d+$/.test(normalizeText(input.text))) this.say('session.expired');
        return this.enter({ flow: MAIN_FLOW, node: this.flow(MAIN_FLOW)?.start ?? MENU_NODE });
      }
      if (input.kind === 'text' && this.keyword(input.text)) return;
      return this.enter({ flow: MAIN_FLOW, node: MENU_NODE });
    }

    const node = this.node({ flow: s.flow, node: s.node });
    if (!node?.ask) {
      // The flows changed under a saved session: apologise and show the menu.
      this.effects.push({ type: 'flow_error', code: 'missing_node', detail: `${s.flow}:${s.node}` });
      this.say('error.flow_changed');
      return this.enter({ flow: MAIN_FLOW, node: MENU_NODE });
    }
    if (input.kind === 'timeout') {
      if (node.timeout) this.enter(this.resolve(node.timeout));
      return;
    }
    if (input.kind === 'text' && this.keyword(input.text, node.ask.type !== 'choice')) return;
    this.answer(node.ask, input);
  }

  private start(payload: string | undefined): void {
    const s = this.session;
    s.retries = 0;
    if (payload) {
      for (const { link, flow } of this.flows.deeplinks) {
        if (!payload.startsWith(link.prefix)) continue;
        const rest = payload.slice(link.prefix.length);
        const known =
          link.check === 'faq' ? this.env.content.faqIds.has(rest) : this.env.content.topics.some((t) => t.id === rest);
        if (!known) break;
        s.lang ??= this.env.lang;
        s.vars[link.var] = rest;
        return this.enter(this.resolve(link.goto, flow));
      }
    }
    this.enter({ flow: MAIN_FLOW, node: this.flow(MAIN_FLOW)?.start ?? MENU_NODE });
  }

  /**
   * Messages recognised from any node, before keywords and answers: a typed case number (its status, or
   * "ANNULER K-7F3Q"). The person comes back where they were through the `return` target.
   */
  private route(text: string): boolean {
    const s = this.session;
    const caseRoute = this.flows.routes.case_number;
    if (caseRoute) {
      const typed = parseCaseNumber(text);
      const cancel = typed ? null : cancelledCase(text);
      const no = typed ?? cancel;
      if (no) {
        s.vars.case_no = no;
        s.vars.case_action = cancel ? 'cancel' : 'status';
        this.detour(this.resolve(caseRoute.goto, caseRoute.flow));
        return true;
      }
    }
    return false;
  }

  /** Leaves the current question for a while: `return` brings the person back to it. */
  private detour(target: Position): void {
    const s = this.session;
    const here =
      s.flow && s.node && this.node({ flow: s.flow, node: s.node })?.ask ? { flow: s.flow, node: s.node } : null;
    s.retries = 0;
    if (here && !(here.flow === MAIN_FLOW && here.node === MENU_NODE)) s.back = here;
    else delete s.back;
    this.enter(target);
  }

  /** Global keywords (menu, help, language, stop, erase) work from any node. */
  private keyword(text: string, atTypedQuestion = false): boolean {
    for (const { keyword, flow } of this.flows.keywords) {
      if (atTypedQuestion && keyword.where === 'choices') continue;
      const words = [...(keyword.words.fr ?? []), ...(keyword.words.en ?? []), ...(keyword.words.bm ?? [])];
      if (isOneOf(text, words)) {
        this.detour(this.resolve(keyword.goto, flow));
        return true;
      }
    }
    return false;
  }

  private answer(ask: FlowAsk, input: Exclude<Input, { kind: 'start' | 'timeout' }>): void {
    const s = this.session;
    const choices = this.choicesOf(ask);
    if (input.kind === 'choice') {
      if (input.version !== s.askVersion) {
        this.say('error.stale_button');
        return this.reAsk();
      }
      const chosen = choices.find((c) => c.id === input.id);
      return chosen ? this.take(ask, chosen) : this.reAsk();
    }
    if (input.kind === 'media') {
      if (ask.accept_media && ask.save && input.ref) {
        const key = `${ask.save}_media`;
        s.vars[key] = s.vars[key] ? `${s.vars[key]},${input.ref}` : input.ref;
        this.say('media.attached');
        return this.reAsk();
      }
      this.say(`media.${input.media}`);
      return this.reAsk();
    }

    const text = input.text;
    if (text.length > MAX_TEXT_LENGTH) {
      this.say('error.too_long', { max: String(MAX_TEXT_LENGTH) });
      return this.reAsk();
    }
    const match = recognizeChoice(text, this.candidates(choices), ask.type !== 'choice');
    if (ask.type === 'choice') {
      if (match.kind === 'match') return this.take(ask, choices.find((c) => c.id === match.id)!);
      // Free text (not emoji or punctuation alone) at a menu goes where the flow says, e.g. the FAQ search.
      if (match.kind === 'none' && ask.on_text && /\p{L}/u.test(text)) {
        s.vars.query = text;
        return this.enter(this.resolve(ask.on_text));
      }
      return this.retry(match.kind === 'out_of_range' ? 'error.out_of_range' : 'error.not_understood', choices.length);
    }

    // Typed answers: the extra choices (skip, cancel) are recognised by word only, so "2" stays a number.
    if (match.kind === 'match' && !/^\d+$/.test(normalizeText(text))) {
      return this.take(ask, choices.find((c) => c.id === match.id)!);
    }
    const value = typedValue(ask, text);
    if (value === null) return this.retry(`error.invalid_${ask.type}`, choices.length);
    if (ask.save) s.vars[ask.save] = value;
    s.retries = 0;
    if (!ask.next) return this.brokenFlow('no_next', `${s.flow}:${s.node}`);
    this.enter(this.resolve(ask.next));
  }

  private take(ask: FlowAsk, choice: ResolvedChoice): void {
    const s = this.session;
    s.retries = 0;
    if (ask.save && choice.id !== 'skip' && choice.id !== 'cancel') s.vars[ask.save] = choice.id;
    for (const [k, v] of Object.entries(choice.set ?? {})) s.vars[k] = fillTemplate(v, s.vars);
    const target = choice.next ?? ask.next;
    if (!target) return this.brokenFlow('no_next', `${s.flow}:${s.node}:${choice.id}`);
    this.enter(this.resolve(target));
  }

  private retry(key: string, count: number): void {
    const s = this.session;
    s.retries += 1;
    if (s.retries >= MAX_RETRIES) {
      s.retries = 0;
      this.say('error.too_many_tries');
      return this.enter({ flow: MAIN_FLOW, node: MENU_NODE });
    }
    this.say(key, { max: String(count) });
    this.reAsk();
  }

  private reAsk(): void {
    const s = this.session;
    const node = this.node({ flow: s.flow!, node: s.node! });
    if (node?.ask) this.emitAsk(node.ask);
  }

  private enter(first: Position): void {
    let target: Position | null = first;
    while (target) {
      this.steps += 1;
      if (this.steps > MAX_STEPS_PER_INPUT) return this.brokenFlow('loop', `${target.flow}:${target.node}`);
      const node = this.node(target);
      if (!node) return this.brokenFlow('unknown_node', `${target.flow}:${target.node}`);
      const s = this.session;
      s.flow = target.flow;
      s.node = target.node;
      target = this.runNode(node);
    }
  }

  /** Runs a node; returns where to go next, or null when it waits for input or ends. */
  private runNode(node: FlowNode): Position | null {
    const s = this.session;
    for (const text of asArray(node.say)) this.sayText(text);
    for (const action of node.do ?? []) this.act(action);
    if (node.ask) {
      s.askVersion += 1;
      s.retries = 0;
      this.emitAsk(node.ask);
      return null;
    }
    if (node.switch) {
      const value = this.switchValue(node.switch.on);
      return this.resolve(node.switch.cases[value] ?? node.switch.default);
    }
    if (node.next) return this.resolve(node.next);
    this.effects.push({ type: 'end' });
    s.flow = undefined;
    s.node = undefined;
    return null;
  }

  /** `lang`, `channel` and the facts (`has_case`, `case_held`, `has_alerts`) are built in; others are variables. */
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
      default:
        return this.session.vars[name] ?? '';
    }
  }

  private act(action: FlowAction): void {
    runAction(action, this.actionRun);
  }

  private emitAsk(ask: FlowAsk): void {
    const prompt = ask.prompt ? this.textRef(ask.prompt) : undefined;
    this.effects.push({
      type: 'ask',
      ...(prompt ? { key: prompt.key, ...(prompt.params ? { params: prompt.params } : {}) } : {}),
      choices: this.choicesOf(ask).map(({ id, label }) => ({ id, label })),
      version: this.session.askVersion,
      ...(ask.type !== 'choice' ? { typed: true as const } : {}),
    });
  }

  private choicesOf(ask: FlowAsk): ResolvedChoice[] {
    const s = this.session;
    const content = this.env.content;
    const out: ResolvedChoice[] = [];
    switch (ask.from) {
      case 'languages':
        for (const lang of LANGUAGES) out.push({ id: lang, label: { language: lang } });
        break;
      case 'topics':
        for (const t of content.topics) out.push({ id: t.id, label: { topic: t.id } });
        break;
      case 'faqs': {
        const topic = content.topics.find((t) => t.id === fillTemplate(ask.topic ?? '', s.vars));
        for (const id of topic?.faqIds ?? []) out.push({ id, label: { faq: id } });
        break;
      }
      case 'suggestions':
        for (const id of splitList(s.vars.suggestions ?? '')) out.push({ id, label: { faq: id } });
        break;
      case 'regions':
        for (const id of content.regions) out.push({ id, label: { region: id } });
        break;
      case 'needs':
        for (const id of content.needs) out.push({ id, label: { need: id } });
        break;
      case 'alert_topics':
        for (const id of content.alertTopics) out.push({ id, label: { alertTopic: id } });
        break;
      case undefined:
        break;
    }
    for (const c of ask.choices ?? []) {
      const label = this.textRef(c.label);
      const synonyms = [...(c.synonyms?.fr ?? []), ...(c.synonyms?.en ?? []), ...(c.synonyms?.bm ?? [])];
      out.push({ id: c.id, label, ...(c.next ? { next: c.next } : {}), ...(c.set ? { set: c.set } : {}), synonyms });
    }
    if (ask.optional) out.push({ id: 'skip', label: { key: 'common.skip' }, ...(ask.next ? { next: ask.next } : {}) });
    if (ask.cancel) out.push({ id: 'cancel', label: { key: 'common.cancel' }, next: ask.cancel });
    return out;
  }

  private candidates(choices: ResolvedChoice[]): ChoiceCandidate[] {
    return choices.map((c) => ({ id: c.id, texts: [...this.env.labelTexts(c.label), ...(c.synonyms ?? [])] }));
  }

  private textRef(text: FlowText): { key: string; params?: Record<string, string> } {
    if (typeof text === 'string') return { key: text };
    if ('key' in text) {
      if (!text.params) return { key: text.key };
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(text.params)) params[k] = fillTemplate(v, this.session.vars);
      return { key: text.key, params };
    }
    // The loader replaces inline texts by generated keys; this is only reached with unloaded flows.
    return { key: 'error.generic' };
  }

  private sayText(text: FlowText): void {
    const ref = this.textRef(text);
    this.say(ref.key, ref.params);
  }

  private say(key: string, params?: Record<string, string>): void {
    this.effects.push({ type: 'say', key, ...(params ? { params } : {}) });
  }

  /** A flow that cannot go on: log it, apologise, show the menu. Never throws. */
  private brokenFlow(code: string, detail: string): void {
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
      this.effects.push({ type: 'end' });
    }
  }

  private flow(id: string) {
    return this.flows.flows[id];
  }

  private node(pos: Position): FlowNode | undefined {
    return this.flow(pos.flow)?.nodes[pos.node];
  }

  private resolve(target: Target, fromFlow?: string): Position {
    if (target === RETURN_TARGET) {
      const back = this.session.back;
      delete this.session.back;
      return back && this.node(back)?.ask ? back : { flow: MAIN_FLOW, node: MENU_NODE };
    }
    return parseTarget(target, fromFlow ?? this.session.flow ?? MAIN_FLOW);
  }
}

function typedValue(ask: FlowAsk, text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  switch (ask.type) {
    case 'number': {
      const digits = normalizeText(trimmed);
      if (!/^\d{1,9}$/.test(digits)) return null;
      const n = Number(digits);
      if ((ask.min !== undefined && n < ask.min) || (ask.max !== undefined && n > ask.max)) return null;
      return String(n);
    }
    case 'phone': {
      const compact = trimmed.replace(/[\s().-]/g, '').replace(/^00/, '+');
      return /^\+?\d{8,15}$/.test(compact) ? compact : null;
    }
    default: {
      const max = ask.max_length ?? 500;
      return trimmed.length <= max ? trimmed : null;
    }
  }
}

/** "ANNULER K-7F3Q", "cancel K-7F3Q", "a dabila K-7F3Q": the number of the case to withdraw, or null. */
function cancelledCase(text: string): string | null {
  const no = findCaseNumber(text);
  if (!no) return null;
  const rest = normalizeText(text.replace(/k\s*-\s*[0-9a-z]{4,8}/i, ''));
  return ['annuler', 'annule', 'cancel', 'withdraw', 'a dabila', 'ka dabila'].includes(rest) ? no : null;
}

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

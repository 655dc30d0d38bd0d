// The engine: one person's conversation state + one input -> new state + effects.
// Pure: no I/O, no clock of its own, no randomness. Input that does not fit is re-asked, never an error.
import type { FlowAction, FlowAsk, FlowNode, FlowSet, FlowText, Target } from '../flows/schema.ts';
import { MAIN_FLOW, MENU_NODE } from '../flows/schema.ts';
import { type ChoiceCandidate, isOneOf, recognizeChoice } from './choices.ts';
import { fillTemplate } from './template.ts';
import { normalizeText } from './text.ts';
import { type ChoiceView, type Effect, type Env, type Input, LANGUAGES, type Lang, type Session } from './types.ts';

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
  ) {}

  handle(input: Input): void {
    const s = this.session;
    if (input.kind === 'start') return this.start(input.payload);

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

  /** Global keywords (menu, help, language, stop, erase) work from any node. */
  private keyword(text: string, atTypedQuestion = false): boolean {
    for (const { keyword, flow } of this.flows.keywords) {
      if (atTypedQuestion && keyword.where === 'choices') continue;
      const words = [...(keyword.words.fr ?? []), ...(keyword.words.en ?? []), ...(keyword.words.bm ?? [])];
      if (isOneOf(text, words)) {
        this.session.retries = 0;
        this.enter(this.resolve(keyword.goto, flow));
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

  /** `lang` and `channel` are built in; other names are the session's variables. */
  private switchValue(name: string): string {
    if (name === 'lang') return this.session.lang ?? '';
    if (name === 'channel') return this.env.channel;
    return this.session.vars[name] ?? '';
  }

  private act(action: FlowAction): void {
    const s = this.session;
    const fill = (v: string) => fillTemplate(v, s.vars);
    const content = this.env.content;
    if ('show_faq' in action) {
      const faqId = fill(action.show_faq.faq);
      if (!content.faqIds.has(faqId)) return this.say('error.faq_missing');
      s.vars.faq = faqId;
      s.vars.faq_more = content.faqHasMore(faqId) ? 'yes' : 'no';
      this.effects.push({ type: 'show_faq', faqId, part: action.show_faq.part });
    } else if ('search_faq' in action) {
      const result = content.search(fill(action.search_faq.query), s.lang ?? null);
      s.vars.search = result.match ? 'found' : result.offTopic ? 'off_topic' : 'unsure';
      if (result.match) s.vars.faq = result.match;
      s.vars.suggestions = result.results
        .slice(0, 3)
        .map((r) => r.id)
        .join(',');
    } else if ('show_contacts' in action) {
      const ids = content.contactsFor(fill(action.show_contacts.region), fill(action.show_contacts.need));
      s.vars.contacts_found = String(ids.length);
      if (ids.length > 0) this.effects.push({ type: 'show_contacts', contactIds: ids });
    } else if ('refer' in action) {
      s.intakes += 1;
      const fields: Record<string, string> = {};
      for (const name of action.refer.fields) {
        const value = s.vars[name];
        if (value) fields[name] = value;
      }
      this.effects.push({
        type: 'refer',
        intakeId: `i${s.intakes}`,
        need: fill(action.refer.need),
        region: fill(action.refer.region),
        ...(s.vars.partner ? { partner: s.vars.partner } : {}),
        fields,
      });
    } else if ('find_partner' in action) {
      const partner = content.referralPartnerFor(fill(action.find_partner.region), fill(action.find_partner.need));
      s.vars.partner = partner ?? '';
    } else if ('list_subscriptions' in action) {
      this.effects.push({ type: 'list_subscriptions' });
    } else if ('subscribe' in action) {
      const topics = splitList(fill(action.subscribe.topics));
      const region = action.subscribe.region ? fill(action.subscribe.region) : undefined;
      this.effects.push({ type: 'subscribe', topics, ...(region ? { region } : {}) });
    } else if ('unsubscribe' in action) {
      const value = fill(action.unsubscribe.topics);
      this.effects.push({ type: 'unsubscribe', topics: value === 'all' ? [] : splitList(value) });
    } else if ('set_language' in action) {
      const lang = fill(action.set_language);
      if (isLang(lang)) {
        s.lang = lang;
        this.effects.push({ type: 'set_language', lang });
      }
    } else if ('erase_my_data' in action) {
      s.vars = {};
      this.effects.push({ type: 'erase_my_data' });
    } else if ('pause' in action) {
      this.effects.push({ type: 'pause' });
    } else if ('set' in action) {
      for (const [k, v] of Object.entries(action.set)) s.vars[k] = fill(v);
    } else if ('clear' in action) {
      for (const k of action.clear) delete s.vars[k];
    }
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
    const colon = target.indexOf(':');
    if (colon > 0) return { flow: target.slice(0, colon), node: target.slice(colon + 1) };
    return { flow: fromFlow ?? this.session.flow ?? MAIN_FLOW, node: target };
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

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

function isLang(v: string): v is Lang {
  return (LANGUAGES as readonly string[]).includes(v);
}

// The engine: one person's conversation state + one input -> new state + effects.
// Pure: no I/O, no clock of its own, no randomness. Input that does not fit is re-asked, never an error.
import type { FlowAction, FlowAsk, FlowNode, FlowSet, FlowText, Target } from '../flows/schema.ts';
import { MAIN_FLOW, MENU_NODE, parseTarget, RETURN_TARGET } from '../flows/schema.ts';
import { type ActionRun, runAction } from './actions/index.ts';
import {
  choicesOf,
  FIRST_CHOICES,
  MORE_CHOICES,
  type QuestionChoices,
  type ResolvedChoice,
  textRef,
  visibleChoices,
} from './ask-choices.ts';
import { LISTEN_CHOICE } from './audible.ts';
import { cancelledCase, parseCaseNumber } from './case-number.ts';
import { type ChoiceCandidate, isOneOf, recognizeChoice } from './choices.ts';
import { offerListening } from './listen.ts';
import { fillTemplate } from './template.ts';
import { normalizeText } from './text.ts';
import { MAX_TYPED_TEXT, typedValue } from './typed-answer.ts';
import {
  type Effect,
  type Env,
  type Input,
  LANGUAGES,
  NO_FACTS,
  type NoticeName,
  type Session,
  SOURCE_LANGUAGE,
} from './types.ts';

/** Nodes entered for one input before the engine decides the flows loop. */
export const MAX_STEPS_PER_INPUT = 50;
/** Wrong answers to one question before the person is offered the menu. */
export const MAX_RETRIES = 3;
export { MAX_CHOICES } from './ask-choices.ts';
export const MAX_TEXT_LENGTH = 1000;
/** Nodes of the main flow the engine enters itself (first message in another language). */
const WELCOME_NODE = 'welcome';
const FREE_TEXT_NODE = 'free-text';
/** The keyword whose target the 🔊 button takes (flows/main.yaml). */
const AUDIO_KEYWORD = 'audio';

export type StepResult = { session: Session; effects: Effect[] };

type Position = { flow: string; node: string };

export function step(flows: FlowSet, session: Session, input: Input, env: Env): StepResult {
  const run = new Run(flows, structuredClone(session), env);
  run.handle(input);
  offerListening(run.session, run.effects, env);
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
    if (input.kind === 'notice') return this.notice(input.notice);

    if (input.kind === 'text' && (this.distress(input.text) || this.route(input.text))) return;

    if (!s.node || !s.flow) {
      // 🔊 under the last message of a finished conversation still turns voice notes on.
      if (s.lang && input.kind === 'choice' && input.id === LISTEN_CHOICE && this.listen()) return;
      // New person, expired session, or a finished conversation.
      if (!s.lang && (input.kind === 'choice' || input.kind === 'text')) {
        if (input.kind === 'text' && this.firstMessage(input.text)) return;
        if (input.kind === 'choice' || /^\d+$/.test(normalizeText(input.text))) this.say('session.expired');
        return this.enter({ flow: MAIN_FLOW, node: this.flow(MAIN_FLOW)?.start ?? MENU_NODE });
      }
      if (input.kind === 'text' && this.keyword(input.text, { idle: true })) return;
      if (input.kind === 'media' && this.voiceNote(input)) return;
      return this.enter({ flow: MAIN_FLOW, node: MENU_NODE });
    }

    const node = this.node({ flow: s.flow, node: s.node });
    if (!node?.ask) {
      // The flows changed under a saved session: apologise and show the menu.
      this.effects.push({ type: 'flow_error', code: 'missing_node', detail: `${s.flow}:${s.node}` });
      this.say('error.flow_changed');
      return this.enter({ flow: MAIN_FLOW, node: MENU_NODE });
    }
    if (input.kind === 'text') {
      if (this.confused(input.text, node.ask)) return;
      const idle = s.flow === MAIN_FLOW && s.node === MENU_NODE;
      if (this.keyword(input.text, { typed: node.ask.type !== 'choice', idle })) return;
    }
    this.answer(node.ask, input);
  }

  /**
   * A first message before any language was chosen, in a language other than French (a greeting "i ni ce", a
   * question in Bambara): the conversation starts in that language, with the welcome and the privacy notice.
   */
  private firstMessage(text: string): boolean {
    const s = this.session;
    // A keyword word of one language only ("i ni ce", "hello"; not "menu", which all three share).
    const keywordLangs = LANGUAGES.filter((lang) =>
      this.flows.keywords.some(({ keyword }) => isOneOf(text, keyword.words[lang] ?? [])),
    );
    const greetingLang = keywordLangs.length === 1 ? keywordLangs[0] : undefined;
    const guessed = keywordLangs.length === 0 ? this.env.detectLanguage?.(text.slice(0, MAX_TEXT_LENGTH)) : null;
    const lang = greetingLang ?? guessed ?? null;
    if (!lang || lang === SOURCE_LANGUAGE) return false;
    s.lang = lang;
    this.effects.push({ type: 'set_language', lang });
    // A question is answered after the welcome: nothing the person wrote is thrown away.
    if (!greetingLang && this.node({ flow: MAIN_FLOW, node: FREE_TEXT_NODE })) {
      s.vars.query = text;
      s.back = { flow: MAIN_FLOW, node: FREE_TEXT_NODE };
    }
    this.enter({ flow: MAIN_FLOW, node: WELCOME_NODE });
    return true;
  }

  /** Confusion ("hein ?", "je comprends pas") at a question: explained again in simpler words, asked again. */
  private confused(text: string, ask: FlowAsk): boolean {
    const words = this.flows.routes.confused;
    if (!words || !isOneOf(text, words)) return false;
    const explain = ask.explain ? this.textRef(ask.explain) : { key: 'common.confused' };
    this.say(explain.key, explain.params);
    this.reAsk();
    return true;
  }

  /**
   * Distress is tried before everything else, from any node: the person gets the emergency lines and a person
   * first. Not inside the distress flow itself or an urgent referral, where their words answer the question.
   */
  private distress(text: string): boolean {
    const s = this.session;
    const route = this.flows.routes.distress;
    if (!route || !this.env.content.distress || s.vars.urgent === 'yes') return false;
    if (s.flow && s.flow === parseTarget(route.goto, route.flow).flow) return false;
    // The words that matter come within the length of a message the bot reads (longer ones are cut, never ignored).
    const found = this.env.content.distress(text.slice(0, MAX_TEXT_LENGTH), s.lang ?? null);
    if (!found) return false;
    s.lang ??= this.env.lang;
    s.vars.distress = found.category;
    s.vars.distress_need = route.needs?.[found.category] ?? '';
    s.vars.distress_text = text.slice(0, MAX_TEXT_LENGTH);
    this.detour(this.resolve(route.goto, route.flow));
    return true;
  }

  private start(payload: string | undefined): void {
    const s = this.session;
    s.retries = 0;
    delete s.back;
    if (payload) {
      for (const { link, flow } of this.flows.deeplinks) {
        if (!payload.startsWith(link.prefix)) continue;
        const rest = payload.slice(link.prefix.length);
        const known =
          link.check === 'faq' ? this.env.content.faqIds.has(rest) : this.env.content.topics.some((t) => t.id === rest);
        if (!known) break;
        s.vars[link.var] = rest;
        const target = this.resolve(link.goto, flow);
        if (s.lang) return this.enter(target);
        // First contact: the language question and the privacy notice first, then the link ("return").
        s.back = target;
        break;
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

  /**
   * A notice from outside the conversation: staff proposed a transfer, so its question is put to the person, and
   * they come back to where they were after answering. Nothing is said when the fact is gone (answered already).
   */
  private notice(name: NoticeName): void {
    const route = this.flows.routes[name];
    const proposal = this.env.facts?.transferProposal;
    if (!route || !proposal) return;
    const s = this.session;
    // A conversation forgotten since the case was made speaks the case's language.
    if (!s.lang) {
      s.lang = proposal.lang;
      this.effects.push({ type: 'set_language', lang: proposal.lang });
    }
    s.vars.transfer_case = proposal.no;
    s.vars.transfer_from = proposal.from;
    s.vars.transfer_to = proposal.to;
    this.detour(this.resolve(route.goto, route.flow));
  }

  /** Adds a file reference to a request's list of files (`<save>_media`). */
  private attach(key: string, ref: string): void {
    const vars = this.session.vars;
    vars[key] = vars[key] ? `${vars[key]},${ref}` : ref;
  }

  /** A voice note no question takes: the flows' `voice` route (offer to send it to a person), with its reference. */
  private voiceNote(input: Extract<Input, { kind: 'media' }>): boolean {
    const voiceRoute = this.flows.routes.voice;
    if (input.media !== 'voice' || !input.ref || !voiceRoute) return false;
    const s = this.session;
    const target = this.resolve(voiceRoute.goto, voiceRoute.flow);
    s.vars.voice_note = input.ref;
    // Another voice note while the offer is open: the newest is the one offered, and the way back stays.
    if (s.flow && s.node && this.questionsBehind(target).has(`${s.flow}:${s.node}`)) this.reAsk();
    else this.detour(target);
    return true;
  }

  /** The questions a target leads to through its switches alone (e.g. the voice route's offer). */
  private questionsBehind(start: Position): Set<string> {
    const found = new Set<string>();
    const seen = new Set<string>();
    const todo = [start];
    for (let pos = todo.pop(); pos && seen.size < MAX_STEPS_PER_INPUT; pos = todo.pop()) {
      const id = `${pos.flow}:${pos.node}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const node = this.node(pos);
      if (node?.ask) found.add(id);
      const sw = node?.switch;
      if (!sw) continue;
      for (const t of [...Object.values(sw.cases), sw.default]) {
        if (t !== RETURN_TARGET) todo.push(parseTarget(t, pos.flow));
      }
    }
    return found;
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
  private keyword(text: string, at: { typed?: boolean; idle?: boolean } = {}): boolean {
    for (const { keyword, flow } of this.flows.keywords) {
      if (at.typed && keyword.where === 'choices') continue;
      if (!at.idle && keyword.where === 'idle') continue;
      const words = LANGUAGES.flatMap((lang) => keyword.words[lang] ?? []);
      if (isOneOf(text, words)) {
        this.detour(this.resolve(keyword.goto, flow));
        return true;
      }
    }
    return false;
  }

  /** The 🔊 button: the `audio` keyword's target, as if the person had typed AUDIO. */
  private listen(): boolean {
    const audio = this.flows.keywords.find((k) => k.id === AUDIO_KEYWORD);
    if (!audio) return false;
    this.detour(this.resolve(audio.keyword.goto, audio.flow));
    return true;
  }

  private answer(ask: FlowAsk, input: Exclude<Input, { kind: 'start' | 'notice' }>): void {
    const s = this.session;
    const all = this.choicesOf(ask);
    const choices = this.visibleChoices(all);
    if (input.kind === 'choice') {
      // 🔊 under any message, old or new, does what the keyword AUDIO does.
      if (input.id === LISTEN_CHOICE && !all.some((c) => c.id === LISTEN_CHOICE) && this.listen()) return;
      if (input.version !== s.askVersion) {
        this.say('error.stale_button');
        return this.reAsk();
      }
      const chosen = choices.find((c) => c.id === input.id) ?? all.find((c) => c.id === input.id);
      return chosen ? this.take(ask, chosen) : this.reAsk();
    }
    if (input.kind === 'media') {
      if (ask.accept_media && ask.save && input.ref) {
        this.attach(`${ask.save}_media`, input.ref);
        this.say('media.attached');
        return this.reAsk();
      }
      if (this.voiceNote(input)) return;
      this.say(`media.${input.media}`);
      return this.reAsk();
    }

    const text = input.text;
    if (text.length > MAX_TEXT_LENGTH) {
      this.say('error.too_long', { max: String(MAX_TEXT_LENGTH) });
      return this.reAsk();
    }
    const shown = recognizeChoice(text, this.candidates(choices), ask.type !== 'choice');
    // A label typed from another page of a long list counts too (numbers are those shown).
    const match =
      shown.kind === 'none' && choices.length < all.length && !/^\d+$/.test(normalizeText(text))
        ? recognizeChoice(text, this.candidates(all), ask.type !== 'choice')
        : shown;
    const byId = (id: string) => choices.find((c) => c.id === id) ?? all.find((c) => c.id === id)!;
    if (ask.type === 'choice') {
      if (match.kind === 'match') return this.take(ask, byId(match.id));
      // Free text (not emoji or punctuation alone) at a menu goes where the flow says, e.g. the FAQ search.
      if (match.kind === 'none' && ask.on_text && /\p{L}/u.test(text)) {
        s.vars.query = text;
        return this.enter(this.resolve(ask.on_text));
      }
      return this.retry(match.kind === 'out_of_range' ? 'error.out_of_range' : 'error.not_understood', choices.length);
    }

    // Typed answers: the extra choices (skip, cancel) are recognised by word only, so "2" stays a number.
    if (match.kind === 'match' && !/^\d+$/.test(normalizeText(text))) {
      return this.take(ask, byId(match.id));
    }
    const value = typedValue(ask, text);
    if (value === null) {
      // A text too long says its limit; the other kinds keep the count of choices.
      return this.retry(
        `error.invalid_${ask.type}`,
        ask.type === 'text' ? (ask.max_length ?? MAX_TYPED_TEXT) : choices.length,
      );
    }
    if (ask.save) s.vars[ask.save] = value;
    if (ask.save && ask.accept_media && input.media) this.attach(`${ask.save}_media`, input.media.ref);
    s.retries = 0;
    if (!ask.next) return this.brokenFlow('no_next', `${s.flow}:${s.node}`);
    this.enter(this.resolve(ask.next));
  }

  private take(ask: FlowAsk, choice: ResolvedChoice): void {
    const s = this.session;
    s.retries = 0;
    if (choice.id === MORE_CHOICES || choice.id === FIRST_CHOICES) {
      s.page = choice.id === MORE_CHOICES ? (s.page ?? 0) + 1 : 0;
      return this.reAsk();
    }
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
      // Back at the menu, nothing is pending any more.
      if (target.flow === MAIN_FLOW && target.node === MENU_NODE) delete s.back;
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

  private act(action: FlowAction): void {
    runAction(action, this.actionRun);
  }

  private emitAsk(ask: FlowAsk): void {
    const prompt = ask.prompt ? this.textRef(ask.prompt) : undefined;
    this.effects.push({
      type: 'ask',
      ...(prompt ? { key: prompt.key, ...(prompt.params ? { params: prompt.params } : {}) } : {}),
      choices: this.visibleChoices(this.choicesOf(ask)).map(({ id, label }) => ({ id, label })),
      version: this.session.askVersion,
      ...(ask.type !== 'choice' ? { typed: true as const } : {}),
    });
  }

  private choicesOf(ask: FlowAsk): QuestionChoices {
    return choicesOf(ask, this.session.vars, this.env);
  }

  private visibleChoices(all: QuestionChoices): ResolvedChoice[] {
    return visibleChoices(all, this.session.page ?? 0);
  }

  private candidates(choices: ResolvedChoice[]): ChoiceCandidate[] {
    return choices.map((c) => ({ id: c.id, texts: [...this.env.labelTexts(c.label), ...(c.synonyms ?? [])] }));
  }

  private textRef(text: FlowText): { key: string; params?: Record<string, string> } {
    return textRef(text, this.session.vars);
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
      return back && this.node(back) ? back : { flow: MAIN_FLOW, node: MENU_NODE };
    }
    return parseTarget(target, fromFlow ?? this.session.flow ?? MAIN_FLOW);
  }
}

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

// Messages the engine recognises from any node, before an answer is taken: distress, a typed case number, the global
// keywords, confusion at a question, a voice note no question takes, and the 🔊 button.
import type { FlowAsk } from '../flows/schema.ts';
import { parseTarget, RETURN_TARGET } from '../flows/schema.ts';
import { cancelledCase, parseCaseNumber } from './case-number.ts';
import { isOneOf } from './choices.ts';
import { MAX_STEPS_PER_INPUT, MAX_TEXT_LENGTH } from './limits.ts';
import type { Position, Run } from './run.ts';
import { type Input, LANGUAGES, type Lang } from './types.ts';

/** The keyword whose target the 🔊 button takes (flows/main.yaml). */
const AUDIO_KEYWORD = 'audio';

/**
 * Distress is tried before everything else, from any node: the person gets the emergency lines and a person
 * first. Not inside the distress flow itself or an urgent referral, where their words answer the question.
 */
export function distress(run: Run, text: string): boolean {
  const s = run.session;
  const route = run.flows.routes.distress;
  if (!route || !run.env.content.distress || s.vars.urgent === 'yes') return false;
  if (s.flow && s.flow === parseTarget(route.goto, route.flow).flow) return false;
  // The words that matter come within the length of a message the bot reads (longer ones are cut, never ignored).
  const found = run.env.content.distress(text.slice(0, MAX_TEXT_LENGTH), s.lang ?? null);
  if (!found) return false;
  s.lang ??= run.env.lang;
  s.vars.distress = found.category;
  s.vars.distress_need = route.needs?.[found.category] ?? '';
  s.vars.distress_text = text.slice(0, MAX_TEXT_LENGTH);
  run.detour(run.resolve(route.goto, route.flow));
  return true;
}

/**
 * A typed case number (its status, or "ANNULER K-7F3Q"), recognised before keywords and answers. The person comes
 * back where they were through the `return` target.
 */
export function caseNumber(run: Run, text: string): boolean {
  const s = run.session;
  const caseRoute = run.flows.routes.case_number;
  if (caseRoute) {
    const typed = parseCaseNumber(text);
    const cancel = typed ? null : cancelledCase(text);
    const no = typed ?? cancel;
    if (no) {
      s.vars.case_no = no;
      s.vars.case_action = cancel ? 'cancel' : 'status';
      run.detour(run.resolve(caseRoute.goto, caseRoute.flow));
      return true;
    }
  }
  return false;
}

/** Confusion ("hein ?", "je comprends pas") at a question: explained again in simpler words, asked again. */
export function confused(run: Run, text: string, ask: FlowAsk): boolean {
  const words = run.flows.routes.confused;
  if (!words || !isOneOf(text, words)) return false;
  const explain = ask.explain ? run.textRef(ask.explain) : { key: 'common.confused' };
  run.say(explain.key, explain.params);
  run.reAsk();
  return true;
}

// A keyword's words in every language, gathered once per loaded keyword (isOneOf then knows the list).
const keywordWords = new WeakMap<object, string[]>();

function wordsOf(words: Partial<Record<Lang, string[]>>): string[] {
  let all = keywordWords.get(words);
  if (all === undefined) {
    all = LANGUAGES.flatMap((lang) => words[lang] ?? []);
    keywordWords.set(words, all);
  }
  return all;
}

/** Global keywords (menu, help, language, stop, erase) work from any node. */
export function keyword(run: Run, text: string, at: { typed?: boolean; idle?: boolean } = {}): boolean {
  for (const { keyword, flow } of run.flows.keywords) {
    if (at.typed && keyword.where === 'choices') continue;
    if (!at.idle && keyword.where === 'idle') continue;
    const words = wordsOf(keyword.words);
    if (isOneOf(text, words)) {
      run.detour(run.resolve(keyword.goto, flow));
      return true;
    }
  }
  return false;
}

/** The 🔊 button: the `audio` keyword's target, as if the person had typed AUDIO. */
export function listen(run: Run): boolean {
  const audio = run.flows.keywords.find((k) => k.id === AUDIO_KEYWORD);
  if (!audio) return false;
  run.detour(run.resolve(audio.keyword.goto, audio.flow));
  return true;
}

/** A voice note no question takes: the flows' `voice` route (offer to send it to a person), with its reference. */
export function voiceNote(run: Run, input: Extract<Input, { kind: 'media' }>): boolean {
  const voiceRoute = run.flows.routes.voice;
  if (input.media !== 'voice' || !input.ref || !voiceRoute) return false;
  const s = run.session;
  const target = run.resolve(voiceRoute.goto, voiceRoute.flow);
  s.vars.voice_note = input.ref;
  // Another voice note while the offer is open: the newest is the one offered, and the way back stays.
  if (s.flow && s.node && questionsBehind(run, target).has(`${s.flow}:${s.node}`)) run.reAsk();
  else run.detour(target);
  return true;
}

/** The questions a target leads to through its switches alone (e.g. the voice route's offer). */
function questionsBehind(run: Run, start: Position): Set<string> {
  const found = new Set<string>();
  const seen = new Set<string>();
  const todo = [start];
  for (let pos = todo.pop(); pos && seen.size < MAX_STEPS_PER_INPUT; pos = todo.pop()) {
    const id = `${pos.flow}:${pos.node}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const node = run.node(pos);
    if (node?.ask) found.add(id);
    const sw = node?.switch;
    if (!sw) continue;
    for (const t of [...Object.values(sw.cases), sw.default]) {
      if (t !== RETURN_TARGET) todo.push(parseTarget(t, pos.flow));
    }
  }
  return found;
}

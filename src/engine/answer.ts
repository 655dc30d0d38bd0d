// An input taken as the answer to the question the person is at: a button, a file, a typed choice or value.
// Answers that do not fit are re-asked (and after MAX_RETRIES the menu is offered), never an error.
import type { FlowAsk } from '../flows/schema.ts';
import { MAIN_FLOW, MENU_NODE } from '../flows/schema.ts';
import { FIRST_CHOICES, MORE_CHOICES, type ResolvedChoice } from './ask-choices.ts';
import { LISTEN_CHOICE } from './audible.ts';
import { recognizeChoice } from './choices.ts';
import { MAX_RETRIES, MAX_TEXT_LENGTH } from './limits.ts';
import { listen, voiceNote } from './routes.ts';
import type { Run } from './run.ts';
import { fillTemplate } from './template.ts';
import { normalizeText } from './text.ts';
import { MAX_TYPED_TEXT, typedValue } from './typed-answer.ts';
import type { Input } from './types.ts';

export function answer(run: Run, ask: FlowAsk, input: Exclude<Input, { kind: 'start' | 'notice' }>): void {
  const s = run.session;
  const all = run.choicesOf(ask);
  const choices = run.visibleChoices(all);
  if (input.kind === 'choice') {
    // 🔊 under any message, old or new, does what the keyword AUDIO does.
    if (input.id === LISTEN_CHOICE && !all.some((c) => c.id === LISTEN_CHOICE) && listen(run)) return;
    if (input.version !== s.askVersion) {
      run.say('error.stale_button');
      return run.reAsk();
    }
    const chosen = choices.find((c) => c.id === input.id) ?? all.find((c) => c.id === input.id);
    return chosen ? take(run, ask, chosen) : run.reAsk();
  }
  if (input.kind === 'media') {
    if (ask.accept_media && ask.save && input.ref) {
      attach(run, `${ask.save}_media`, input.ref);
      run.say('media.attached');
      return run.reAsk();
    }
    if (voiceNote(run, input)) return;
    run.say(`media.${input.media}`);
    return run.reAsk();
  }

  const text = input.text;
  if (text.length > MAX_TEXT_LENGTH) {
    run.say('error.too_long', { max: String(MAX_TEXT_LENGTH) });
    return run.reAsk();
  }
  const shown = recognizeChoice(text, run.candidates(choices), ask.type !== 'choice');
  // A label typed from another page of a long list counts too (numbers are those shown).
  const match =
    shown.kind === 'none' && choices.length < all.length && !/^\d+$/.test(normalizeText(text))
      ? recognizeChoice(text, run.candidates(all), ask.type !== 'choice')
      : shown;
  const byId = (id: string) => choices.find((c) => c.id === id) ?? all.find((c) => c.id === id)!;
  if (ask.type === 'choice') {
    if (match.kind === 'match') return take(run, ask, byId(match.id));
    // Free text (not emoji or punctuation alone) at a menu goes where the flow says, e.g. the FAQ search.
    if (match.kind === 'none' && ask.on_text && /\p{L}/u.test(text)) {
      s.vars.query = text;
      return run.enter(run.resolve(ask.on_text));
    }
    return retry(run, match.kind === 'out_of_range' ? 'error.out_of_range' : 'error.not_understood', choices.length);
  }

  // Typed answers: the extra choices (skip, cancel) are recognised by word only, so "2" stays a number.
  if (match.kind === 'match' && !/^\d+$/.test(normalizeText(text))) {
    return take(run, ask, byId(match.id));
  }
  const value = typedValue(ask, text);
  if (value === null) {
    // A text too long says its limit; the other kinds keep the count of choices.
    return retry(
      run,
      `error.invalid_${ask.type}`,
      ask.type === 'text' ? (ask.max_length ?? MAX_TYPED_TEXT) : choices.length,
    );
  }
  if (ask.save) s.vars[ask.save] = value;
  if (ask.save && ask.accept_media && input.media) attach(run, `${ask.save}_media`, input.media.ref);
  s.retries = 0;
  if (!ask.next) return run.brokenFlow('no_next', `${s.flow}:${s.node}`);
  run.enter(run.resolve(ask.next));
}

function take(run: Run, ask: FlowAsk, choice: ResolvedChoice): void {
  const s = run.session;
  s.retries = 0;
  if (choice.id === MORE_CHOICES || choice.id === FIRST_CHOICES) {
    s.page = choice.id === MORE_CHOICES ? (s.page ?? 0) + 1 : 0;
    return run.reAsk();
  }
  if (ask.save && choice.id !== 'skip' && choice.id !== 'cancel') s.vars[ask.save] = choice.id;
  for (const [k, v] of Object.entries(choice.set ?? {})) s.vars[k] = fillTemplate(v, s.vars);
  const target = choice.next ?? ask.next;
  if (!target) return run.brokenFlow('no_next', `${s.flow}:${s.node}:${choice.id}`);
  run.enter(run.resolve(target));
}

function retry(run: Run, key: string, count: number): void {
  const s = run.session;
  s.retries += 1;
  if (s.retries >= MAX_RETRIES) {
    s.retries = 0;
    run.say('error.too_many_tries');
    return run.enter({ flow: MAIN_FLOW, node: MENU_NODE });
  }
  run.say(key, { max: String(count) });
  run.reAsk();
}

/** Adds a file reference to a request's list of files (`<save>_media`). */
function attach(run: Run, key: string, ref: string): void {
  const vars = run.session.vars;
  vars[key] = vars[key] ? `${vars[key]},${ref}` : ref;
}

// The engine: one person's conversation state + one input -> new state + effects.
// Pure: no I/O, no clock of its own, no randomness. Input that does not fit is re-asked, never an error.
// This file decides what an input is (a start, a notice, a message recognised anywhere, an answer); the parts live
// beside it: entry.ts, routes.ts, answer.ts, and run.ts (entering and running nodes).
import type { FlowSet } from '../flows/schema.ts';
import { MAIN_FLOW, MENU_NODE } from '../flows/schema.ts';
import { answer } from './answer.ts';
import { LISTEN_CHOICE } from './audible.ts';
import { firstMessage, notice, start } from './entry.ts';
import { offerListening } from './listen.ts';
import { caseNumber, confused, distress, keyword, listen, voiceNote } from './routes.ts';
import { Run } from './run.ts';
import { normalizeText } from './text.ts';
import type { Effect, Env, Input, Session } from './types.ts';

export { MAX_CHOICES, MAX_RETRIES, MAX_STEPS_PER_INPUT, MAX_TEXT_LENGTH } from './limits.ts';

export type StepResult = { session: Session; effects: Effect[] };

export function step(flows: FlowSet, session: Session, input: Input, env: Env): StepResult {
  const run = new Run(flows, copySession(session), env);
  handle(run, input);
  offerListening(run.session, run.effects, env);
  return { session: run.session, effects: run.effects };
}

/**
 * The caller's session stays as it was: the run changes the copy's own fields, its vars and its place to come back
 * to, never anything deeper (all strings and numbers), so copying those is enough (structuredClone cost ~1% of a reply).
 */
function copySession(session: Session): Session {
  const copy: Session = { ...session, vars: { ...session.vars } };
  if (session.back) copy.back = { ...session.back };
  return copy;
}

function handle(run: Run, input: Input): void {
  const s = run.session;
  if (input.kind === 'start') return start(run, input.payload);
  if (input.kind === 'notice') return notice(run, input.notice);

  if (input.kind === 'text' && (distress(run, input.text) || caseNumber(run, input.text))) return;

  if (!s.node || !s.flow) {
    // 🔊 under the last message of a finished conversation still turns voice notes on.
    if (s.lang && input.kind === 'choice' && input.id === LISTEN_CHOICE && listen(run)) return;
    // New person, expired session, or a finished conversation.
    if (!s.lang && (input.kind === 'choice' || input.kind === 'text')) {
      if (input.kind === 'text' && firstMessage(run, input.text)) return;
      if (input.kind === 'choice' || /^\d+$/.test(normalizeText(input.text))) run.say('session.expired');
      return run.enter({ flow: MAIN_FLOW, node: run.flow(MAIN_FLOW)?.start ?? MENU_NODE });
    }
    if (input.kind === 'text' && keyword(run, input.text, { idle: true })) return;
    if (input.kind === 'media' && voiceNote(run, input)) return;
    return run.enter({ flow: MAIN_FLOW, node: MENU_NODE });
  }

  const node = run.node({ flow: s.flow, node: s.node });
  if (!node?.ask) {
    // The flows changed under a saved session: apologise and show the menu.
    run.effects.push({ type: 'flow_error', code: 'missing_node', detail: `${s.flow}:${s.node}` });
    run.say('error.flow_changed');
    return run.enter({ flow: MAIN_FLOW, node: MENU_NODE });
  }
  if (input.kind === 'text') {
    if (confused(run, input.text, node.ask)) return;
    const idle = s.flow === MAIN_FLOW && s.node === MENU_NODE;
    if (keyword(run, input.text, { typed: node.ask.type !== 'choice', idle })) return;
  }
  answer(run, node.ask, input);
}

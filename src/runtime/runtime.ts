// The runtime: for one input of one chat, take the chat's turn (lock + session + journal, ChatState), run the
// engine, commit the session (compare-and-set, stepped again on conflict), carry out the effects, and return the
// reply messages. A turn whose effects reach outside the session commits them with it as a journal and carries
// them out idempotently (journal.ts): a crash at any point loses and duplicates nothing.
// Around that (issue 9): a per-person flood limit before anything else; while Redis is down, a stateless answer
// from the in-memory content (an FAQ, or "try again in a few minutes"), an intake's answers kept for when it is back
// (held-inputs.ts); a count of inputs in flight for shutdown.
// Its parts: turn.ts (one turn, its lock held), carriers.ts (the effects carried out), journal-carrying.ts (journals
// and the recovery sweep), outage-replies.ts (answers while Redis is down); runtime-deps.ts holds its types.
import { MAX_TEXT_LENGTH } from '../engine/step.ts';
import type { Input } from '../engine/types.ts';
import { guessLanguage } from '../i18n/translator.ts';
import { pairedChatState } from '../infra/paired-chat-state.ts';
import { isRedisConnectionError } from '../infra/redis-outage.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { ChatState, TurnCounter } from '../ports/chat-state.ts';
import type { OutMessage } from '../ports/out-message.ts';
import { createCarriers } from './carriers.ts';
import { errorSummary } from './error-summary.ts';
import { HeldInputs } from './held-inputs.ts';
import { createJournalCarrying } from './journal-carrying.ts';
import { createOutageReplies } from './outage-replies.ts';
import type { InputMeta, RuntimeDeps, ServiceRuntime } from './runtime-deps.ts';
import { createChatTurns } from './turn.ts';

export { errorSummary } from './error-summary.ts';
export type { InputMeta, JournalStep, Runtime, RuntimeDeps, ServiceRuntime } from './runtime-deps.ts';

/** Longer texts are cut before anything looks at them (the engine still answers "too long"). */
const MAX_INPUT_CHARS = 4 * MAX_TEXT_LENGTH;

export function createRuntime(deps: RuntimeDeps): ServiceRuntime {
  const { presenter, logger } = deps;
  const state = chatStateOf(deps);
  // Answers given while Redis was down, handled once it is back (held-inputs.ts).
  const held = new HeldInputs<InputMeta>(deps.heldSpool);
  const outage = createOutageReplies(deps, held, handleOne);
  const carriers = createCarriers(deps, held);
  const journals = createJournalCarrying(deps, state, held, carriers, outage);
  const { once, floodAnswer } = createChatTurns(deps, state, carriers, journals, outage);
  const { likelyLanguage, statelessReply, holdAnswer, replayHeld } = outage;
  const { recover } = journals;
  let inFlight = 0;
  const drained: (() => void)[] = [];

  /** `replay`: a kept answer handled now (replayHeld), not a new one. */
  async function handleOne(chat: ChatRef, input: Input, meta: InputMeta, replay = false): Promise<OutMessage[]> {
    // Notices come from the bot itself, not from the person: they never count.
    const counts = deps.flood !== undefined && input.kind !== 'notice';
    const up = !deps.stateAvailable || deps.stateAvailable();
    // Counted in the turn's first round trip where the gate allows it, else here, before anything else.
    const counter = counts && up ? (deps.flood?.counter?.(chat) ?? undefined) : undefined;
    if (counts && !counter) {
      const verdict = await deps.flood!.check(chat);
      if (verdict !== 'ok') return floodAnswer(verdict, chat, input, meta);
    }
    if (!up) return statelessReply(chat, input, meta, replay);
    // Redis is back: what the person said while it was away comes first, in order.
    const before = !replay && held.size > 0 ? await replayHeld(chat) : [];
    if (before.length > 0) return [...before, ...(await handleUp(chat, input, meta, counter, replay))];
    return handleUp(chat, input, meta, counter, replay);
  }

  async function handleUp(
    chat: ChatRef,
    input: Input,
    meta: InputMeta,
    counter: TurnCounter | undefined,
    replay: boolean,
  ): Promise<OutMessage[]> {
    const platformLang = meta.platformLang;
    let referring = false;
    try {
      // Between the engine deciding a referral and its journal being committed, a failure loses it: say so.
      // Once committed, it is carried out whatever happens (recovery), so nobody is told it failed.
      return await once(
        chat,
        input,
        meta,
        (stage) => {
          referring = stage === 'decided';
        },
        counter,
      );
    } catch (err) {
      logger.error({ channel: chat.channel, input: input.kind, err: errorSummary(err) }, 'input failed');
      // Redis went away during the turn: an answer in the intake is kept for when it is back (even a "send").
      const kept = isRedisConnectionError(err) ? holdAnswer(chat, input, meta, replay) : null;
      if (kept) return kept;
      // A referral that could not be completed is never dropped silently: the person is told to try again.
      if (referring)
        return [{ paragraphs: [presenter.t(likelyLanguage(chat, input, platformLang), 'referral.try_later')] }];
      return statelessReply(chat, input, meta, replay);
    }
  }

  return {
    async handle(chat, input, meta) {
      inFlight += 1;
      const started = performance.now();
      try {
        const replies = await handleOne(chat, capped(input), meta ?? {});
        deps.observe?.(chat, replies.length, (performance.now() - started) / 1000);
        return replies;
      } catch (err) {
        // Only a bug gets here (every step above handles its own failures): still answer, never throw.
        logger.error({ channel: chat.channel, input: input.kind, err: errorSummary(err) }, 'input failed');
        return [{ paragraphs: [presenter.t(guessLanguage(meta?.platformLang), 'error.try_later')] }];
      } finally {
        inFlight -= 1;
        if (inFlight === 0) for (const resolve of drained.splice(0)) resolve();
      }
    },
    inFlight: () => inFlight,
    recover: async () => {
      // Redis away: nothing to recover from now (the outage is logged once elsewhere).
      if (deps.stateAvailable && !deps.stateAvailable()) return 0;
      return recover().catch((err: unknown) => {
        if (!isRedisConnectionError(err)) logger.warn({ err: errorSummary(err) }, 'journal recovery interrupted');
        return 0;
      });
    },
    drain: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => drained.push(resolve))),
  };
}

function chatStateOf(deps: RuntimeDeps): ChatState {
  if (deps.state) return deps.state;
  if (deps.store && deps.lock) return pairedChatState(deps.lock, deps.store);
  throw new Error('the runtime needs a chat state (or a lock and a session store)');
}

/** Absurdly long texts and payloads are cut before anything reads them. */
function capped(input: Input): Input {
  if (input.kind === 'text' && input.text.length > MAX_INPUT_CHARS) {
    return { kind: 'text', text: input.text.slice(0, MAX_INPUT_CHARS) };
  }
  if (input.kind === 'start' && input.payload && input.payload.length > MAX_INPUT_CHARS) {
    return { kind: 'start', payload: input.payload.slice(0, MAX_INPUT_CHARS) };
  }
  if (input.kind === 'choice' && input.id.length > MAX_INPUT_CHARS) {
    return { kind: 'choice', id: input.id.slice(0, MAX_INPUT_CHARS), version: input.version };
  }
  return input;
}

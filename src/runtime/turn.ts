// One turn of one chat, its lock held (ChatState): the flood limit counted with the lock, a journal left unfinished
// or a repeated press first, else a step of the engine whose session is committed (compare-and-set, stepped again
// on conflict) with the journal of its effects where they reach outside the session, then the effects carried out.
import { randomUUID } from 'node:crypto';
import { detectLanguage } from '../content/search/detect-language.ts';
import { step } from '../engine/step.ts';
import type { Env, Facts, Input, Lang } from '../engine/types.ts';
import { newSession } from '../engine/types.ts';
import { guessLanguage } from '../i18n/translator.ts';
import type { FloodVerdict } from '../infra/flood-gate.ts';
import { personRef } from '../infra/logger.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { AlongsideRead, ChatState, ChatTurn, TurnCounter } from '../ports/chat-state.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { OpenCaseFact } from '../ports/services.ts';
import { TEXT_ONLY } from './capabilities.ts';
import type { EffectCarriers } from './carriers.ts';
import { loadFacts } from './facts.ts';
import {
  type InputKey,
  inputKey,
  needsJournal,
  type PendingJournal,
  parseJournal,
  type TurnOptions,
} from './journal.ts';
import type { JournalCarrying } from './journal-carrying.ts';
import type { OutageReplies } from './outage-replies.ts';
import { presentResult } from './present-results.ts';
import type { InputMeta, RuntimeDeps } from './runtime-deps.ts';
import { loadVoices, recordingsFact, voiceFor } from './voice-facts.ts';

const MAX_SAVE_ATTEMPTS = 5;

/** Told when the engine decided a referral, and when its journal was committed. */
export type OnRefer = (stage: 'decided' | 'committed') => void;

export type ChatTurns = {
  /** One turn of the chat, its lock held. */
  once(chat: ChatRef, input: Input, meta: InputMeta, onRefer?: OnRefer, counter?: TurnCounter): Promise<OutMessage[]>;
  /** Over the limit: one polite answer, then silence for the rest of the window. */
  floodAnswer(verdict: FloodVerdict, chat: ChatRef, input: Input, meta: InputMeta): OutMessage[];
};

export function createChatTurns(
  deps: RuntimeDeps,
  state: ChatState,
  carriers: EffectCarriers,
  journals: JournalCarrying,
  outage: OutageReplies,
): ChatTurns {
  const { flows, catalog, presenter, logger } = deps;
  const { dispatch, eraseEverywhere } = carriers;
  const { carryOutJournal } = journals;
  const { remember, likelyLanguage } = outage;

  /** One turn of the chat, its lock held. */
  async function once(
    chat: ChatRef,
    input: Input,
    meta: InputMeta,
    onRefer?: OnRefer,
    counter?: TurnCounter,
  ): Promise<OutMessage[]> {
    return state.transact<OutMessage[], Facts>(
      chat,
      async (turn) => {
        if (counter && deps.flood) {
          // Counted with the lock (one round trip), or by the gate itself where the state cannot count.
          const verdict =
            turn.counted !== undefined && deps.flood.verdictOf
              ? deps.flood.verdictOf(turn.counted)
              : await deps.flood.check(chat);
          if (verdict !== 'ok') return floodAnswer(verdict, chat, input, meta);
        }
        return turnOf(chat, turn, input, meta, onRefer);
      },
      counter,
      // The facts are read in the lock's round trip (see ChatState.transact).
      factsWithLock(chat),
    );
  }

  const factsOf = (chat: ChatRef, openCases?: Promise<OpenCaseFact[]>, alerts?: Promise<boolean>): Promise<Facts> =>
    loadFacts(chat, {
      referrals: deps.referrals,
      subscriptions: deps.subscriptions,
      logger,
      ...(openCases ? { openCases } : {}),
      ...(alerts ? { alerts } : {}),
    });

  /**
   * The facts as read with the lock: the list of the person's cases and their alert subscription by the lock's own
   * script where it can.
   */
  function factsWithLock(chat: ChatRef): AlongsideRead<Facts> {
    const cases = deps.referrals?.openCasesRead?.(chat);
    const subscription = deps.subscriptions?.followsRead?.(chat);
    const read = (members: Promise<readonly string[]>, hash: Promise<Readonly<Record<string, string>>>) =>
      factsOf(chat, cases && members.then(cases.openCases), subscription && hash.then(subscription.follows));
    return Object.assign(read, {
      ...(cases ? { members: cases.set } : {}),
      ...(subscription ? { hash: subscription.hash } : {}),
    });
  }

  /** The turn itself: a journal left unfinished first, a repeated press, else a step of the engine. */
  async function turnOf(
    chat: ChatRef,
    turn: ChatTurn<Facts>,
    input: Input,
    meta: InputMeta,
    onRefer?: OnRefer,
  ): Promise<OutMessage[]> {
    const key = inputKey(input);
    // What the chat's last journaled turn left: a journal a dead process did not finish, or its result.
    let earlier: OutMessage[] = [];
    // The facts read with the lock, unless a journal carried out below changed them (a case opened...).
    let facts = turn.alongside;
    const journal = parseJournal(turn.snapshot.journal);
    if (journal?.state === 'pending') {
      // The input that was cut short, sent again: its result (given now, so a further repeat is an old press).
      // Another input: that result, then its own answer.
      const repeated = key !== '' && key === journal.input;
      const messages = await carryOutJournal(turn, journal, {
        origin: repeated ? 'replayed' : 'left',
        release: repeated,
      });
      if (repeated) return messages;
      earlier = messages;
      facts = undefined;
    } else if (journal?.state === 'done' && !journal.replayed && input.kind === 'choice' && key === journal.input) {
      // The same press again (same button, same question version) after its step was done, e.g. its reply was
      // lost with a process. (A typed text could as well answer the question shown since: only a journal still
      // pending, above, is taken as its repeat.)
      await turn.finish({ keep: JSON.stringify({ ...journal, replayed: true }), release: true });
      return journal.messages;
    }
    return [...earlier, ...(await stepAndCommit(chat, turn, input, meta, key, onRefer, facts))];
  }

  /** Over the limit: one polite answer, then silence for the rest of the window. */
  function floodAnswer(verdict: FloodVerdict, chat: ChatRef, input: Input, meta: InputMeta): OutMessage[] {
    if (verdict === 'drop') return [];
    logger.warn({ channel: chat.channel }, 'flood limit reached, ignoring this person for the rest of the window');
    return [{ paragraphs: [presenter.t(likelyLanguage(chat, input, meta.platformLang), 'error.flood')] }];
  }

  async function stepAndCommit(
    chat: ChatRef,
    turn: ChatTurn,
    input: Input,
    meta: InputMeta,
    key: InputKey,
    onRefer?: OnRefer,
    readFacts?: Promise<Facts>,
  ): Promise<OutMessage[]> {
    const platformLang = meta.platformLang;
    for (let attempt = 1; attempt <= MAX_SAVE_ATTEMPTS; attempt++) {
      if (attempt > 1) await turn.reload();
      // Read with the lock for the first attempt; again after a conflict (someone else changed the chat).
      const facts = await (attempt === 1 && readFacts ? readFacts : factsOf(chat));
      const capabilities = meta.capabilities ?? TEXT_ONLY;
      // Only where voice notes can be sent (no read, no await for the terminal or a bot without recordings).
      const voices = deps.voices && capabilities.voice ? await loadVoices(deps.voices, capabilities, logger) : null;
      const before = turn.snapshot.session ?? newSession();
      const env: Env = {
        lang: before.lang ?? guessLanguage(platformLang),
        content: catalog,
        channel: chat.channel,
        facts,
        labelTexts: presenter.labelTexts,
        detectLanguage,
        ...(voices ? { recordings: recordingsFact(voices) } : {}),
      };
      const { session, effects } = step(flows, before, input, env);
      const lang: Lang = session.lang ?? env.lang;
      const wantsAudio = session.vars.audio === 'yes';
      const voice = wantsAudio ? voiceFor(effects, voices, lang) : undefined;
      const options: TurnOptions = { capabilities, wantsAudio, ...(voice ? { voice } : {}) };
      const refers = effects.some((e) => e.type === 'refer');
      if (refers) onRefer?.('decided');
      const erases = effects.some((e) => e.type === 'erase_my_data');
      let pending: PendingJournal | null = null;
      if (erases) {
        // Everything else first, the session last: if a service fails, nothing claims the data is gone and the
        // person is still at the "erase?" question, so they can confirm again.
        const erasure = await eraseEverywhere(chat);
        if (!erasure.erased) return presentResult(presenter, { kind: 'erasure', result: erasure }, lang);
        if (!(await turn.commit({ session: null, release: true }))) continue;
      } else if (needsJournal(effects)) {
        // The session and the effects it decided, together: a crash from here on loses neither (see journal.ts).
        pending = { v: 1, state: 'pending', id: randomUUID(), chat, input: key, lang, options, effects };
        if (!(await turn.commit({ session, journal: JSON.stringify(pending) }))) {
          logger.warn({ channel: chat.channel, attempt }, 'session changed meanwhile, stepping again');
          continue;
        }
        if (refers) onRefer?.('committed');
        deps.onJournalStep?.('committed');
      } else if (!(await turn.commit({ session, release: true }))) {
        // Another process saved this chat meanwhile (its lock expired under a stalled holder): redo on fresh state.
        logger.warn({ channel: chat.channel, attempt }, 'session changed meanwhile, stepping again');
        continue;
      }
      remember(
        chat,
        erases
          ? undefined
          : { lang, ...(session.flow ? { flow: session.flow } : {}), ...(session.node ? { node: session.node } : {}) },
      );
      // `text` is redacted by the logger unless LOG_MESSAGE_TEXT=true; the person is a keyed hash, never the chat id.
      if (logger.isLevelEnabled('debug')) {
        logger.debug(
          {
            channel: chat.channel,
            person: personRef(chat),
            input: input.kind,
            ...(input.kind === 'text' ? { text: input.text } : {}),
            at: session.node ? `${session.flow}:${session.node}` : null,
            effects: effects.map((e) => e.type),
          },
          'input handled',
        );
      }
      if (pending) return carryOutJournal(turn, pending, { origin: 'fresh', release: true });
      return dispatch(chat, effects, lang, options);
    }
    logger.error({ channel: chat.channel }, 'session save kept conflicting');
    return [{ paragraphs: [presenter.t(guessLanguage(platformLang), 'error.busy')] }];
  }

  return { once, floodAnswer };
}

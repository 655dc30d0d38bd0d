// The runtime: for one input of one chat, take the chat's turn (lock + session + journal, ChatState), run the
// engine, commit the session (compare-and-set, stepped again on conflict), carry out the effects, and return the
// reply messages. A turn whose effects reach outside the session commits them with it as a journal and carries
// them out idempotently (journal.ts): a crash at any point loses and duplicates nothing.
// Around that (issue 9): a per-person flood limit before anything else; while Redis is down, a stateless answer
// from the in-memory content (an FAQ, or "try again in a few minutes"), an intake's answers kept for when it is back
// (held-inputs.ts); a count of inputs in flight for shutdown.
import { randomUUID } from 'node:crypto';
import { detectLanguage } from '../content/search/detect-language.ts';
import { MAX_TEXT_LENGTH, step } from '../engine/step.ts';
import type { ContentCatalog, Effect, EffectOf, EffectType, Env, Facts, Input, Lang } from '../engine/types.ts';
import { newSession } from '../engine/types.ts';
import type { FlowSet } from '../flows/schema.ts';
import { guessLanguage } from '../i18n/translator.ts';
import type { FloodGate, FloodVerdict } from '../infra/flood-gate.ts';
import { type Logger, personRef } from '../infra/logger.ts';
import { pairedChatState } from '../infra/paired-chat-state.ts';
import { isRedisConnectionError } from '../infra/redis-outage.ts';
import { type ChatRef, chatKey } from '../ports/chat.ts';
import type { ChatLock } from '../ports/chat-lock.ts';
import type { ChatState, ChatTurn, TurnCounter } from '../ports/chat-state.ts';
import type { Clock } from '../ports/clock.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { Outbox } from '../ports/outbox.ts';
import type { ErasureResult, ReferralIntake, Subscriptions } from '../ports/services.ts';
import type { SessionStore } from '../ports/session-store.ts';
import type { ApprovedVoices } from '../ports/voices.ts';
import { type ChannelCapabilities, TEXT_ONLY } from './capabilities.ts';
import { loadFacts } from './facts.ts';
import { HeldInputs } from './held-inputs.ts';
import {
  type DoneJournal,
  effectKey,
  type InputKey,
  inputKey,
  needsJournal,
  type PendingJournal,
  parseJournal,
  type TurnOptions,
} from './journal.ts';
import { deliverJournal } from './journal-delivery.ts';
import type { Presenter } from './present.ts';
import { presentResult, type ServiceResult } from './present-results.ts';
import { loadVoices, recordingsFact, voiceFor } from './voice-facts.ts';

export type InputMeta = {
  platformLang?: string;
  /** What the person's channel can show (buttons, voice...); a plain text channel when absent. */
  capabilities?: ChannelCapabilities;
};

export interface Runtime {
  /** Handles one input for one chat and returns the reply, in order. Never throws. */
  handle(chat: ChatRef, input: Input, meta?: InputMeta): Promise<OutMessage[]>;
}

/** What the service (graceful shutdown, health) needs besides `handle`. */
export interface ServiceRuntime extends Runtime {
  /** Inputs being handled right now (waiting for their chat's turn included). */
  inFlight(): number;
  /** Resolves once no input is in flight. Stop the channels first, so nothing new arrives meanwhile. */
  drain(): Promise<void>;
  /** Finishes journals left by processes that died (see journal.ts); returns how many. Never throws. */
  recover(): Promise<number>;
}

export type RuntimeDeps = {
  flows: FlowSet;
  catalog: ContentCatalog;
  presenter: Presenter;
  /** The chats' lock, session and effects journal (RedisChatState in the bot). */
  state?: ChatState;
  /** Or the older pair, for tools and tests (the journal then lives in memory only). */
  store?: SessionStore;
  lock?: ChatLock;
  clock: Clock;
  logger: Logger;
  referrals?: ReferralIntake;
  subscriptions?: Subscriptions;
  /** Per-person rate limit, checked before the chat lock and the engine. */
  flood?: FloodGate;
  /** More stores holding something about a person (channel marks...), erased with "EFFACER". */
  erasers?: readonly { eraseFor(chat: ChatRef): Promise<void> }[];
  /** Called after each input with the number of reply messages and the seconds it took (for /metrics). */
  observe?: (chat: ChatRef, replies: number, seconds: number) => void;
  /** False while the state store (Redis) is known to be unreachable: answer statelessly at once. */
  stateAvailable?: () => boolean;
  /** Sends what a journal finished by the recovery sweep has to say (its person is not waiting for a reply). */
  outbox?: Outbox;
  /** Approved recordings (issue 18): 🔊 is offered, and voice notes sent, where one exists in the person's language. */
  voices?: ApprovedVoices;
  /** Called at each step of a journaled turn (crash tests kill the process there). */
  onJournalStep?: (step: JournalStep) => void;
};

/**
 * committed: session + journal written; carried: effects done; delivered: their reply sent through the outbox
 * (journal-delivery.ts); finished: journal turned into the result.
 */
export type JournalStep = 'committed' | 'carried' | 'delivered' | 'finished';

const MAX_SAVE_ATTEMPTS = 5;
/** Longer texts are cut before anything looks at them (the engine still answers "too long"). */
const MAX_INPUT_CHARS = 4 * MAX_TEXT_LENGTH;
/** People this process remembers (language, flow) for stateless answers while Redis is down. */
const REMEMBERED_PEOPLE = 10_000;
/** A pending journal older than this belongs to a dead process (a live one renews its lock, see ChatState). */
const ABANDONED_AFTER_MS = 5_000;

export function createRuntime(deps: RuntimeDeps): ServiceRuntime {
  const { flows, catalog, presenter, clock, logger } = deps;
  const state = chatStateOf(deps);
  // What this process last knew of each person (language, flow), for answers given while Redis is down.
  const known = new Map<string, { lang: Lang; flow?: string; node?: string }>();
  const referralFlows = flowsThatRefer(flows);
  const sendingNodes = nodesThatSend(flows);
  // Answers given while Redis was down, handled once it is back (held-inputs.ts).
  const held = new HeldInputs<InputMeta>();
  const replaying = new Map<string, Promise<OutMessage[]>>();
  let inFlight = 0;
  const drained: (() => void)[] = [];

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
      () => factsOf(chat),
    );
  }

  const factsOf = (chat: ChatRef): Promise<Facts> =>
    loadFacts(chat, { referrals: deps.referrals, subscriptions: deps.subscriptions, logger });

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
      const messages = await carryOutJournal(turn, journal, repeated, repeated);
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
        now: clock.now(),
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
      if (pending) return carryOutJournal(turn, pending, true);
      return dispatch(chat, effects, lang, options);
    }
    logger.error({ channel: chat.channel }, 'session save kept conflicting');
    return [{ paragraphs: [presenter.t(guessLanguage(platformLang), 'error.busy')] }];
  }

  /** Carries out a pending journal (again, after a crash: idempotently) and keeps its result for a repeat. */
  async function carryOutJournal(
    turn: ChatTurn,
    journal: PendingJournal,
    release: boolean,
    replayed = false,
  ): Promise<OutMessage[]> {
    const messages = await dispatch(journal.chat, journal.effects, journal.lang, journal.options, journal);
    deps.onJournalStep?.('carried');
    // Sent before the journal is marked done: a crash before that point delivers it again, never not at all.
    const delivered = await deliverJournal(deps.outbox, journal.chat, messages, logger);
    if (delivered) deps.onJournalStep?.('delivered');
    const reply = delivered ? [] : messages;
    const done: DoneJournal = {
      v: 1,
      state: 'done',
      input: journal.input,
      messages,
      ...(replayed ? { replayed } : {}),
    };
    try {
      await turn.finish({ keep: JSON.stringify(done), release });
    } catch (err) {
      // Done but not recorded as done (Redis failed just now): recovery carries it out again, idempotently.
      logger.warn({ channel: journal.chat.channel, err: errorSummary(err) }, 'journal not marked done');
      return reply;
    }
    deps.onJournalStep?.('finished');
    return reply;
  }

  /**
   * Finishes the journals of processes that died mid-turn and whose person has not written since, and sends what
   * they have to say (the confirmation of a referral...). Returns how many were finished.
   */
  async function recover(): Promise<number> {
    let finished = 0;
    for (const text of (await state.pendingJournals?.(ABANDONED_AFTER_MS, 50)) ?? []) {
      const found = parseJournal(text);
      if (found?.state !== 'pending') continue;
      const messages = await state.transact(found.chat, async (turn) => {
        const journal = parseJournal(turn.snapshot.journal);
        // Finished meanwhile (the person wrote again), or replaced: nothing left to do.
        if (journal?.state !== 'pending') return null;
        return carryOutJournal(turn, journal, true);
      });
      if (!messages) continue;
      finished += 1;
      // Left undelivered (no outbox, or its send failed): nobody is waiting for a reply to take them.
      if (messages.length > 0) logger.warn({ channel: found.chat.channel }, 'recovered reply not sent');
    }
    for (const chat of held.people()) {
      const messages = await replayHeld(chat);
      if (messages.length > 0) {
        await deps.outbox?.send(chat, messages).catch((err: unknown) => {
          logger.warn({ channel: chat.channel, err: errorSummary(err) }, 'reply to a kept answer not sent');
        });
      }
    }
    return finished;
  }

  /**
   * The person's answers kept during an outage, handled now in the order they came; their replies. A replay
   * already running for the person (the sweep, or their own new message) is waited for: its replies go there.
   */
  function replayHeld(chat: ChatRef): Promise<OutMessage[]> {
    const key = chatKey(chat);
    const running = replaying.get(key);
    if (running) return running.then(() => []);
    if (!held.has(chat)) return Promise.resolve([]);
    const work = (async () => {
      const out: OutMessage[] = [];
      for (const { input, meta } of held.take(chat)) out.push(...(await handleOne(chat, input, meta, true)));
      return out;
    })().finally(() => replaying.delete(key));
    replaying.set(key, work);
    return work;
  }

  /**
   * Keeps the answer of a person in the middle of a referral for when Redis is back, and says so; null when it
   * cannot be kept (not in a referral, nothing to send the reply later with, or too many kept already).
   */
  function holdAnswer(chat: ChatRef, input: Input, meta: InputMeta, replay: boolean): OutMessage[] | null {
    if (!deps.outbox || (input.kind !== 'text' && input.kind !== 'choice')) return null;
    const flow = known.get(chatKey(chat))?.flow;
    if (!flow || !referralFlows.has(flow) || !held.hold(chat, input, meta)) return null;
    // Kept again (Redis went away again before it could be handled): they were told already.
    if (replay) return [];
    return [{ paragraphs: [presenter.t(likelyLanguage(chat, input, meta.platformLang), 'error.answer_kept')] }];
  }

  /** Presents the effects in order, calling services where an effect asks for it. */
  async function dispatch(
    chat: ChatRef,
    effects: Effect[],
    lang: Lang,
    options: TurnOptions,
    journal?: PendingJournal,
  ): Promise<OutMessage[]> {
    const out: OutMessage[] = [];
    let shown: Effect[] = [];
    const flush = () => {
      out.push(...presenter.present(shown, lang, options));
      shown = [];
    };
    for (const [index, effect] of effects.entries()) {
      const carry = carriers[effect.type] as Carrier<typeof effect.type>;
      if (carry === SHOWN) {
        // Most effects are only shown: no call (and no await) for them.
        shown.push(effect);
        continue;
      }
      const messages = await carryOut(chat, effect, lang, carry, journal && effectKey(journal, index));
      flush();
      out.push(...messages);
    }
    flush();
    return out;
  }

  /** A service effect's result, worded; a failing service never loses the request silently: the person is told. */
  async function carryOut<K extends EffectType>(
    chat: ChatRef,
    effect: EffectOf<K>,
    lang: Lang,
    carry: Exclude<Carrier<K>, typeof SHOWN>,
    key: string | undefined,
  ): Promise<OutMessage[]> {
    let result: ServiceResult;
    try {
      result = await carry(effect, chat, lang, key);
    } catch (err) {
      logger.error({ effect: effect.type, err: errorSummary(err) }, 'service failed');
      result = { kind: 'service_failed', effect: effect.type };
    }
    return presentResult(presenter, result, lang);
  }

  const DONE: ServiceResult = { kind: 'done' };
  const NO_ALERTS: ServiceResult = { kind: 'alerts_unavailable' };

  /**
   * What each effect needs: SHOWN (the presenter words it) or a service call returning its result (data, worded by
   * present-results.ts).
   * Typed over every effect type: a new effect does not compile until it is handled here.
   */
  const carriers = {
    say: SHOWN,
    ask: SHOWN,
    show_faq: SHOWN,
    show_contacts: SHOWN,
    show_emergency: SHOWN,
    set_language: SHOWN,
    play_audio: SHOWN,
    end: SHOWN,
    refer: async (effect, chat, lang) => ({
      kind: 'intake',
      result: deps.referrals
        ? await deps.referrals.intake(chat, effect, lang)
        : { created: false, reason: 'unavailable' },
    }),
    subscribe: async (effect, chat, lang) => {
      if (!deps.subscriptions) return NO_ALERTS;
      await deps.subscriptions.subscribe(chat, effect.topics, lang, effect.region);
      return DONE;
    },
    unsubscribe: async (effect, chat) => {
      if (!deps.subscriptions) return NO_ALERTS;
      await deps.subscriptions.unsubscribe(chat, effect.topics);
      return DONE;
    },
    list_subscriptions: async (_effect, chat) => ({
      kind: 'subscriptions',
      result: deps.subscriptions
        ? { available: true, topics: await deps.subscriptions.list(chat) }
        : { available: false },
    }),
    pause: async (_effect, chat) => {
      await deps.subscriptions?.pause(chat);
      return DONE;
    },
    // Done before the session was erased (see `once`): nothing more to do here.
    erase_my_data: async () => DONE,
    case_status: async (effect, chat) => ({
      kind: 'case_status',
      result: (await deps.referrals?.statusFor?.(chat, effect.no)) ?? {
        found: false,
        no: effect.no,
        reason: 'unavailable',
      },
    }),
    answer_transfer: async (effect, chat) => ({
      kind: 'transfer_answer',
      no: effect.no,
      result: (await deps.referrals?.answerTransfer?.(chat, effect.no, effect.accept)) ?? null,
    }),
    // Keyed by its journal entry: carried out again after a crash, staff still get the message once.
    relay_to_staff: async (effect, chat, _lang, key) => {
      const relayed = (await deps.referrals?.relayFromPerson?.(chat, effect.text, key)) ?? false;
      return { kind: 'relay', result: relayed ? { relayed } : { relayed, reason: 'no_claimed_case' } };
    },
    flow_error: async (effect) => {
      logger.error({ code: effect.code, detail: effect.detail }, 'flow error');
      return DONE;
    },
  } satisfies { [K in EffectType]: Carrier<K> };

  /** Every store that holds something about the person, except the session; not erased if one of them failed. */
  async function eraseEverywhere(chat: ChatRef): Promise<ErasureResult> {
    held.forget(chat);
    const erasers = [deps.referrals, deps.subscriptions, deps.flood, ...(deps.erasers ?? [])];
    const results = await Promise.allSettled(erasers.map((e) => e?.eraseFor?.(chat)));
    const failed = results.find((r) => r.status === 'rejected');
    if (!failed) return { erased: true };
    logger.error(
      { channel: chat.channel, err: errorSummary((failed as PromiseRejectedResult).reason) },
      'erasure failed',
    );
    return { erased: false, reason: 'failed' };
  }

  function remember(chat: ChatRef, state: { lang: Lang; flow?: string; node?: string } | undefined): void {
    const key = chatKey(chat);
    known.delete(key);
    if (!state) return;
    if (known.size >= REMEMBERED_PEOPLE) known.delete(known.keys().next().value!);
    known.set(key, state);
  }

  /** The language for an answer given without the session. */
  function likelyLanguage(chat: ChatRef, input: Input, platformLang?: string): Lang {
    const lang = known.get(chatKey(chat))?.lang;
    if (lang) return lang;
    if (!platformLang && input.kind === 'text') return detectLanguage(input.text) ?? guessLanguage(undefined);
    return guessLanguage(platformLang);
  }

  /**
   * An answer without the session (Redis unreachable): a question gets its FAQ from the in-memory content, a
   * press on an FAQ button or an FAQ deep link shows that FAQ; a person in the referral intake is told their
   * request cannot be sent now; anything else is asked to try again in a few minutes. The saved conversation is
   * untouched, so it resumes where it was once Redis is back. A person in the intake has their answer kept for then
   * (holdAnswer) where it can be.
   */
  function statelessReply(chat: ChatRef, input: Input, meta: InputMeta, replay = false): OutMessage[] {
    // A notice nobody could step (Redis away): nothing to say; whoever sent it is told nothing was sent.
    if (input.kind === 'notice') return [];
    const kept = holdAnswer(chat, input, meta, replay);
    if (kept) return kept;
    const { platformLang, capabilities } = meta;
    const lang = likelyLanguage(chat, input, platformLang);
    const { flow, node } = known.get(chatKey(chat)) ?? {};
    // At the step that sends a referral: it could not be sent. Earlier in the intake nothing was sent yet: never
    // "your request could not be sent" there, and never an FAQ for a typed answer; they are asked to try again.
    if (flow && node && sendingNodes.has(`${flow}:${node}`)) {
      return [{ paragraphs: [presenter.t(lang, 'referral.try_later')] }];
    }
    if (flow && referralFlows.has(flow)) return [{ paragraphs: [presenter.t(lang, 'error.try_later')] }];
    try {
      const faqId = faqWithoutSession(input);
      if (faqId) {
        return presenter.present([{ type: 'show_faq', faqId, part: 'short' }], lang, {
          capabilities: capabilities ?? TEXT_ONLY,
        });
      }
    } catch (err) {
      logger.error({ channel: chat.channel, err: errorSummary(err) }, 'stateless answer failed');
    }
    return [{ paragraphs: [presenter.t(lang, 'error.try_later')] }];
  }

  function faqWithoutSession(input: Input): string | null {
    switch (input.kind) {
      case 'text':
        return input.text.length <= MAX_TEXT_LENGTH ? catalog.search(input.text, null).match : null;
      case 'choice':
        return catalog.faqIds.has(input.id) ? input.id : null;
      case 'start': {
        const payload = input.payload ?? '';
        for (const { link } of flows.deeplinks) {
          const rest = payload.startsWith(link.prefix) ? payload.slice(link.prefix.length) : '';
          if (link.check === 'faq' && catalog.faqIds.has(rest)) return rest;
        }
        return null;
      }
      default:
        return null;
    }
  }

  /** `replay`: a kept answer handled now (replayHeld), not a new one. */
  async function handleOne(chat: ChatRef, input: Input, meta: InputMeta, replay = false): Promise<OutMessage[]> {
    // Timeouts and notices come from the bot itself, not from the person: they never count.
    const counts = deps.flood !== undefined && input.kind !== 'timeout' && input.kind !== 'notice';
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

type OnRefer = (stage: 'decided' | 'committed') => void;

/** Marks an effect that is only shown by the presenter (no service). */
const SHOWN = 'shown' as const;
/** How the runtime carries out one effect type: SHOWN, or a service call returning its result (data). */
type Carrier<K extends EffectType> =
  | typeof SHOWN
  | ((effect: EffectOf<K>, chat: ChatRef, lang: Lang, key: string | undefined) => Promise<ServiceResult>);

function chatStateOf(deps: RuntimeDeps): ChatState {
  if (deps.state) return deps.state;
  if (deps.store && deps.lock) return pairedChatState(deps.lock, deps.store);
  throw new Error('the runtime needs a chat state (or a lock and a session store)');
}

/** Flows with a `refer` action: while Redis is down, a person in one of them is in the middle of a referral. */
function flowsThatRefer(flows: FlowSet): Set<string> {
  const out = new Set<string>();
  for (const [id, flow] of Object.entries(flows.flows)) {
    if (Object.values(flow.nodes).some((node) => (node.do ?? []).some((action) => 'refer' in action))) out.add(id);
  }
  return out;
}

/**
 * Where a press or answer sends a referral: `flow:node` of every node with a choice (or a `next`) leading to a node
 * with a `refer` action. While Redis is down, a person there is told their request could not be sent; a person
 * elsewhere in the intake has sent nothing yet.
 */
function nodesThatSend(flows: FlowSet): Set<string> {
  const out = new Set<string>();
  for (const [flowId, flow] of Object.entries(flows.flows)) {
    const refers = (target: string | undefined) => {
      if (!target) return false;
      const [f, n] = target.includes(':') ? target.split(':', 2) : [flowId, target];
      const node = flows.flows[f ?? '']?.nodes[n ?? ''];
      return Boolean(node && (node.do ?? []).some((action) => 'refer' in action));
    };
    for (const [nodeId, node] of Object.entries(flow.nodes)) {
      const choices = (node.ask && 'choices' in node.ask ? node.ask.choices : undefined) ?? [];
      const targets = [node.next, ...choices.map((c: { next?: string }) => c.next)];
      if (targets.some((t) => refers(typeof t === 'string' ? t : undefined))) out.add(`${flowId}:${nodeId}`);
    }
  }
  return out;
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

/** Error name and message only: stacks and causes may carry request bodies. */
export function errorSummary(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

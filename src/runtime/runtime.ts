// The runtime: for one input of one chat, lock the chat, load its session, run the engine, save the session
// (compare-and-set, retried on conflict), carry out the effects, and return the reply messages.
// Around that (issue 9): a per-person flood limit before anything else; while Redis is down, a stateless answer
// from the in-memory content (an FAQ, or "try again in a few minutes"); a count of inputs in flight for shutdown.
import { detectLanguage } from '../content/search/detect-language.ts';
import { MAX_TEXT_LENGTH, step } from '../engine/step.ts';
import type { ContentCatalog, Effect, EffectOf, EffectType, Env, Input, Lang } from '../engine/types.ts';
import { newSession } from '../engine/types.ts';
import type { FlowSet } from '../flows/schema.ts';
import { guessLanguage } from '../i18n/translator.ts';
import type { FloodGate } from '../infra/flood-gate.ts';
import { type Logger, personRef } from '../infra/logger.ts';
import { type ChatRef, chatKey } from '../ports/chat.ts';
import type { ChatLock } from '../ports/chat-lock.ts';
import type { Clock } from '../ports/clock.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { ReferralIntake, Subscriptions } from '../ports/services.ts';
import type { SessionStore } from '../ports/session-store.ts';
import { type ChannelCapabilities, TEXT_ONLY } from './capabilities.ts';
import { loadFacts } from './facts.ts';
import type { Presenter } from './present.ts';

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
}

export type RuntimeDeps = {
  flows: FlowSet;
  catalog: ContentCatalog;
  presenter: Presenter;
  store: SessionStore;
  lock: ChatLock;
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
};

const MAX_SAVE_ATTEMPTS = 5;
/** Longer texts are cut before anything looks at them (the engine still answers "too long"). */
const MAX_INPUT_CHARS = 4 * MAX_TEXT_LENGTH;
/** People this process remembers (language, flow) for stateless answers while Redis is down. */
const REMEMBERED_PEOPLE = 10_000;

export function createRuntime(deps: RuntimeDeps): ServiceRuntime {
  const { flows, catalog, presenter, store, lock, clock, logger } = deps;
  // What this process last knew of each person (language, flow), for answers given while Redis is down.
  const known = new Map<string, { lang: Lang; flow?: string }>();
  const referralFlows = flowsThatRefer(flows);
  let inFlight = 0;
  const drained: (() => void)[] = [];

  async function once(chat: ChatRef, input: Input, meta: InputMeta, onRefer?: () => void): Promise<OutMessage[]> {
    const platformLang = meta.platformLang;
    for (let attempt = 1; attempt <= MAX_SAVE_ATTEMPTS; attempt++) {
      const [stored, facts] = await Promise.all([
        store.load(chat),
        loadFacts(chat, { referrals: deps.referrals, subscriptions: deps.subscriptions, logger }),
      ]);
      const before = stored?.session ?? newSession();
      const env: Env = {
        lang: before.lang ?? guessLanguage(platformLang),
        content: catalog,
        now: clock.now(),
        channel: chat.channel,
        facts,
        labelTexts: presenter.labelTexts,
        detectLanguage,
      };
      const { session, effects } = step(flows, before, input, env);
      const lang: Lang = session.lang ?? env.lang;
      if (effects.some((e) => e.type === 'refer')) onRefer?.();
      const erases = effects.some((e) => e.type === 'erase_my_data');
      if (erases) {
        // Everything else first, the session last: if a service fails, nothing claims the data is gone and the
        // person is still at the "erase?" question, so they can confirm again.
        try {
          await eraseEverywhere(chat);
        } catch (err) {
          logger.error({ channel: chat.channel, err: errorSummary(err) }, 'erasure failed');
          return [{ paragraphs: [presenter.t(lang, 'error.erase_failed')] }];
        }
        await store.erase(chat);
      } else if (!(await store.save(chat, session, stored?.rev ?? 0))) {
        // Another process saved this chat meanwhile (the lock expired or was bypassed): redo on fresh state.
        logger.warn({ channel: chat.channel, attempt }, 'session changed meanwhile, stepping again');
        continue;
      }
      remember(chat, erases ? undefined : { lang, ...(session.flow ? { flow: session.flow } : {}) });
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
      return dispatch(chat, effects, lang, {
        capabilities: meta.capabilities ?? TEXT_ONLY,
        wantsAudio: session.vars.audio === 'yes',
      });
    }
    logger.error({ channel: chat.channel }, 'session save kept conflicting');
    return [{ paragraphs: [presenter.t(guessLanguage(platformLang), 'error.busy')] }];
  }

  /** Presents the effects in order, calling services where an effect asks for it. */
  async function dispatch(
    chat: ChatRef,
    effects: Effect[],
    lang: Lang,
    options: { capabilities: ChannelCapabilities; wantsAudio: boolean },
  ): Promise<OutMessage[]> {
    const out: OutMessage[] = [];
    let shown: Effect[] = [];
    const flush = () => {
      out.push(...presenter.present(shown, lang, options));
      shown = [];
    };
    for (const effect of effects) {
      const carry = carriers[effect.type] as Carrier<typeof effect.type>;
      if (carry === SHOWN) {
        // Most effects are only shown: no call (and no await) for them.
        shown.push(effect);
        continue;
      }
      const messages = await carryOut(chat, effect, lang, carry);
      flush();
      out.push(...messages);
    }
    flush();
    return out;
  }

  /** A service effect's messages; a failing service never loses the request silently: the person is told. */
  async function carryOut<K extends EffectType>(
    chat: ChatRef,
    effect: EffectOf<K>,
    lang: Lang,
    carry: Exclude<Carrier<K>, typeof SHOWN>,
  ): Promise<OutMessage[]> {
    try {
      return await carry(effect, chat, lang);
    } catch (err) {
      logger.error({ effect: effect.type, err: errorSummary(err) }, 'service failed');
      return say(lang, effect.type === 'refer' ? 'referral.try_later' : 'error.try_later');
    }
  }

  const say = (lang: Lang, key: string): OutMessage[] => [{ paragraphs: [presenter.t(lang, key)] }];

  /**
   * What each effect needs: SHOWN (the presenter words it) or a service call returning what to tell the person.
   * Typed over every effect type: a new effect does not compile until it is handled here.
   */
  const carriers = {
    say: SHOWN,
    ask: SHOWN,
    show_faq: SHOWN,
    show_contacts: SHOWN,
    show_emergency: SHOWN,
    set_language: SHOWN,
    end: SHOWN,
    refer: async (effect, chat, lang) => {
      if (!deps.referrals) return say(lang, 'referral.unavailable');
      return await deps.referrals.intake(chat, effect, lang);
    },
    subscribe: async (effect, chat, lang) => {
      if (!deps.subscriptions) return say(lang, 'alerts.unavailable');
      await deps.subscriptions.subscribe(chat, effect.topics, lang, effect.region);
      return [];
    },
    unsubscribe: async (effect, chat, lang) => {
      if (!deps.subscriptions) return say(lang, 'alerts.unavailable');
      await deps.subscriptions.unsubscribe(chat, effect.topics);
      return [];
    },
    list_subscriptions: async (_effect, chat, lang) => {
      if (!deps.subscriptions) return say(lang, 'alerts.unavailable');
      const topics = await deps.subscriptions.list(chat);
      if (topics.length === 0) return say(lang, 'alerts.none');
      const names = topics.map((id) => `• ${presenter.label({ alertTopic: id }, lang)}`);
      return [{ paragraphs: [presenter.t(lang, 'alerts.your_topics'), ...names] }];
    },
    pause: async (_effect, chat) => {
      await deps.subscriptions?.pause(chat);
      return [];
    },
    // Done before the session was erased (see `once`): nothing more to do here.
    erase_my_data: async () => [],
    case_status: async (effect, chat, lang) => {
      const status = await deps.referrals?.statusFor?.(chat, effect.no, lang);
      return status ?? say(lang, 'referral.unavailable');
    },
    relay_to_staff: async (effect, chat, lang) => {
      const relayed = (await deps.referrals?.relayFromPerson?.(chat, effect.text)) ?? false;
      return say(lang, relayed ? 'referral.relayed' : 'referral.relay_failed');
    },
    flow_error: async (effect) => {
      logger.error({ code: effect.code, detail: effect.detail }, 'flow error');
      return [];
    },
  } satisfies { [K in EffectType]: Carrier<K> };

  /** Every store that holds something about the person, except the session. Throws if one of them fails. */
  async function eraseEverywhere(chat: ChatRef): Promise<void> {
    const erasers = [deps.referrals, deps.subscriptions, deps.flood, ...(deps.erasers ?? [])];
    const results = await Promise.allSettled(erasers.map((e) => e?.eraseFor?.(chat)));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  function remember(chat: ChatRef, state: { lang: Lang; flow?: string } | undefined): void {
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
   * untouched, so it resumes where it was once Redis is back.
   */
  function statelessReply(chat: ChatRef, input: Input, meta: InputMeta): OutMessage[] {
    const { platformLang, capabilities } = meta;
    const lang = likelyLanguage(chat, input, platformLang);
    const flow = known.get(chatKey(chat))?.flow;
    if (flow && referralFlows.has(flow)) return [{ paragraphs: [presenter.t(lang, 'referral.try_later')] }];
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

  async function handleOne(chat: ChatRef, input: Input, meta: InputMeta): Promise<OutMessage[]> {
    const platformLang = meta.platformLang;
    // Timeouts come from the bot itself, not from the person: they never count.
    const verdict = deps.flood && input.kind !== 'timeout' ? await deps.flood.check(chat) : 'ok';
    if (verdict === 'drop') return [];
    if (verdict === 'warn') {
      logger.warn({ channel: chat.channel }, 'flood limit reached, ignoring this person for the rest of the window');
      return [{ paragraphs: [presenter.t(likelyLanguage(chat, input, platformLang), 'error.flood')] }];
    }
    if (deps.stateAvailable && !deps.stateAvailable()) return statelessReply(chat, input, meta);
    let referring = false;
    try {
      return await lock.withLock(chat, () =>
        once(chat, input, meta, () => {
          referring = true;
        }),
      );
    } catch (err) {
      logger.error({ channel: chat.channel, input: input.kind, err: errorSummary(err) }, 'input failed');
      // A referral that could not be completed is never dropped silently: the person is told to try again.
      if (referring)
        return [{ paragraphs: [presenter.t(likelyLanguage(chat, input, platformLang), 'referral.try_later')] }];
      return statelessReply(chat, input, meta);
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
    drain: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => drained.push(resolve))),
  };
}

/** Marks an effect that is only shown by the presenter (no service). */
const SHOWN = 'shown' as const;
/** How the runtime carries out one effect type: SHOWN, or a service call returning what to tell the person. */
type Carrier<K extends EffectType> =
  | typeof SHOWN
  | ((effect: EffectOf<K>, chat: ChatRef, lang: Lang) => Promise<OutMessage[]>);

/** Flows with a `refer` action: while Redis is down, a person in one of them is in the middle of a referral. */
function flowsThatRefer(flows: FlowSet): Set<string> {
  const out = new Set<string>();
  for (const [id, flow] of Object.entries(flows.flows)) {
    if (Object.values(flow.nodes).some((node) => (node.do ?? []).some((action) => 'refer' in action))) out.add(id);
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

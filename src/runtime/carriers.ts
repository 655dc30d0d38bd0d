// The effects a step decided, carried out in order: the presenter words those that are only shown, a service is
// called for the others (a referral, a subscription, an erasure...) and its result worded (present-results.ts).
import type { Effect, EffectOf, EffectType, Lang } from '../engine/types.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { ErasureResult } from '../ports/services.ts';
import { errorSummary } from './error-summary.ts';
import type { HeldInputs } from './held-inputs.ts';
import { effectKey, type PendingJournal, type TurnOptions } from './journal.ts';
import { presentResult, type ServiceResult } from './present-results.ts';
import type { InputMeta, RuntimeDeps } from './runtime-deps.ts';

/** Marks an effect that is only shown by the presenter (no service). */
const SHOWN = 'shown' as const;
/**
 * A service told of an effect the presenter shows as usual: the message being drawn goes on, nothing is worded for
 * it. A failure is logged; the conversation already did what the person asked.
 */
type Alongside<K extends EffectType> = { alongside: (effect: EffectOf<K>, chat: ChatRef) => Promise<void> };
/** How the runtime carries out one effect type: SHOWN, Alongside, or a service call returning its result (data). */
type Carrier<K extends EffectType> =
  | typeof SHOWN
  | Alongside<K>
  | ((effect: EffectOf<K>, chat: ChatRef, lang: Lang, key: string | undefined) => Promise<ServiceResult>);

export type EffectCarriers = {
  /** Presents the effects in order, calling services where an effect asks for it. */
  dispatch(
    chat: ChatRef,
    effects: Effect[],
    lang: Lang,
    options: TurnOptions,
    journal?: PendingJournal,
  ): Promise<OutMessage[]>;
  /** Every store that holds something about the person, except the session; not erased if one of them failed. */
  eraseEverywhere(chat: ChatRef): Promise<ErasureResult>;
};

/** `held`: the answers kept during an outage (an erasure forgets them too). */
export function createCarriers(deps: RuntimeDeps, held: HeldInputs<InputMeta>): EffectCarriers {
  const { presenter, logger } = deps;

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
      if (typeof carry !== 'function') {
        shown.push(effect);
        await carryAlongside(chat, effect, carry);
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
    carry: Exclude<Carrier<K>, typeof SHOWN | Alongside<K>>,
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

  async function carryAlongside<K extends EffectType>(
    chat: ChatRef,
    effect: EffectOf<K>,
    carry: Alongside<K>,
  ): Promise<void> {
    try {
      await carry.alongside(effect, chat);
    } catch (err) {
      logger.error({ effect: effect.type, err: errorSummary(err) }, 'service failed');
    }
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
    // Alerts follow the language the person chose (subscribed people only).
    set_language: {
      alongside: async (effect, chat) => {
        await deps.subscriptions?.setLanguage(chat, effect.lang);
      },
    },
    play_audio: SHOWN,
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

  return { dispatch, eraseEverywhere };
}

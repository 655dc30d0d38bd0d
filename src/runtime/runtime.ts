// The runtime: for one input of one chat, lock the chat, load its session, run the engine, save the session
// (compare-and-set, retried on conflict), carry out the effects, and return the reply messages.
import { step } from '../engine/step.ts';
import type { ContentCatalog, Effect, Env, Input, Lang } from '../engine/types.ts';
import { newSession } from '../engine/types.ts';
import type { FlowSet } from '../flows/schema.ts';
import { guessLanguage } from '../i18n/translator.ts';
import type { Logger } from '../infra/logger.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { ChatLock } from '../ports/chat-lock.ts';
import type { Clock } from '../ports/clock.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { ReferralIntake, Subscriptions } from '../ports/services.ts';
import type { SessionStore } from '../ports/session-store.ts';
import type { Presenter } from './present.ts';

export interface Runtime {
  /** Handles one input for one chat and returns the reply, in order. Never throws. */
  handle(chat: ChatRef, input: Input, meta?: { platformLang?: string }): Promise<OutMessage[]>;
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
};

const MAX_SAVE_ATTEMPTS = 5;

export function createRuntime(deps: RuntimeDeps): Runtime {
  const { flows, catalog, presenter, store, lock, clock, logger } = deps;

  const numbered = (chat: ChatRef) => chat.channel !== 'telegram';

  async function once(chat: ChatRef, input: Input, platformLang?: string): Promise<OutMessage[]> {
    for (let attempt = 1; attempt <= MAX_SAVE_ATTEMPTS; attempt++) {
      const stored = await store.load(chat);
      const before = stored?.session ?? newSession();
      const env: Env = {
        lang: before.lang ?? guessLanguage(platformLang),
        content: catalog,
        now: clock.now(),
        channel: chat.channel,
        labelTexts: presenter.labelTexts,
      };
      const { session, effects } = step(flows, before, input, env);
      const lang: Lang = session.lang ?? env.lang;
      const erases = effects.some((e) => e.type === 'erase_my_data');
      if (erases) {
        await store.erase(chat);
      } else if (!(await store.save(chat, session, stored?.rev ?? 0))) {
        // Another process saved this chat meanwhile (the lock expired or was bypassed): redo on fresh state.
        logger.warn({ channel: chat.channel, attempt }, 'session changed meanwhile, stepping again');
        continue;
      }
      return dispatch(chat, effects, lang, session.vars.audio === 'yes');
    }
    logger.error({ channel: chat.channel }, 'session save kept conflicting');
    return [{ paragraphs: [presenter.t(guessLanguage(platformLang), 'error.busy')] }];
  }

  /** Presents the effects in order, calling services where an effect asks for it. */
  async function dispatch(chat: ChatRef, effects: Effect[], lang: Lang, wantsAudio: boolean): Promise<OutMessage[]> {
    const out: OutMessage[] = [];
    let shown: Effect[] = [];
    const options = { numbered: numbered(chat), wantsAudio };
    const flush = () => {
      out.push(...presenter.present(shown, lang, options));
      shown = [];
    };
    for (const effect of effects) {
      const service = await serviceMessages(chat, effect, lang);
      if (service) {
        flush();
        out.push(...service);
      } else {
        shown.push(effect);
      }
    }
    flush();
    return out;
  }

  /** Messages from a service effect, or null when the effect is only shown. */
  async function serviceMessages(chat: ChatRef, effect: Effect, lang: Lang): Promise<OutMessage[] | null> {
    const say = (key: string) => [{ paragraphs: [presenter.t(lang, key)] }];
    try {
      switch (effect.type) {
        case 'refer':
          if (!deps.referrals) return say('referral.unavailable');
          return await deps.referrals.intake(chat, effect, lang);
        case 'subscribe':
          if (!deps.subscriptions) return say('alerts.unavailable');
          await deps.subscriptions.subscribe(chat, effect.topics, lang, effect.region);
          return [];
        case 'unsubscribe':
          if (!deps.subscriptions) return say('alerts.unavailable');
          await deps.subscriptions.unsubscribe(chat, effect.topics);
          return [];
        case 'list_subscriptions': {
          if (!deps.subscriptions) return say('alerts.unavailable');
          const topics = await deps.subscriptions.list(chat);
          if (topics.length === 0) return say('alerts.none');
          const names = topics.map((id) => `• ${presenter.label({ alertTopic: id }, lang)}`);
          return [{ paragraphs: [presenter.t(lang, 'alerts.your_topics'), ...names] }];
        }
        case 'pause':
          await deps.subscriptions?.pause(chat);
          return [];
        case 'erase_my_data':
          await Promise.all([deps.referrals?.eraseFor(chat), deps.subscriptions?.eraseFor(chat)]);
          return [];
        case 'flow_error':
          logger.error({ code: effect.code, detail: effect.detail }, 'flow error');
          return [];
        default:
          return null;
      }
    } catch (err) {
      // A service that fails never loses the request silently: the person is told to try again.
      logger.error({ effect: effect.type, err: errorSummary(err) }, 'service failed');
      return say(effect.type === 'refer' ? 'referral.try_later' : 'error.try_later');
    }
  }

  return {
    async handle(chat, input, meta) {
      try {
        return await lock.withLock(chat, () => once(chat, input, meta?.platformLang));
      } catch (err) {
        logger.error({ channel: chat.channel, input: input.kind, err: errorSummary(err) }, 'input failed');
        return [{ paragraphs: [presenter.t(guessLanguage(meta?.platformLang), 'error.try_later')] }];
      }
    },
  };
}

/** Error name and message only: stacks and causes may carry request bodies. */
export function errorSummary(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

// A real bot for tests: the shipped flows, content and locales, a real runtime on real Redis (own key prefix).
import path from 'node:path';
import { type Bundle, loadBundle } from '../../src/app/bundle.ts';
import type { Lang } from '../../src/engine/types.ts';
import type { Translate } from '../../src/i18n/translator.ts';
import { devDataKeys, PersonalDataCipher } from '../../src/infra/crypto.ts';
import { silentLogger } from '../../src/infra/logger.ts';
import { RedisChatState } from '../../src/infra/redis-chat-state.ts';
import { RedisSessionStore } from '../../src/infra/redis-session-store.ts';
import type { Clock } from '../../src/ports/clock.ts';
import type { OutMessage } from '../../src/ports/out-message.ts';
import type { Outbox } from '../../src/ports/outbox.ts';
import type { ReferralIntake, Subscriptions } from '../../src/ports/services.ts';
import type { ApprovedVoices } from '../../src/ports/voices.ts';
import type { Presenter } from '../../src/runtime/present.ts';
import {
  type NoticePresenter,
  noticePresenter,
  presentResult,
  type ServiceResult,
} from '../../src/runtime/present-results.ts';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.ts';
import { type TestRedis, testRedis } from './redis.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

let cached: Promise<Bundle> | null = null;

/** The shipped bundle, loaded once per test file. */
export function shippedBundle(): Promise<Bundle> {
  cached ??= loadBundle(REPO_ROOT).then(({ bundle, problems }) => {
    if (!bundle) throw new Error(`shipped bundle has errors:\n${problems.map((p) => p.message).join('\n')}`);
    return bundle;
  });
  return cached;
}

let words: Promise<{ t: Translate; label: Presenter['label'] }> | null = null;

/** The shipped presenter's words (texts and labels), for wording service results and notices as the bot does. */
export function shippedWords(): Promise<{ t: Translate; label: Presenter['label'] }> {
  words ??= shippedBundle().then((bundle) => ({ t: bundle.presenter.t, label: bundle.presenter.label }));
  return words;
}

/** What the bot tells a person about their case (the referral service's `notices`), worded with the shipped texts. */
export async function shippedNotices(): Promise<NoticePresenter> {
  return noticePresenter(await shippedWords());
}

/** A service result as the bot words it, e.g. an intake's reply. */
export async function worded(result: ServiceResult, lang: Lang = 'fr'): Promise<OutMessage[]> {
  return presentResult(await shippedWords(), result, lang);
}

export type TestApp = TestRedis & {
  runtime: Runtime;
  bundle: Bundle;
  cipher: PersonalDataCipher;
  store: RedisSessionStore;
  close(): Promise<void>;
};

export async function createTestApp(
  options: {
    referrals?: ReferralIntake;
    subscriptions?: Subscriptions;
    clock?: Clock;
    sessionTtlMs?: number;
    logger?: ReturnType<typeof silentLogger>;
    /** Where the runtime sends what it delivers itself (a journaled turn's reply), as main.ts's OutboxRouter. */
    outbox?: Outbox;
    voices?: ApprovedVoices;
  } = {},
): Promise<TestApp> {
  const bundle = await shippedBundle();
  const r = await testRedis();
  const cipher = new PersonalDataCipher(devDataKeys('tests'));
  const store = new RedisSessionStore(r.redis, r.keys, cipher, options.sessionTtlMs ?? 86_400_000);
  const runtime = createRuntime({
    flows: bundle.flows,
    catalog: bundle.catalog,
    presenter: bundle.presenter,
    // As in main.ts: the lock and the session together (the store stays reachable as `store`).
    state: new RedisChatState(r.redis, r.keys, cipher, { sessionTtlMs: options.sessionTtlMs ?? 86_400_000 }),
    clock: options.clock ?? { now: () => Date.now() },
    logger: options.logger ?? silentLogger(),
    ...(options.referrals ? { referrals: options.referrals } : {}),
    ...(options.subscriptions ? { subscriptions: options.subscriptions } : {}),
    ...(options.outbox ? { outbox: options.outbox } : {}),
    ...(options.voices ? { voices: options.voices } : {}),
  });
  return { ...r, runtime, bundle, cipher, store, close: r.cleanup };
}

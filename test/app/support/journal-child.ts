// A bot process for the journal crash test: the real runtime, RedisChatState and referral service on a private
// redis-server (AOF, given by KF_REDIS_URL), driven through standard input, one JSON request per line:
//   {"chat":"<id>","input":{...}}  ->  prints  reply <json messages>
// With KF_KILL_AT=committed|carried|finished it kills itself with SIGKILL at that step of the first journaled turn.
// At start it finishes journals left by a dead process and prints what it would send as "sent <json messages>".
import { createInterface } from 'node:readline';
import { loadBundle } from '../../../src/app/bundle.ts';
import { devDataKeys, PersonalDataCipher } from '../../../src/infra/crypto.ts';
import { RedisKeys } from '../../../src/infra/keys.ts';
import { silentLogger } from '../../../src/infra/logger.ts';
import { connectRedis } from '../../../src/infra/redis.ts';
import { RedisChatState } from '../../../src/infra/redis-chat-state.ts';
import type { ChatRef } from '../../../src/ports/chat.ts';
import { partnersFromContacts } from '../../../src/referrals/partners.ts';
import { createReferralService } from '../../../src/referrals/service.ts';
import { noticePresenter } from '../../../src/runtime/present-results.ts';
import { createRuntime, type JournalStep } from '../../../src/runtime/runtime.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
const { bundle } = await loadBundle(process.env.KF_ROOT!);
if (!bundle) throw new Error('bundle has errors');
const redis = connectRedis({ url: process.env.KF_REDIS_URL! });
redis.on('error', () => undefined);
const keys = new RedisKeys(process.env.KF_PREFIX!);
const cipher = new PersonalDataCipher(devDataKeys('journal-crash'));
const referrals = createReferralService({
  notices: noticePresenter(bundle.presenter),
  redis,
  keys,
  cipher,
  partners: partnersFromContacts(bundle.content.contacts.values()),
  outbox: { send: async () => {} },
  notifier: { notify: async () => {} },
  clock: { now: () => Date.now() },
  options: { fallbackPartner: 'ame', pseudonymSecret: 'journal-crash-pseudonyms' },
});
const killAt = process.env.KF_KILL_AT as JournalStep | undefined;
const runtime = createRuntime({
  flows: bundle.flows,
  catalog: bundle.catalog,
  presenter: bundle.presenter,
  state: new RedisChatState(redis, keys, cipher, { sessionTtlMs: 3_600_000 }),
  clock: { now: () => Date.now() },
  logger: silentLogger(),
  referrals,
  outbox: {
    send: async (_chat, messages) => {
      say(`sent ${JSON.stringify(messages)}`);
    },
  },
  onJournalStep: (step) => {
    // Redis (another process) keeps what it was told; this process dies right here, nothing more of the turn runs.
    if (step === killAt) process.kill(process.pid, 'SIGKILL');
  },
});
say(`recovered ${await runtime.recover()}`);
say('ready');
for await (const line of createInterface({ input: process.stdin })) {
  const { chat, input } = JSON.parse(line) as { chat: string; input: Parameters<typeof runtime.handle>[1] };
  const ref: ChatRef = { channel: 'console', id: chat };
  say(`reply ${JSON.stringify(await runtime.handle(ref, input))}`);
}

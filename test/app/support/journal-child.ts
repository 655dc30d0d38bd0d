// A bot process for the journal crash test: the real runtime, RedisChatState and referral service on a private
// redis-server (AOF, given by KF_REDIS_URL), driven through standard input, one JSON request per line:
//   {"chat":"<id>","input":{...}}  ->  prints  reply <json messages>
//   {"recover":true}               ->  prints  recovered <count> (the periodic sweep of main.ts)
//   {"metrics":true}               ->  prints  replies <count> (kunnafoni_replies_total, as /metrics would)
// With KF_KILL_AT=committed|carried|delivered|finished it kills itself with SIGKILL at that step of the first
// journaled turn; with KF_KILL_AT=inflight:<n>, while the n-th message the runtime sends itself is in flight (the
// platform got it, and the person, but its answer never came back).
// Each message the runtime sends itself is printed as "got <json message>" once the platform has it.
// At start it finishes journals left by a dead process and prints what it would send as "sent <json messages>";
// staff notifications of the person's messages are printed as "staff <json>".
import { createInterface } from 'node:readline';
import { loadBundle } from '../../../src/app/bundle.ts';
import { observeUpdates } from '../../../src/app/update-metrics.ts';
import { devDataKeys, PersonalDataCipher } from '../../../src/infra/crypto.ts';
import { RedisKeys } from '../../../src/infra/keys.ts';
import { silentLogger } from '../../../src/infra/logger.ts';
import { createMetrics } from '../../../src/infra/metrics.ts';
import { connectRedis } from '../../../src/infra/redis.ts';
import { RedisChatState } from '../../../src/infra/redis-chat-state.ts';
import { RedisDeliveryMarks } from '../../../src/infra/redis-delivery-marks.ts';
import type { ChatRef } from '../../../src/ports/chat.ts';
import type { OutMessage } from '../../../src/ports/out-message.ts';
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
  // Staff hear of the person's messages: printed, to count them across kills.
  notifier: {
    notify: async (event) => {
      if (event.type !== 'person_message') return;
      if (killAt === 'notify') process.kill(process.pid, 'SIGKILL');
      say(`staff ${JSON.stringify({ no: event.case.no, text: event.text })}`);
    },
  },
  clock: { now: () => Date.now() },
  options: { fallbackPartner: 'ame', pseudonymSecret: 'journal-crash-pseudonyms' },
});
// A journal step, or 'notify': as staff are told of the person's message.
const killAt = process.env.KF_KILL_AT as JournalStep | 'notify' | `inflight:${number}` | undefined;
let replying: OutMessage[] | null = null;
// The platform's side of a send: a round trip (to Redis, on a connection of its own) before each answer.
const platform = connectRedis({ url: process.env.KF_REDIS_URL! });
platform.on('error', () => undefined);
let outgoing = 0;
const metrics = createMetrics({ processMetrics: false });
const runtime = createRuntime({
  flows: bundle.flows,
  catalog: bundle.catalog,
  presenter: bundle.presenter,
  state: new RedisChatState(redis, keys, cipher, { sessionTtlMs: 3_600_000 }),
  clock: { now: () => Date.now() },
  logger: silentLogger(),
  referrals,
  // What the runtime sends itself (the recovery; a journaled turn's reply, journal-delivery.ts) is printed as "sent"
  // when it is sent (the person has it, whatever happens next), and is part of the reply of the input being handled.
  outbox: {
    send: async (_chat, messages, progress) => {
      for (const [index, message] of messages.entries()) {
        await platform.ping();
        say(`got ${JSON.stringify(message)}`);
        outgoing += 1;
        if (killAt === `inflight:${outgoing}`) process.kill(process.pid, 'SIGKILL');
        progress?.answered?.(index + 1);
      }
      say(`sent ${JSON.stringify(messages)}`);
      replying?.push(...messages);
    },
  },
  marks: new RedisDeliveryMarks(redis, keys),
  ...observeUpdates(metrics),
  onJournalStep: (step) => {
    // Redis (another process) keeps what it was told; this process dies right here, nothing more of the turn runs.
    if (step === killAt) process.kill(process.pid, 'SIGKILL');
  },
});
say(`recovered ${await runtime.recover()}`);
say('ready');
for await (const line of createInterface({ input: process.stdin })) {
  const request = JSON.parse(line) as
    | { chat: string; input: Parameters<typeof runtime.handle>[1] }
    | { recover: true }
    | { metrics: true };
  if ('metrics' in request) {
    const { values } = await metrics.replies.get();
    say(`replies ${values.reduce((sum, v) => sum + v.value, 0)}`);
    continue;
  }
  if ('recover' in request) {
    // The periodic sweep of main.ts, run when asked.
    say(`recovered ${await runtime.recover()}`);
    continue;
  }
  const { chat, input } = request;
  const ref: ChatRef = { channel: 'console', id: chat };
  replying = [];
  const returned = await runtime.handle(ref, input);
  const sent = replying;
  replying = null;
  say(`reply ${JSON.stringify([...sent, ...returned])}`);
}

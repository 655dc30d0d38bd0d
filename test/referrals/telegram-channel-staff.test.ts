// The staff composer installed in the real Telegram channel (its `before` slot), wired as main.ts would: the
// notifier and the person's outbox use the channel's own bot; person conversations still reach the runtime.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createStaffComposer,
  createTelegramStaffNotifier,
  parseStaffGroups,
} from '../../src/channels/telegram/staff/staff-bot.ts';
import { devDataKeys, PersonalDataCipher } from '../../src/infra/crypto.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import type { Outbox } from '../../src/ports/outbox.ts';
import { createReferralService, type ReferralService } from '../../src/referrals/service.ts';
import { FakeRuntime } from '../channels/telegram/fake-runtime.ts';
import { type Harness, startHarness } from '../channels/telegram/harness.ts';
import { shippedNotices } from '../support/app.ts';
import { callbackUpdate, textUpdate } from '../support/bot-api-server.ts';
import { testRedis } from '../support/redis.ts';
import { caseNumberIn, PARTNERS, referEffect, TestClock } from './support/referrals.ts';

const AME_GROUP = -100777;
const STAFF = 601;
const PERSON = 602;

describe('the staff composer inside the Telegram channel', () => {
  let h: Harness;
  let service: ReferralService;
  let runtime: FakeRuntime;
  let cleanupRedis: () => Promise<void>;

  beforeEach(async () => {
    const base = await testRedis();
    cleanupRedis = base.cleanup;
    const groups = parseStaffGroups(`ame=${AME_GROUP}`);
    let channelOutbox: Outbox | null = null;
    let channelApi: (() => Harness['channel']['bot']['api']) | null = null;
    service = createReferralService({
      notices: await shippedNotices(),
      redis: base.redis,
      keys: base.keys,
      cipher: new PersonalDataCipher(devDataKeys('channel-staff')),
      partners: PARTNERS,
      outbox: { send: (chat, messages) => channelOutbox!.send(chat, messages) },
      notifier: createTelegramStaffNotifier(() => channelApi!(), { groups }),
      clock: new TestClock(),
      options: { fallbackPartner: 'aracem', pseudonymSecret: 'another-secret-for-tests' },
    });
    runtime = new FakeRuntime();
    h = await startHarness(runtime, { before: [createStaffComposer(service, { groups })] });
    channelOutbox = h.channel.outbox;
    channelApi = () => h.channel.bot.api;
  });
  afterEach(async () => {
    await h.close();
    await service.stop();
    await cleanupRedis();
  });

  it('claims from the group exactly once per press, answered once, while people keep talking to the runtime', async () => {
    const person: ChatRef = { channel: 'telegram', id: String(PERSON) };
    const no = caseNumberIn(await service.intake(person, referEffect(), 'fr'));
    let since = h.server.lastSeq;
    await service.dispatch(no);
    await h.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(AME_GROUP), { since });

    since = h.server.lastSeq;
    h.server.push(callbackUpdate(AME_GROUP, `claim:${no}`, { chatType: 'supergroup', fromId: STAFF }));
    await h.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(STAFF), { since });
    const claimedNotice = await h.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(PERSON), {
      since,
    });
    expect(String(claimedNotice.params.text)).toContain(`Quelqu’un de AME a ton dossier ${no}`);
    const pressAnswers = h.server.callsTo('answerCallbackQuery').filter((c) => c.seq > since);
    expect(pressAnswers).toHaveLength(1);
    expect(String(pressAnswers[0]?.params.text)).toContain('est à vous');

    // The staff member's commands are handled by the composer; a person's message goes to the conversation.
    since = h.server.lastSeq;
    const [answer] = await h.say(STAFF, textUpdate(STAFF, `/reply ${no} Bonjour`));
    expect(answer?.params.text).toBe(`Envoyé (${no}).`);
    expect(h.server.textsTo(PERSON).at(-1)).toContain('Bonjour');
    expect(runtime.inputs.filter((i) => i.chat.id === String(STAFF))).toEqual([]);
    await h.say(PERSON, textUpdate(PERSON, '/start'));
    expect(runtime.inputs.map((i) => [i.chat.id, i.input.kind])).toEqual([[String(PERSON), 'start']]);
  });
});

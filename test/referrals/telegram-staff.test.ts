// The staff group and the claimer's private chat, with grammY running for real (on @grammyjs/runner, concurrent
// like the channel) against the loopback Bot API server, and the referral service on real Redis.
import { type RunnerHandle, run } from '@grammyjs/runner';
import { Bot } from 'grammy';
import type { Message } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createStaffComposer,
  createTelegramStaffNotifier,
  parseStaffGroups,
  StaffPostStore,
  splitForTelegram,
  telegramLabels,
} from '../../src/channels/telegram/staff/staff-bot.ts';
import { devDataKeys, PersonalDataCipher } from '../../src/infra/crypto.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import type { Outbox } from '../../src/ports/outbox.ts';
import { createReferralService, type ReferralService } from '../../src/referrals/service.ts';
import { shippedBundle, shippedNotices } from '../support/app.ts';
import { BotApiServer, callbackUpdate, type RecordedCall, textUpdate } from '../support/bot-api-server.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';
import { caseNumberIn, eventually, newChat, PARTNERS, referEffect, TestClock } from './support/referrals.ts';

const AME_GROUP = -100123;
const ARACEM_GROUP = -100456;
const AWA = 501;
const BAKARY = 502;
const STRANGER = 503;

type Setup = {
  server: BotApiServer;
  base: TestRedis;
  service: ReferralService;
  runner: RunnerHandle;
  passedOn: number[];
  person: ChatRef;
  clock: TestClock;
};

async function setUp(): Promise<Setup> {
  const server = await BotApiServer.start();
  const base = await testRedis();
  const bot = new Bot(server.token, { client: { apiRoot: server.apiRoot } });
  await bot.init();
  const clock = new TestClock();
  const groups = parseStaffGroups(`ame=${AME_GROUP}, aracem=${ARACEM_GROUP}`);
  // People are on Telegram too here: the outbox writes to their private chat through the same bot.
  const outbox: Outbox = {
    async send(chat, messages) {
      for (const m of messages) {
        await bot.api.sendMessage(Number(chat.id), [m.title, ...m.paragraphs].filter(Boolean).join('\n'));
      }
    },
  };
  const posts = new StaffPostStore(base.redis, base.keys);
  const service = createReferralService({
    notices: await shippedNotices(),
    redis: base.redis,
    keys: base.keys,
    cipher: new PersonalDataCipher(devDataKeys('telegram-staff')),
    partners: PARTNERS,
    outbox,
    notifier: createTelegramStaffNotifier(bot.api, {
      groups,
      partnerName: (id) => id.toUpperCase(),
      labelOf: telegramLabels((await shippedBundle()).content),
      posts,
      staffName: (id) => (id === 'web:awa-traore' ? 'Awa Traoré' : id),
    }),
    clock,
    options: {
      fallbackPartner: 'aracem',
      pseudonymSecret: 'a-secret-for-these-tests',
      remindAfterHours: 6,
      escalateAfterHours: 24,
    },
  });
  const passedOn: number[] = [];
  bot.use(createStaffComposer(service, { groups, posts }));
  // Stands for the conversation middleware of the channel: whatever the staff composer does not take.
  bot.use((ctx) => {
    passedOn.push(ctx.update.update_id);
  });
  const runner = run(bot, { runner: { fetch: { timeout: 1 }, silent: true } });
  const person = { ...newChat(), id: '777001' };
  return { server, base, service, runner, passedOn, person, clock };
}

describe('the staff Telegram group and private chat', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setUp();
  });
  afterEach(async () => {
    await s.runner.stop();
    await s.service.stop();
    await s.base.cleanup();
    await s.server.close();
  });

  const sendsTo = (chatId: number, since = 0) =>
    s.server.calls.filter((c) => c.method === 'sendMessage' && c.chatId === String(chatId) && c.seq > since);
  /** The message id the loopback server gave a sent message (it numbers each chat's messages from 1). */
  const idOf = (call: RecordedCall) =>
    s.server.calls.filter((c) => c.method === 'sendMessage' && c.chatId === call.chatId && c.seq <= call.seq).length;
  const answers = (since: number) =>
    s.server.calls.filter((c) => c.method === 'answerCallbackQuery' && c.seq > since).map((c) => c.params);

  async function newCase(fields = { nickname: 'Moussa-Nick', phone: '+223 70 00 11 22', description: 'Bloqué à Gao' }) {
    const no = caseNumberIn(await s.service.intake(s.person, referEffect({ fields }), 'fr'));
    const since = s.server.lastSeq;
    await s.service.dispatch(no);
    const post = await s.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(AME_GROUP), {
      since,
    });
    return { no, post };
  }

  /** A press on the Claim button of a group post (the recorded call is the post: where the button was shown). */
  function press(no: string, from: number, post: RecordedCall, group = AME_GROUP) {
    expect(post.params.reply_markup).toBeDefined();
    return callbackUpdate(group, `claim:${no}`, {
      chatType: 'supergroup',
      fromId: from,
      keyboardMessageId: idOf(post),
    });
  }

  it('posts a summary without personal data and a Claim button in the partner group', async () => {
    const { no, post } = await newCase();
    const text = String(post.params.text);
    expect(text).toContain('Nouveau dossier');
    expect(text).toContain(`${no} · besoin : Aide juridique · région : Bamako`);
    expect(text).not.toMatch(/Moussa|70 00|Gao|777001/);
    expect(post.params.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'Prendre en charge', callback_data: `claim:${no}` }]],
    });
  });

  it('gives the case to exactly one of two staff pressing at once; the other is told it is taken', async () => {
    const { no, post } = await newCase();
    const since = s.server.lastSeq;
    s.server.push(press(no, AWA, post), press(no, BAKARY, post));
    const answered = await s.server.waitForCalls((c) => c.method === 'answerCallbackQuery', 2, { since });
    const texts = answered.map((c) => String(c.params.text));
    expect(texts.filter((t) => t.includes('est à vous'))).toHaveLength(1);
    expect(texts.filter((t) => t === 'Déjà pris par quelqu’un d’autre.')).toHaveLength(1);
    expect(answered.find((c) => c.params.text === 'Déjà pris par quelqu’un d’autre.')?.params.show_alert).toBe(true);

    const summary = await s.service.summary(no);
    const winner = summary?.claimedBy === `tg:${AWA}` ? AWA : BAKARY;
    const loser = winner === AWA ? BAKARY : AWA;
    // The claimer gets the details privately; the other gets nothing; the group post loses its button.
    const details = await s.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(winner), {
      since,
    });
    expect(String(details.params.text)).toContain('Nom ou surnom : Moussa-Nick');
    expect(String(details.params.text)).toContain('Téléphone : +223 70 00 11 22');
    expect(String(details.params.text)).toContain('Situation : Bloqué à Gao');
    expect(sendsTo(loser, since)).toEqual([]);
    const edits = s.server.callsTo('editMessageText').filter((c) => c.seq > since);
    expect(edits).toHaveLength(1);
    expect(String(edits[0]?.params.text)).toMatch(/Pris en charge par Person 50[12]\.$/);
    expect(edits[0]?.params.reply_markup).toBeUndefined();
    // The person hears who has their case.
    expect(s.server.textsTo(s.person.id).at(-1)).toBe(
      `Quelqu’un de AME a ton dossier ${no}. Tu peux lui écrire ici : on lui transmet.`,
    );
    expect(s.passedOn).toEqual([]);
  });

  it('refuses the claim to staff who never opened a private chat with the bot, and leaves the case waiting', async () => {
    const { no, post } = await newCase();
    s.server.failNext(
      { status: 403, description: "Forbidden: bot can't initiate conversation with a user" },
      { method: 'sendChatAction', chatId: STRANGER },
    );
    const since = s.server.lastSeq;
    s.server.push(press(no, STRANGER, post));
    await s.server.waitForCall((c) => c.method === 'answerCallbackQuery', { since });
    expect(answers(since)[0]).toMatchObject({ show_alert: true });
    expect(String(answers(since)[0]?.text)).toMatch(/conversation privée avec @/);
    expect((await s.service.summary(no))?.status).toBe('waiting');
  });

  it('answers a press in a group that is not a staff group, and on a case of another partner', async () => {
    const { no, post } = await newCase();
    let since = s.server.lastSeq;
    s.server.push(press(no, AWA, post, -100999));
    await s.server.waitForCall((c) => c.method === 'answerCallbackQuery', { since });
    expect(answers(since)[0]?.text).toBe("Ce groupe n'est pas un groupe d'équipe.");
    since = s.server.lastSeq;
    s.server.push(press(no, AWA, post, ARACEM_GROUP));
    await s.server.waitForCall((c) => c.method === 'answerCallbackQuery', { since });
    // Another partner's case is answered like a missing one.
    expect(answers(since)[0]?.text).toBe('Dossier introuvable.');
  });

  it('relays both ways: /reply and replies to the bot message reach the person, their answers reach the claimer', async () => {
    const { no, post } = await newCase();
    let since = s.server.lastSeq;
    s.server.push(press(no, AWA, post));
    await s.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(AWA), { since });

    since = s.server.lastSeq;
    s.server.push(textUpdate(AWA, `/reply ${no} Bonjour, où êtes-vous ?`));
    await s.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(AWA), { since });
    expect(sendsTo(AWA, since).map((c) => c.params.text)).toEqual([`Envoyé (${no}).`]);
    expect(s.server.textsTo(s.person.id).at(-1)).toBe(`AME (dossier ${no})\nBonjour, où êtes-vous ?`);

    // The person answers: the claimer gets it privately.
    since = s.server.lastSeq;
    expect(await s.service.relayFromPerson(s.person, 'À la gare routière')).toBe(true);
    const relayed = await s.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(AWA), {
      since,
    });
    expect(String(relayed.params.text)).toContain('À la gare routière');

    // A reply to the bot's case message goes to the person too.
    since = s.server.lastSeq;
    const quoted = {
      message_id: 7,
      date: 0,
      chat: { id: AWA, type: 'private', first_name: 'Awa' },
      from: { id: s.server.botId, is_bot: true, first_name: 'Kunnafoni' },
      text: String(relayed.params.text),
    } as Message.TextMessage & { reply_to_message: undefined };
    const reply = textUpdate(AWA, 'Restez là, on arrive.');
    (reply.message as Message).reply_to_message = quoted;
    s.server.push(reply);
    await s.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(AWA), { since });
    expect(s.server.textsTo(s.person.id).at(-1)).toBe(`AME (dossier ${no})\nRestez là, on arrive.`);

    // Someone else replying to a bot message with that case number is just a conversation.
    since = s.server.lastSeq;
    const other = textUpdate(BAKARY, 'hello');
    (other.message as Message).reply_to_message = quoted;
    const [otherId] = s.server.push(other);
    await waitUntil(() => s.passedOn.includes(otherId!));
    expect(s.server.textsTo(s.person.id).at(-1)).toBe(`AME (dossier ${no})\nRestez là, on arrive.`);
  });

  it('reminds the group of a waiting case, then asks the person before the fallback partner may have it', async () => {
    const { no } = await newCase();
    let since = s.server.lastSeq;
    s.clock.advance(6 * 3_600_000);
    await s.service.checkDeadlines();
    const reminder = await s.server.waitForCall((c) => c.method === 'sendMessage', { since });
    expect(reminder.chatId).toBe(String(AME_GROUP));
    expect(String(reminder.params.text)).toMatch(new RegExp(`^Rappel : ${no} attend depuis 6 h`));
    expect(reminder.params.reply_markup).toBeDefined();

    since = s.server.lastSeq;
    s.clock.advance(20 * 3_600_000);
    await s.service.checkDeadlines();
    const [question, alert] = await s.server.waitForCalls((c) => c.method === 'sendMessage', 2, { since });
    // The person is asked first; nothing moved, so AME's group is told it still waits there (and can be claimed).
    expect(question?.chatId).toBe(s.person.id);
    expect(String(question?.params.text)).toContain(`propose de transmettre ton dossier ${no} à ARACEM`);
    expect([alert?.chatId, String(alert?.params.text)]).toEqual([
      String(AME_GROUP),
      `${no} n'a pas été pris à temps : on demande à la personne s'il peut passer à ARACEM. Il reste chez vous tant qu'elle n'a pas dit oui.`,
    ]);
    expect(alert?.params.reply_markup).toBeDefined();
    expect(sendsTo(ARACEM_GROUP, since)).toEqual([]);
    expect((await s.service.summary(no))?.partner).toBe('ame');
  });

  it('tells the claimer and the group when the person erased their data', async () => {
    const { no, post } = await newCase();
    let since = s.server.lastSeq;
    s.server.push(press(no, AWA, post));
    await s.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(AWA), { since });
    since = s.server.lastSeq;
    await s.service.eraseFor(s.person);
    const calls = await s.server.waitForCalls((c) => c.method === 'sendMessage', 2, { since });
    expect(calls.map((c) => [c.chatId, c.params.text])).toEqual([
      [String(AWA), `${no} : données effacées par la personne.`],
      [String(AME_GROUP), `${no} : données effacées par la personne.`],
    ]);
  });

  it('follows a claim and a close made in the console: the group post loses its button and shows the holder', async () => {
    const { no, post } = await newCase();
    const messageId = idOf(post);
    let since = s.server.lastSeq;
    const web = { id: 'web:awa-traore', partner: 'ame' };
    expect(await s.service.claim(no, web)).toMatchObject({ ok: true });
    const edit = await s.server.waitForCall((c) => c.method === 'editMessageText', { since });
    expect([edit.chatId, Number(edit.params.message_id)]).toEqual([String(AME_GROUP), messageId]);
    expect(String(edit.params.text)).toBe(`${String(post.params.text)}\n\nPris en charge par Awa Traoré.`);
    expect(edit.params.reply_markup).toBeUndefined();

    // Released and claimed again, then closed: the new post is settled too, the old one is left alone.
    since = s.server.lastSeq;
    await s.service.release(no, web);
    const repost = await s.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(AME_GROUP), {
      since,
    });
    await s.service.claim(no, web);
    since = s.server.lastSeq;
    await s.service.closeCase(no, web, 'helped');
    await s.service.dispatch(no);
    expect(s.server.calls.filter((c) => c.method === 'editMessageText' && c.seq > since)).toEqual([]);
    const settled = s.server.calls.filter((c) => c.method === 'editMessageText');
    expect(settled.map((c) => Number(c.params.message_id))).toEqual([messageId, idOf(repost)]);
  });

  it('releases, transfers and closes from the private chat', async () => {
    const { no, post } = await newCase();
    let since = s.server.lastSeq;
    s.server.push(press(no, AWA, post));
    await s.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(AWA), { since });

    const command = async (from: number, text: string) => {
      const at = s.server.lastSeq;
      s.server.push(textUpdate(from, text));
      const answer = await s.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(from), {
        since: at,
      });
      return String(answer.params.text);
    };

    expect(await command(AWA, '/reply')).toBe('Usage : /reply K-XXXX votre texte');
    // Bakary holds no case: from a private chat nothing says he is AME's, so the case does not exist for him.
    expect(await command(BAKARY, `/release ${no}`)).toBe('Dossier introuvable.');
    since = s.server.lastSeq;
    expect(await command(AWA, `/release ${no.toLowerCase()}`)).toBe(`${no} est remis en attente.`);
    const repost = await s.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(AME_GROUP), {
      since,
    });
    expect(String(repost.params.text)).toContain('Dossier remis en attente');

    since = s.server.lastSeq;
    s.server.push(press(no, BAKARY, repost));
    await s.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(BAKARY), { since });
    expect(await command(BAKARY, '/cases')).toBe(`Vos dossiers : ${no}`);

    expect(await command(BAKARY, `/transfer ${no} aracem`)).toBe(
      `${no} : transfert vers ARACEM proposé à la personne. Le dossier change de main seulement si elle accepte.`,
    );
    expect((await s.service.summary(no))?.partner).toBe('ame');
    since = s.server.lastSeq;
    expect(await s.service.answerTransfer(s.person, no, true)).toMatchObject({ ok: true, outcome: 'moved' });
    const moved = await s.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(ARACEM_GROUP), {
      since,
    });
    expect(String(moved.params.text)).toContain('Dossier transféré vers vous');

    since = s.server.lastSeq;
    s.server.push(press(no, STRANGER, moved, ARACEM_GROUP));
    await s.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === String(STRANGER), { since });
    expect(await command(STRANGER, `/close ${no} bravo`)).toMatch(/^Usage : \/close K-XXXX/);
    expect(await command(STRANGER, `/close ${no} helped Hébergée ce soir`)).toBe(`${no} est fermé (helped).`);
    expect(s.server.textsTo(s.person.id).at(-1)).toBe(
      `Ton dossier ${no} est fermé. Si tu as encore besoin d’aide, écris « menu ».`,
    );
    expect(await command(STRANGER, `/reply ${no} encore ?`)).toBe('Ce dossier est fermé.');
  });

  it('passes a bare staff command from someone holding no case on to the conversation', async () => {
    const [id] = s.server.push(textUpdate(Number(s.person.id), '/close'));
    await eventually(async () => (s.passedOn.includes(id!) ? true : undefined));
    expect(s.server.sentTo(s.person.id).map((c) => String(c.params.text))).not.toContain(
      expect.stringContaining('Usage'),
    );
  });
});

describe('REFERRAL_STAFF_GROUPS', () => {
  it('maps partners to staff group chat ids, and names a bad entry', () => {
    expect([...parseStaffGroups('ame=-100123,aracem=-100456')]).toEqual([
      ['ame', -100123],
      ['aracem', -100456],
    ]);
    expect(parseStaffGroups('')).toEqual(new Map());
    expect(() => parseStaffGroups('ame=-100123,aracem')).toThrow(/"aracem" is not partner=chat_id/);
  });
});

describe('long texts for staff', () => {
  it('are cut into parts Telegram accepts, each after the first naming the case, losing nothing', () => {
    const description = Array.from({ length: 900 }, (_, i) => `word${i}`).join(' ');
    const parts = splitForTelegram(`Dossier K-7F3Q\n${description}`, 'K-7F3Q');
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
    for (const part of parts.slice(1)) expect(part.startsWith('K-7F3Q …\n')).toBe(true);
    const rejoined = parts.map((p, i) => (i === 0 ? p : p.slice('K-7F3Q …\n'.length))).join(' ');
    expect(rejoined.replace(/\s+/g, ' ')).toBe(`Dossier K-7F3Q ${description}`);
    expect(splitForTelegram('short', 'K-7F3Q')).toEqual(['short']);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

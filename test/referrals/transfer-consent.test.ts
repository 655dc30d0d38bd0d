// A transfer needs the person's consent, end to end: staff propose it in the console, the person is asked in their
// Telegram conversation (grammY against the loopback Bot API server, the shipped flows and runtime on real Redis),
// and the case moves only on their yes. The deadline check asks the same way instead of moving a case itself.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { personPrompter } from '../../src/app/person-prompter.ts';
import { devDataKeys, PersonalDataCipher } from '../../src/infra/crypto.ts';
import { silentLogger } from '../../src/infra/logger.ts';
import { RedisChatState } from '../../src/infra/redis-chat-state.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import type { OutMessage } from '../../src/ports/out-message.ts';
import type { Outbox } from '../../src/ports/outbox.ts';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.ts';
import { buttonData, type Harness, keyboardOf, startHarness } from '../channels/telegram/harness.ts';
import { Client, type Console, createConsole, location } from '../staff/support/console.ts';
import type { RecordedCall } from '../support/bot-api-server.ts';
import { callbackUpdate, startUpdate, textUpdate } from '../support/bot-api-updates.ts';
import { caseNumberIn } from './support/referrals.ts';

let k: Console;
let h: Harness;
/** What was sent to people on WhatsApp (its channel renders these as text with numbered choices). */
let whatsapp: { chat: ChatRef; messages: OutMessage[] }[];

beforeEach(async () => {
  let runtime: Runtime | undefined;
  // What services say to people goes out through the Telegram channel, as in the bot.
  whatsapp = [];
  const toTelegram: Outbox = {
    send: async (chat, messages) => {
      if (chat.channel === 'whatsapp') whatsapp.push({ chat, messages });
      else await h.channel.outbox.send(chat, messages);
    },
  };
  k = await createConsole({}, { outbox: toTelegram, prompter: personPrompter(() => runtime, toTelegram) });
  runtime = createRuntime({
    flows: k.bundle.flows,
    catalog: k.bundle.catalog,
    presenter: k.bundle.presenter,
    state: new RedisChatState(k.redis, k.keys, new PersonalDataCipher(devDataKeys('transfer')), {
      sessionTtlMs: 86_400_000,
    }),
    clock: k.clock,
    logger: silentLogger(),
    referrals: k.referrals,
  });
  h = await startHarness(runtime);
});

afterEach(async () => {
  await h.close();
  await k.close();
});

const text = (call: RecordedCall | undefined) => String(call?.params.text ?? '');
const labels = (call: RecordedCall | undefined) =>
  keyboardOf(call)
    .flat()
    .map((b) => b.text);

/** The next message the bot sends to the person (after something a test did, not a Telegram update). */
async function nextTo(chat: ChatRef, act: () => Promise<unknown>): Promise<RecordedCall> {
  const since = h.server.lastSeq;
  await act();
  return h.server.waitForCall((c) => c.method === 'sendMessage' && c.chatId === chat.id, { since });
}

async function staff(partner: string, name: string) {
  const account = await k.account(name, partner);
  const c = new Client(k.app);
  await c.login(account.id);
  return c;
}

/** AME's caseworker claims the person's case and proposes ARACEM; the person's question is returned. */
async function proposeToAracem(no: string, chat: ChatRef) {
  const awa = await staff('ame', 'Awa Traoré');
  await awa.page(`/cases/${no}`);
  await awa.post(`/cases/${no}/claim`);
  await awa.page(`/cases/${no}`);
  let res: Response | undefined;
  const question = await nextTo(chat, async () => {
    res = await awa.post(`/cases/${no}/transfer`, { to: 'aracem' });
  });
  expect(location(res!)).toBe(`/cases/${no}?done=transferred`);
  return { awa, question };
}

describe('a transfer staff propose', () => {
  test('is asked in the conversation, and "oui" moves the case to the other partner only', async () => {
    const { no, chat } = await k.openCase();
    const id = Number(chat.id);
    // The person is at the menu of their conversation when the question comes.
    const [language] = await h.say(id, startUpdate(id, undefined, { languageCode: 'fr' }));
    await h.say(id, callbackUpdate(id, buttonData(language, 'Français')));

    const { awa, question } = await proposeToAracem(no, chat);
    expect(text(question)).toMatch(
      new RegExp(`^AME.* propose de transmettre ton dossier ${no} à ARACEM.*Tu es d’accord \\?`),
    );
    expect(labels(question)).toEqual(['Oui', 'Non']);
    // Until the person answers, the case stays with AME.
    expect((await k.referrals.summary(no))?.partner).toBe('ame');
    expect((await awa.page(`/cases/${no}`)).html).toContain('waiting for the person’s answer');

    const [reply] = await h.say(id, textUpdate(id, 'oui'));
    expect(text(reply)).toMatch(new RegExp(`^Ton dossier ${no} est passé à ARACEM`));
    expect(await k.referrals.summary(no)).toMatchObject({ partner: 'aracem', status: 'waiting' });

    // ARACEM's staff see it; AME's no longer do (the same answer as a case that does not exist).
    const moussa = await staff('aracem', 'Moussa');
    expect((await moussa.page('/cases')).html).toContain(no);
    expect((await moussa.page(`/cases/${no}`)).status).toBe(200);
    expect((await awa.page('/cases')).html).not.toContain(no);
    expect((await awa.get(`/cases/${no}`)).status).toBe(404);
  });

  test('"Non" (the button) keeps the case, and its staff see the answer', async () => {
    const { no, chat } = await k.openCase();
    const id = Number(chat.id);
    // A conversation that was forgotten (or never had a session): asked anyway, in the case's language.
    const { awa, question } = await proposeToAracem(no, chat);
    const [reply] = await h.say(id, callbackUpdate(id, buttonData(question, 'Non')));
    expect(text(reply)).toMatch(new RegExp(`^D’accord. Ton dossier ${no} reste chez AME`));
    const summary = await k.referrals.summary(no);
    expect(summary).toMatchObject({ partner: 'ame', status: 'claimed' });
    expect(summary?.proposedTo).toBeUndefined();
    const page = (await awa.page(`/cases/${no}`)).html;
    expect(page).toContain('transfer declined by the person');
    expect(page).not.toContain('waiting for the person’s answer');
    // The answer was taken once: "oui" afterwards is an ordinary message, never a late consent.
    await h.say(id, textUpdate(id, 'oui'));
    expect((await k.referrals.summary(no))?.partner).toBe('ame');
  });

  test('in Bambara, "ayi" says no; a message that is no answer asks again', async () => {
    const chat: ChatRef = { channel: 'telegram', id: '790001' };
    const reply = await k.referrals.intake(
      chat,
      { type: 'refer', intakeId: 'i1', need: 'legal', region: 'bamako', fields: { description: 'A ye n minɛ' } },
      'bm',
    );
    const no = caseNumberIn(reply);
    await k.referrals.dispatch(no);
    const id = Number(chat.id);
    const { question } = await proposeToAracem(no, chat);
    expect(text(question)).toContain(`b'a fɛ ka i ka dosiye ${no} di ARACEM ma. I sɔnna wa?`);
    expect(labels(question)).toEqual(['Awɔ', 'Ayi']);
    const again = await h.say(id, textUpdate(id, 'n t a lɔn'));
    expect(labels(again.at(-1))).toEqual(['Awɔ', 'Ayi']);
    expect((await k.referrals.summary(no))?.proposedTo).toBe('aracem');
    const [stays] = await h.say(id, textUpdate(id, 'ayi'));
    expect(text(stays)).toContain(`I ka dosiye ${no} bɛ to`);
    expect((await k.referrals.summary(no))?.partner).toBe('ame');
  });
});

test('the deadline asks the person before an unclaimed case goes to the fallback partner; "1" says yes', async () => {
  const { no, chat } = await k.openCase(undefined, 'housing', 'gao');
  const first = (await k.referrals.summary(no))?.partner;
  expect(first).toBe('maison-migrant-gao');
  const id = Number(chat.id);
  k.clock.offset += 25 * 3_600_000;
  const question = await nextTo(chat, () => k.referrals.checkDeadlines());
  expect(text(question)).toContain(`propose de transmettre ton dossier ${no} à AME`);
  expect((await k.referrals.summary(no))?.partner).toBe(first);
  const [moved] = await h.say(id, textUpdate(id, '1'));
  expect(text(moved)).toMatch(new RegExp(`^Ton dossier ${no} est passé à AME`));
  expect((await k.referrals.summary(no))?.partner).toBe('ame');
});

test('on WhatsApp the question comes with numbered choices, "1. Oui / 2. Non"', async () => {
  const chat: ChatRef = { channel: 'whatsapp', id: '22370000001@c.us' };
  const reply = await k.referrals.intake(
    chat,
    { type: 'refer', intakeId: 'i1', need: 'legal', region: 'bamako', fields: {} },
    'fr',
  );
  const no = caseNumberIn(reply);
  await k.referrals.dispatch(no);
  const awa = await staff('ame', 'Awa');
  await awa.page(`/cases/${no}`);
  await awa.post(`/cases/${no}/transfer`, { to: 'aracem' });
  const [question] = whatsapp.at(-1)?.messages ?? [];
  expect(question?.paragraphs.join(' ')).toContain(`propose de transmettre ton dossier ${no} à ARACEM`);
  expect(question?.choices?.map((c) => c.label)).toEqual(['Oui', 'Non']);
  expect(question?.hint).toBe('Réponds 1 ou 2.');
});

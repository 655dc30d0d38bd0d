// The logs of a whole conversation and a referral (Telegram through the loopback Bot API, the real runtime, the real
// referral service with staff claiming, replying and closing, WhatsApp and terminal chats, failures on the way) at
// debug level hold no personal data: no chat id, name, nickname, phone number, description or message text.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { devDataKeys, PersonalDataCipher } from '../../src/infra/crypto.ts';
import { RedisFloodGate } from '../../src/infra/flood-gate.ts';
import { createLogger, type Logger } from '../../src/infra/logger.ts';
import { RedisChatLock } from '../../src/infra/redis-chat-lock.ts';
import { RedisSessionStore } from '../../src/infra/redis-session-store.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import { partnersFromContacts } from '../../src/referrals/partners.ts';
import { createReferralService, type ReferralService } from '../../src/referrals/service.ts';
import { createRuntime } from '../../src/runtime/runtime.ts';
import { type Harness, startHarness } from '../channels/telegram/harness.ts';
import { RecordingNotifier } from '../referrals/support/referrals.ts';
import { shippedBundle, shippedNotices } from '../support/app.ts';
import { startUpdate, textUpdate } from '../support/bot-api-server.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';

const TELEGRAM_ID = 918_273_645;
const WHATSAPP_ID = '22376543210@c.us';
const NICKNAME = 'Mariam-Kunna';
const PHONE_TYPED = '+223 76 54 32 10';
const DESCRIPTION = "Je m'appelle Mariam Traoré, mon patron à Kayes garde mon passeport depuis mars";
const QUESTION = 'la police a pris mon passeport à la frontière de Kidira';
const STAFF_REPLY = 'Bonjour Mariam, passe à notre bureau de Kayes jeudi matin';
const PERSON_REPLY = 'Merci, je viendrai avec ma cousine Fatoumata';
const CLOSING_NOTE = 'Passeport rendu par le patron après médiation';

function bufferLogger(logMessageText = false): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', logMessageText, destination }), lines };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Bot = { h: Harness; referrals: ReferralService; r: TestRedis; replies: number[] };

async function botWithLogger(logger: Logger): Promise<Bot> {
  const bundle = await shippedBundle();
  const r = await testRedis();
  cleanups.push(() => r.cleanup());
  const cipher = new PersonalDataCipher(devDataKeys('log-privacy'));
  let h: Harness | null = null;
  const referrals = createReferralService({
    notices: await shippedNotices(),
    redis: r.redis,
    keys: r.keys,
    cipher,
    partners: partnersFromContacts(bundle.content.contacts.values()),
    // Staff replies reach the person through the Telegram channel (and its logs).
    outbox: { send: (chat, messages) => h!.channel.outbox.send(chat, messages) },
    notifier: new RecordingNotifier(),
    clock: { now: () => Date.now() },
    options: { fallbackPartner: 'ame', pseudonymSecret: randomBytes(16).toString('hex') },
    logger,
  });
  cleanups.push(() => referrals.stop());
  const runtime = createRuntime({
    flows: bundle.flows,
    catalog: bundle.catalog,
    presenter: bundle.presenter,
    store: new RedisSessionStore(r.redis, r.keys, cipher, 86_400_000),
    lock: new RedisChatLock(r.redis, r.keys),
    clock: { now: () => Date.now() },
    logger,
    referrals,
    flood: new RedisFloodGate(r.redis, r.keys, { maxPerWindow: 40, windowMs: 60_000 }),
  });
  // How many messages each input was answered with, so the test waits for exactly those.
  const replies: number[] = [];
  const counting = {
    async handle(...args: Parameters<typeof runtime.handle>) {
      const out = await runtime.handle(...args);
      replies.push(out.length);
      return out;
    },
  };
  h = await startHarness(counting, { logger });
  cleanups.push(() => h!.close());
  return { h, referrals, r, replies };
}

async function conversation({ h, referrals, replies }: Bot): Promise<string[]> {
  const id = TELEGRAM_ID;
  const said: string[] = [];
  const say = async (text: string) => {
    said.push(text);
    const since = h.server.lastSeq;
    const handled = replies.length;
    h.server.push(text === '/start' ? startUpdate(id) : textUpdate(id, text, { languageCode: 'fr' }));
    for (let i = 0; i < 400 && replies.length === handled; i++) await new Promise((r) => setTimeout(r, 10));
    const count = replies[handled] ?? 1;
    return h.server.waitForCalls(
      (c) => c.method === 'sendMessage' && c.chatId === String(id) && c.status === 200,
      count,
      {
        since,
      },
    );
  };
  await say('/start');
  await say('1');
  await say(QUESTION);
  await say('menu');
  // A reply that fails once (500) is retried; a failure logs an error, never the message.
  h.server.failNext({ status: 500, description: 'Internal Server Error' }, { method: 'sendMessage', times: 1 });
  await say('4'); // talk to a person: intro, then the need
  await say('1'); // need
  await say('1'); // region -> consent
  await say('oui'); // consent
  await say(DESCRIPTION);
  await say('2'); // by phone
  await say(PHONE_TYPED);
  await say(NICKNAME);
  const sent = await say('1'); // send
  const no = /K-[A-Z0-9]+/.exec(sent.map((c) => String(c.params.text)).join('\n'))?.[0];
  if (!no) throw new Error('no case number in the confirmation');

  // Staff side: published, claimed, answered through the bot, the person answers, closed.
  const chat: ChatRef = { channel: 'telegram', id: String(id) };
  await referrals.dispatch(no);
  const staff = { id: 'tg:5550001', partner: (await referrals.summary(no))!.partner };
  expect((await referrals.claim(no, staff)).ok).toBe(true);
  expect((await referrals.reply(no, staff, STAFF_REPLY)).ok).toBe(true);
  expect(await referrals.relayFromPerson(chat, PERSON_REPLY)).toBe(true);
  expect((await referrals.closeCase(no, staff, 'helped', CLOSING_NOTE)).ok).toBe(true);
  return said;
}

describe('logs', () => {
  it('hold no personal data or message text after a conversation and a referral, at debug level', async () => {
    const { logger, lines } = bufferLogger();
    const bot = await botWithLogger(logger);
    const { r } = bot;
    const said = await conversation(bot);

    // The same person on WhatsApp and in the terminal, through the runtime, including a stale button and a flood.
    const runtime = createRuntime({
      flows: (await shippedBundle()).flows,
      catalog: (await shippedBundle()).catalog,
      presenter: (await shippedBundle()).presenter,
      store: new RedisSessionStore(r.redis, r.keys, new PersonalDataCipher(devDataKeys('log-privacy')), 60_000),
      lock: new RedisChatLock(r.redis, r.keys),
      clock: { now: () => Date.now() },
      logger,
      flood: new RedisFloodGate(r.redis, r.keys, { maxPerWindow: 4, windowMs: 60_000 }),
    });
    const wa: ChatRef = { channel: 'whatsapp', id: WHATSAPP_ID };
    for (const text of ['bonjour', '1', QUESTION, NICKNAME, PHONE_TYPED, DESCRIPTION]) {
      said.push(text);
      await runtime.handle(wa, { kind: 'text', text });
    }
    await runtime.handle({ channel: 'console', id: NICKNAME }, { kind: 'choice', id: 'forged', version: 12 });

    const logs = lines.join('\n');
    // The logs are there and say something: the scan below looks at real output.
    expect(lines.filter((l) => l.includes('"input handled"')).length).toBeGreaterThan(15);
    expect(logs).toContain('flood limit reached');
    expect(logs).toContain('"person":');

    const secrets = [
      String(TELEGRAM_ID),
      WHATSAPP_ID,
      WHATSAPP_ID.replace('@c.us', ''),
      '76543210',
      '76 54 32 10',
      NICKNAME,
      'Mariam',
      'Traoré',
      'Fatoumata',
      'Kidira',
      DESCRIPTION,
      STAFF_REPLY,
      PERSON_REPLY,
      CLOSING_NOTE,
      ...said.filter((s) => s.length >= 6),
    ];
    for (const secret of secrets) expect(logs, `logs mention "${secret}"`).not.toContain(secret);
  });

  it('include message text only when LOG_MESSAGE_TEXT turns it on', async () => {
    const quiet = bufferLogger(false);
    const loud = bufferLogger(true);
    for (const { logger } of [quiet, loud]) {
      const bundle = await shippedBundle();
      const r = await testRedis();
      cleanups.push(() => r.cleanup());
      const runtime = createRuntime({
        flows: bundle.flows,
        catalog: bundle.catalog,
        presenter: bundle.presenter,
        store: new RedisSessionStore(r.redis, r.keys, new PersonalDataCipher(devDataKeys('t')), 60_000),
        lock: new RedisChatLock(r.redis, r.keys),
        clock: { now: () => Date.now() },
        logger,
      });
      const chat: ChatRef = { channel: 'whatsapp', id: WHATSAPP_ID };
      await runtime.handle(chat, { kind: 'start' });
      await runtime.handle(chat, { kind: 'text', text: QUESTION });
    }
    expect(quiet.lines.join('\n')).not.toContain(QUESTION);
    expect(quiet.lines.join('\n')).toContain('"text":"[redacted]"');
    expect(loud.lines.join('\n')).toContain(QUESTION);
    // Even then, the person's id stays out.
    expect(loud.lines.join('\n')).not.toContain('22376543210');
  });
});

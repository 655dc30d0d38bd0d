// Redis goes down (a private redis-server killed with SIGKILL) and comes back (restarted on the same port and data):
// meanwhile questions still get FAQ answers from memory, a referral is refused with "try again in a few minutes"
// and never dropped, nothing hangs; afterwards everything works again by itself.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { devDataKeys, PersonalDataCipher } from '../../src/infra/crypto.ts';
import { RedisFloodGate } from '../../src/infra/flood-gate.ts';
import { DiskHeldSpool } from '../../src/infra/held-spool.ts';
import { RedisKeys } from '../../src/infra/keys.ts';
import { silentLogger } from '../../src/infra/logger.ts';
import { connectRedis, trackAvailability } from '../../src/infra/redis.ts';
import { RedisChatLock } from '../../src/infra/redis-chat-lock.ts';
import { RedisSessionStore } from '../../src/infra/redis-session-store.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import type { OutMessage } from '../../src/ports/out-message.ts';
import { partnersFromContacts } from '../../src/referrals/partners.ts';
import { createReferralService, type ReferralService } from '../../src/referrals/service.ts';
import { createRuntime, type ServiceRuntime } from '../../src/runtime/runtime.ts';
import { PrivateRedis } from '../referrals/support/private-redis.ts';
import { RecordingNotifier, RecordingOutbox } from '../referrals/support/referrals.ts';
import { shippedBundle, shippedNotices } from '../support/app.ts';

const allText = (messages: OutMessage[]) =>
  messages
    .flatMap((m) => [m.title ?? '', ...m.paragraphs])
    .filter(Boolean)
    .join('\n');
const say = (t: string) => (t === '/start' ? { kind: 'start' as const } : { kind: 'text' as const, text: t });

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!condition()) throw new Error(`gave up waiting: ${what}`);
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Bot = { runtime: ServiceRuntime; redis: Redis; referrals: ReferralService; available: () => boolean };

type BotOptions = {
  fastPath: boolean;
  outbox?: RecordingOutbox;
  /** The same keys and secrets as an earlier bot (a restarted process). */
  prefix?: string;
  /** Answers kept during an outage are sealed there (the data dir's `held`). */
  heldDir?: string;
};

async function botOn(server: PrivateRedis, options: BotOptions): Promise<Bot> {
  const bundle = await shippedBundle();
  const redis = connectRedis({ url: server.url });
  redis.on('error', () => undefined); // refused connections while the server is down are the point here
  cleanups.push(() => redis.disconnect());
  const keys = new RedisKeys(options.prefix ?? `outage-${randomBytes(4).toString('hex')}`);
  const cipher = new PersonalDataCipher(devDataKeys('outage'));
  const referrals = createReferralService({
    notices: await shippedNotices(),
    redis,
    keys,
    cipher,
    partners: partnersFromContacts(bundle.content.contacts.values()),
    outbox: new RecordingOutbox(),
    notifier: new RecordingNotifier(),
    clock: { now: () => Date.now() },
    options: {
      fallbackPartner: 'ame',
      pseudonymSecret: options.prefix ? `${options.prefix}-pseudonyms` : randomBytes(16).toString('hex'),
    },
  });
  cleanups.push(() => referrals.stop());
  const available = trackAvailability(redis);
  const runtime = createRuntime({
    flows: bundle.flows,
    catalog: bundle.catalog,
    presenter: bundle.presenter,
    store: new RedisSessionStore(redis, keys, cipher, 86_400_000),
    lock: new RedisChatLock(redis, keys),
    clock: { now: () => Date.now() },
    logger: silentLogger(),
    referrals,
    flood: new RedisFloodGate(redis, keys),
    ...(options.fastPath ? { stateAvailable: available } : {}),
    ...(options.outbox ? { outbox: options.outbox } : {}),
    ...(options.heldDir ? { heldSpool: new DiskHeldSpool(options.heldDir, cipher, silentLogger()) } : {}),
  });
  return { runtime, redis, referrals, available };
}

async function talk(bot: Bot, chat: ChatRef, lines: string[]): Promise<OutMessage[][]> {
  const out: OutMessage[][] = [];
  for (const line of lines) out.push(await bot.runtime.handle(chat, say(line)));
  return out;
}

// '4' talk to a person, need 1, region 1, consent yes, a description, by this chat, no nickname: then "1" sends.
const UP_TO_CONFIRM = ['/start', '1', '4', '1', '1', '1', "On m'a renvoyé hier, j'ai perdu mes papiers", '1', 'passer'];

describe.each([
  { fastPath: true, name: 'knowing Redis is down' },
  { fastPath: false, name: 'finding out from failing commands' },
])('while Redis is down ($name)', ({ fastPath }) => {
  it('answers questions from memory, refuses referrals politely, and recovers when Redis is back', async () => {
    const server = await PrivateRedis.start();
    cleanups.push(() => server.stop());
    const bot = await botOn(server, { fastPath });
    const bundle = await shippedBundle();
    const referring: ChatRef = { channel: 'telegram', id: '1001' };
    const asking: ChatRef = { channel: 'whatsapp', id: '22370000000@c.us' };
    const stranger: ChatRef = { channel: 'whatsapp', id: '22371111111@c.us' };

    const intake = await talk(bot, referring, UP_TO_CONFIRM);
    expect(allText(intake.at(-1)!)).toContain("J'envoie ta demande ?");
    await talk(bot, asking, ['/start', '1']);
    // Someone in the middle of the intake's questions (asked to describe their situation).
    const describing: ChatRef = { channel: 'whatsapp', id: '22372222222@c.us' };
    await talk(bot, describing, UP_TO_CONFIRM.slice(0, 6));

    await server.kill();
    await waitFor(() => !bot.available(), 'the connection to notice');

    // A question gets its FAQ, from the in-memory content.
    const question = "la police a pris mon passeport à la frontière, c'est normal ?";
    const expected = bundle.catalog.search(question, null).match!;
    expect(expected).toBeTruthy();
    const answer = await bot.runtime.handle(asking, say(question));
    expect(answer[0]?.title).toBe(bundle.content.faqs.get(expected)!.title.fr);
    // In English for someone who writes in English and was never seen before.
    const english = await bot.runtime.handle(stranger, say('the police took my passport at the border, is it legal?'));
    expect(english[0]?.title).toBe(
      bundle.content.faqs.get(
        bundle.catalog.search('the police took my passport at the border, is it legal?', null).match!,
      )!.title.en,
    );
    // An FAQ button still opens its answer.
    const press = await bot.runtime.handle(asking, { kind: 'choice', id: expected, version: 99 });
    expect(press[0]?.title).toBe(answer[0]?.title);
    // Anything that needs the conversation: try again in a few minutes.
    expect(allText(await bot.runtime.handle(asking, say('2')))).toBe(
      'Désolé, le service a un problème. Réessaie dans quelques minutes.',
    );

    // Mid-questions nothing was sent: never told a request failed, asked to try again (no FAQ for their answer).
    expect(allText(await bot.runtime.handle(describing, say('la police a pris mon passeport')))).toBe(
      'Désolé, le service a un problème. Réessaie dans quelques minutes.',
    );
    // The referral cannot be sent: the person is told so, nothing is created behind their back.
    const refused = await bot.runtime.handle(referring, say('1'));
    expect(allText(refused)).toBe(
      "Ta demande n'a pas pu être envoyée. Rien n'est perdu : réessaie dans quelques minutes.",
    );

    await server.restart();
    await waitFor(() => bot.available(), 'the connection to come back');

    // The same answer now sends the request: the conversation had waited at the confirmation.
    const sent = await bot.runtime.handle(referring, say('1'));
    expect(allText(sent)).toMatch(/K-[A-Z0-9]{4}/);
    const cases = await bot.referrals.openCasesOf(referring);
    expect(cases).toHaveLength(1);
    // And the other conversation goes on where it was (at the menu).
    const menu = await bot.runtime.handle(asking, say('1'));
    expect(menu.at(-1)?.choices?.length).toBeGreaterThan(3);
    expect(bot.runtime.inFlight()).toBe(0);
  });
});

describe('a referral whose case cannot be stored', () => {
  it('tells the person to try again instead of dropping it silently', async () => {
    const server = await PrivateRedis.start();
    cleanups.push(() => server.stop());
    const bot = await botOn(server, { fastPath: true });
    const person: ChatRef = { channel: 'console', id: 'p' };
    await talk(bot, person, UP_TO_CONFIRM);
    // Redis is up for the session, but storing the case fails.
    const intake = bot.referrals.intake.bind(bot.referrals);
    bot.referrals.intake = async () => {
      throw new Error('Command timed out');
    };
    const refused = await bot.runtime.handle(person, say('1'));
    expect(allText(refused)).toContain("Ta demande n'a pas pu être envoyée");
    bot.referrals.intake = intake;
  });
});

describe.each([
  { fastPath: true, name: 'knowing Redis is down' },
  { fastPath: false, name: 'finding out from failing commands' },
])('an answer typed in the intake while Redis is down ($name)', ({ fastPath }) => {
  it('is kept and handled once Redis is back: nobody is told a request failed, nobody types it again', async () => {
    const server = await PrivateRedis.start();
    cleanups.push(() => server.stop());
    const outbox = new RecordingOutbox();
    const bot = await botOn(server, { fastPath, outbox });
    // One person is asked to describe their situation, another is at "J'envoie ta demande ?".
    const describing: ChatRef = { channel: 'whatsapp', id: '22372222222@c.us' };
    const sending: ChatRef = { channel: 'telegram', id: '1002' };
    await talk(bot, describing, UP_TO_CONFIRM.slice(0, 6));
    expect(allText((await talk(bot, sending, UP_TO_CONFIRM)).at(-1)!)).toContain("J'envoie ta demande ?");

    await server.kill();
    if (fastPath) await waitFor(() => !bot.available(), 'the connection to notice');
    const description = "On m'a renvoyé hier, j'ai perdu mes papiers";
    const kept =
      "Je n'arrive pas à enregistrer ta réponse tout de suite. Je la garde : je continue dès que possible, tu n'as rien à renvoyer.";
    expect(allText(await bot.runtime.handle(describing, say(description)))).toBe(kept);
    // Even the "send" answer: kept, not "your request could not be sent".
    expect(allText(await bot.runtime.handle(sending, say('1')))).toBe(kept);
    expect(outbox.sent).toHaveLength(0);

    await server.restart();
    await waitFor(() => bot.available(), 'the connection to come back');
    // The person who waits silently: the periodic recovery handles their answer and sends the next question.
    await bot.runtime.recover();
    const next = outbox.sent.filter((s) => s.chat.id === describing.id);
    expect(next).toHaveLength(1);
    expect(allText(next[0]!.messages)).toContain("Comment l'association doit te répondre ?");
    // Their description was saved: the intake goes on from the next question to the confirmation.
    const rest = await talk(bot, describing, UP_TO_CONFIRM.slice(7));
    expect(allText(rest.at(-1)!)).toContain("J'envoie ta demande ?");
    // The kept "send" was carried out by the same recovery: one case, its confirmation sent.
    const confirmations = outbox.sent.filter((s) => s.chat.id === sending.id).map((s) => allText(s.messages));
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]).toMatch(/K-[A-Z0-9]{4}/);
    expect(await bot.referrals.openCasesOf(sending)).toHaveLength(1);
    // Handled once: a further recovery sends nothing more.
    await bot.runtime.recover();
    expect(outbox.sent.filter((s) => s.chat.id === sending.id)).toHaveLength(1);
    expect(bot.runtime.inFlight()).toBe(0);
  });

  it('comes before what the person writes next, in order', async () => {
    const server = await PrivateRedis.start();
    cleanups.push(() => server.stop());
    const outbox = new RecordingOutbox();
    const bot = await botOn(server, { fastPath, outbox });
    const person: ChatRef = { channel: 'whatsapp', id: '22373333333@c.us' };
    await talk(bot, person, UP_TO_CONFIRM.slice(0, 6));
    await server.kill();
    if (fastPath) await waitFor(() => !bot.available(), 'the connection to notice');
    await bot.runtime.handle(person, say("On m'a renvoyé hier, j'ai perdu mes papiers"));
    await server.restart();
    await waitFor(() => bot.available(), 'the connection to come back');
    // The next answer ("by this chat") arrives before any recovery ran: the kept one is handled first.
    const replies = await bot.runtime.handle(person, say('1'));
    expect(replies.length).toBeGreaterThanOrEqual(2);
    const rest = await talk(bot, person, UP_TO_CONFIRM.slice(8));
    expect(allText(rest.at(-1)!)).toContain("J'envoie ta demande ?");
    expect(outbox.sent).toHaveLength(0);
  });
});

describe('answers kept while Redis is down, the process restarted before it is back', () => {
  it('are handled by the restarted process once Redis is back: the person gets the reply, nothing is typed again', async () => {
    const server = await PrivateRedis.start();
    cleanups.push(() => server.stop());
    const heldDir = await mkdtemp(path.join(tmpdir(), 'kf-held-'));
    cleanups.push(() => rm(heldDir, { recursive: true, force: true }));
    const prefix = `outage-${randomBytes(4).toString('hex')}`;
    const first = await botOn(server, { fastPath: true, outbox: new RecordingOutbox(), prefix, heldDir });
    const describing: ChatRef = { channel: 'whatsapp', id: '22374444444@c.us' };
    const sending: ChatRef = { channel: 'telegram', id: '1004' };
    await talk(first, describing, UP_TO_CONFIRM.slice(0, 6));
    expect(allText((await talk(first, sending, UP_TO_CONFIRM)).at(-1)!)).toContain("J'envoie ta demande ?");

    await server.kill();
    await waitFor(() => !first.available(), 'the connection to notice');
    const description = "On m'a renvoyé hier, j'ai perdu mes papiers";
    expect(allText(await first.runtime.handle(describing, say(description)))).toContain('Je la garde');
    expect(allText(await first.runtime.handle(sending, say('1')))).toContain('Je la garde');
    // On disk, sealed: neither what they typed nor who they are can be read there.
    const files = await readdir(heldDir);
    expect(files).toHaveLength(2);
    for (const file of files) {
      const stored = await readFile(path.join(heldDir, file), 'utf8');
      for (const secret of ['papiers', '22374444444', '1004', 'whatsapp', 'telegram'])
        expect(stored).not.toContain(secret);
    }

    // The process dies (what it kept in memory with it) and starts again while Redis is still down.
    first.redis.disconnect();
    const outbox = new RecordingOutbox();
    const second = await botOn(server, { fastPath: true, outbox, prefix, heldDir });
    await server.restart();
    await waitFor(() => second.available(), 'the connection to come back');
    // The person who writes again first ("by this chat"): their kept description is handled before it.
    const replies = await second.runtime.handle(describing, say('1'));
    expect(allText(replies)).toContain("Comment l'association doit te répondre ?");
    // ... and the "1" answered that question (it was not taken for the description).
    expect(allText([replies.at(-1)!])).not.toContain("Comment l'association doit te répondre ?");
    expect(allText((await talk(second, describing, UP_TO_CONFIRM.slice(8))).at(-1)!)).toContain(
      "J'envoie ta demande ?",
    );
    // The person who waits: the recovery sends their kept "send" and its confirmation, for one case.
    await second.runtime.recover();
    expect(outbox.sent.map((s) => s.chat.id)).toEqual([sending.id]);
    expect(allText(outbox.sent[0]!.messages)).toMatch(/K-[A-Z0-9]{4}/);
    expect(await second.referrals.openCasesOf(sending)).toHaveLength(1);
    // Handled, then gone from the disk; a further recovery sends nothing more.
    expect(await readdir(heldDir)).toEqual([]);
    await second.runtime.recover();
    expect(outbox.sent).toHaveLength(1);
  });
});

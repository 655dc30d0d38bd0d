// Telegram failing: rate limits, server errors, a person who blocked the bot, a command menu that cannot be set.
import { afterEach, describe, expect, it } from 'vitest';
import { BlockedError, RateLimitedError } from '../../../src/channels/telegram/errors.ts';
import { startUpdate, textUpdate } from '../../support/bot-api-server.ts';
import { FakeRuntime } from './fake-runtime.ts';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;

afterEach(async () => {
  await h.close();
});

const chat = (id: number) => ({ channel: 'telegram' as const, id: String(id) });

describe('Telegram errors', () => {
  it('waits out a 429 during a reply and delivers the message once, after the wait', async () => {
    h = await startHarness(new FakeRuntime());
    h.server.failNext({ status: 429, retryAfter: 1 }, { method: 'sendMessage', chatId: 30 });
    const since = h.server.lastSeq;
    h.server.push(textUpdate(30, 'bonjour'));
    const [limited, delivered] = await h.server.waitForCalls(
      (c) => c.method === 'sendMessage' && c.chatId === '30',
      2,
      { since },
    );
    expect(limited?.status).toBe(429);
    expect(delivered?.status).toBe(200);
    expect((delivered?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(h.server.textsTo(30)).toEqual(['Tu as écrit : bonjour']);
    expect(h.server.stats.retryAfterViolations).toBe(0);
    expect(h.logs.some((l) => l.msg.includes('rate limited'))).toBe(true);
  });

  it('retries a reply after server errors, within bounds', async () => {
    h = await startHarness(new FakeRuntime());
    h.server.failNext({ status: 500 }, { method: 'sendMessage', chatId: 31, times: 2 });
    await h.say(31, textUpdate(31, 'a'), 3);
    expect(h.server.callsTo('sendMessage', 31).map((c) => c.status)).toEqual([500, 500, 200]);
    expect(h.server.textsTo(31)).toEqual(['Tu as écrit : a']);
  });

  it('never lets a failed update block the chat', async () => {
    h = await startHarness(new FakeRuntime());
    // More 500s than the retry budget: the first reply is lost, and logged.
    h.server.failNext({ status: 500 }, { method: 'sendMessage', chatId: 32, times: 4 });
    h.server.push(textUpdate(32, 'premier'));
    const [next] = await h.say(32, textUpdate(32, 'second'), 5).then((calls) => calls.slice(4));
    expect(next?.params.text).toBe('Tu as écrit : second');
    expect(next?.status).toBe(200);
    expect(h.logs.some((l) => l.msg === 'telegram: update failed' && String(l.err).includes('500'))).toBe(true);
  });

  it('never lets a runtime failure block the chat', async () => {
    const runtime = new FakeRuntime();
    runtime.before = async (_chat, input) => {
      if (input.kind === 'text' && input.text === 'boom') throw new Error('runtime broke');
    };
    h = await startHarness(runtime);
    h.server.push(textUpdate(33, 'boom'));
    const [reply] = await h.say(33, textUpdate(33, 'ensuite'));
    expect(reply?.params.text).toBe('Tu as écrit : ensuite');
  });

  it('marks a person who blocked the bot inactive, unsubscribes them, and reactivates them on /start', async () => {
    h = await startHarness(new FakeRuntime());
    h.server.blockChat(34);
    const since = h.server.lastSeq;
    h.server.push(textUpdate(34, 'bonjour'));
    await h.server.waitForCall((c) => c.chatId === '34' && c.status === 403, { since });
    await waitUntil(() => h.subscriptions.unsubscribed.length > 0);
    expect(h.subscriptions.unsubscribed).toEqual([{ chat: chat(34), topics: [] }]);
    expect(await h.channel.activity.isInactive(chat(34))).toBe(true);

    h.server.unblockChat(34);
    await h.say(34, startUpdate(34), 2);
    expect(await h.channel.activity.isInactive(chat(34))).toBe(false);
  });

  it('marks a person inactive when Telegram reports they blocked the bot', async () => {
    h = await startHarness(new FakeRuntime());
    h.server.push({
      my_chat_member: {
        chat: { id: 35, type: 'private', first_name: 'P' },
        from: { id: 35, is_bot: false, first_name: 'P' },
        date: 0,
        old_chat_member: { status: 'member', user: { id: 1, is_bot: true, first_name: 'Bot' } },
        new_chat_member: { status: 'kicked', user: { id: 1, is_bot: true, first_name: 'Bot' }, until_date: 0 },
      },
    });
    await waitUntil(() => h.subscriptions.unsubscribed.length > 0);
    expect(await h.channel.activity.isInactive(chat(35))).toBe(true);
  });

  it('starts even when the command menu cannot be set, and says so in the log', async () => {
    h = await startHarness(new FakeRuntime(), { start: false });
    h.server.failNext({ status: 400, description: 'Bad Request: unsupported language' }, { method: 'setMyCommands' });
    await h.channel.start();
    const menus = h.server.callsTo('setMyCommands');
    expect(menus.map((c) => c.params.language_code ?? 'default').sort()).toEqual(['bm', 'default', 'en', 'fr']);
    expect(menus.filter((c) => c.status === 200)).toHaveLength(3);
    expect(h.logs.some((l) => l.msg.includes('setMyCommands failed'))).toBe(true);
    // And it still answers people.
    const [reply] = await h.say(36, textUpdate(36, 'ça marche ?'));
    expect(reply?.status).toBe(200);
  });
});

describe('Telegram outboxes', () => {
  it('sends proactively, and reports a blocked person', async () => {
    h = await startHarness(new FakeRuntime());
    await h.channel.outbox.send(chat(40), [{ paragraphs: ['Ton dossier a été pris en charge.'] }]);
    expect(h.server.textsTo(40)).toEqual(['Ton dossier a été pris en charge.']);
    h.server.blockChat(41);
    await expect(h.channel.outbox.send(chat(41), [{ paragraphs: ['x'] }])).rejects.toBeInstanceOf(BlockedError);
    expect(await h.channel.activity.isInactive(chat(41))).toBe(true);
  });

  it('reports each message as soon as Telegram answered it, and only those', async () => {
    h = await startHarness(new FakeRuntime());
    const answered: number[] = [];
    const send = h.channel.outbox.send(
      chat(43),
      [{ paragraphs: ['Ta demande est enregistrée.'] }, { paragraphs: ['Menu'] }],
      {
        answered(count) {
          answered.push(count);
          // Answered before the next message goes: the person blocks the bot right then.
          expect(h.server.textsTo(43)).toHaveLength(count);
          h.server.blockChat(43);
        },
      },
    );
    await expect(send).rejects.toBeInstanceOf(BlockedError);
    expect(answered).toEqual([1]);
    expect(h.server.textsTo(43)).toEqual(['Ta demande est enregistrée.']);
  });

  it('hands a 429 back to bulk senders at once, with retry_after', async () => {
    h = await startHarness(new FakeRuntime());
    h.server.failNext({ status: 429, retryAfter: 7 }, { method: 'sendMessage' });
    const error = await h.channel.bulkOutbox.send(chat(42), [{ paragraphs: ['Alerte'] }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(7);
    expect(h.server.callsTo('sendMessage', 42)).toHaveLength(1);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('middleware installed before the conversation', () => {
  it('sees staff-group updates and passes everything else on', async () => {
    const runtime = new FakeRuntime();
    const seen: string[] = [];
    h = await startHarness(runtime, {
      before: [
        async (ctx, next) => {
          if (ctx.chat?.type === 'supergroup') {
            seen.push(ctx.message?.text ?? '');
            await ctx.reply('pris en charge');
            return;
          }
          await next();
        },
      ],
    });
    const [staffReply] = await h.say(-1009, textUpdate(-1009, 'claim', { chatType: 'supergroup', fromId: 77 }));
    expect(staffReply?.params.text).toBe('pris en charge');
    const [reply] = await h.say(90, textUpdate(90, 'bonjour'));
    expect(reply?.params.text).toBe('Tu as écrit : bonjour');
    expect(seen).toEqual(['claim']);
    expect(runtime.inputs.map((i) => i.chat.id)).toEqual(['90']);
  });
});

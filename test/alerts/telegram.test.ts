// The whole path on Telegram: a person subscribes through the real Telegram channel (grammY polling the loopback
// Bot API), an alert reaches them through the channel's bulk outbox, and their reply to it enters the normal
// conversation. A person who blocked the bot is unsubscribed and marked inactive.
import type { Message } from 'grammy/types';
import { afterEach, describe, expect, it } from 'vitest';
import { startAlertWorkers } from '../../src/alerts/broadcast-worker.ts';
import { SendBudget } from '../../src/alerts/send-budget.ts';
import { createTelegramChannel, type TelegramChannel } from '../../src/channels/telegram/adapter.ts';
import { TelegramBulkSender } from '../../src/channels/telegram/sender.ts';
import { silentLogger } from '../../src/infra/logger.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import {
  callbackUpdate,
  type RecordedCall,
  startUpdate,
  textUpdate,
  type UpdateBody,
} from '../support/bot-api-server.ts';
import { type AlertsFixture, alertsFixture, anAlert } from './support/alerts.ts';

type Button = { text: string; callback_data: string };

describe('alerts on Telegram', () => {
  let f: AlertsFixture;
  let app: TestApp;
  let channel: TelegramChannel;

  afterEach(async () => {
    await channel.stop();
    await app.close();
    await f.close();
  });

  async function setUp() {
    f = await alertsFixture();
    app = await createTestApp({ subscriptions: f.subscriptions });
    const budget = new SendBudget(f.redis, f.keys, { channel: 'telegram', ratePerSecond: 30 });
    channel = createTelegramChannel({
      token: f.server.token,
      apiRoot: f.server.apiRoot,
      mode: 'polling',
      runtime: app.runtime,
      redis: f.redis,
      keys: f.keys,
      subscriptions: f.subscriptions,
      logger: silentLogger(),
      pollTimeoutSeconds: 1,
      retry: { baseDelayMs: 10, maxDelayMs: 50 },
      budget,
    });
    await channel.start();
    f.workers = await startAlertWorkers(
      {
        broadcast: f.broadcast,
        redis: f.redis,
        sender: new TelegramBulkSender({ token: f.server.token, apiRoot: f.server.apiRoot }, channel.activity),
        budget,
        subscriptions: f.subscriptions,
        clock: f.clock,
        logger: silentLogger(),
      },
      { ratePerSecond: 30 },
    );
  }

  /** Queues an update and resolves with the bot's messages to that chat, once `count` have come. */
  async function say(chatId: number, update: UpdateBody, count = 1): Promise<RecordedCall[]> {
    const since = f.server.lastSeq;
    f.server.push(update);
    return f.server.waitForCalls((c) => c.method === 'sendMessage' && c.chatId === String(chatId), count, { since });
  }

  function press(chatId: number, calls: RecordedCall[], label: string, count = 1): Promise<RecordedCall[]> {
    const withKeyboard = calls.filter((c) => c.params.reply_markup).at(-1);
    const rows = (withKeyboard?.params.reply_markup as { inline_keyboard: Button[][] } | undefined)?.inline_keyboard;
    const button = rows?.flat().find((b) => b.text === label);
    if (!button) throw new Error(`no button "${label}" in ${JSON.stringify(rows)}`);
    return say(chatId, callbackUpdate(chatId, button.callback_data), count);
  }

  it('subscribes with buttons, receives the alert, and a reply to it goes on with the conversation', async () => {
    await setUp();
    const chatId = 7_700_001;
    let calls = await say(chatId, startUpdate(chatId));
    calls = await press(chatId, calls, 'Français');
    calls = await say(chatId, textUpdate(chatId, '/alerts'));
    calls = await press(chatId, calls, "M'abonner à un sujet");
    calls = await press(chatId, calls, 'Alertes urgentes');
    calls = await press(chatId, calls, 'Bamako');
    calls = await press(chatId, calls, 'Oui', 2);
    expect(String(calls[0]!.params.text)).toContain("C'est fait.");
    expect(await f.subscriptions.get({ channel: 'telegram', id: String(chatId) })).toMatchObject({
      lang: 'fr',
      topics: { urgent: ['bamako'] },
    });

    const alert = anAlert({ regions: ['bamako'], text: { fr: 'Le poste de Kourémalé est fermé.' } });
    const since = f.server.lastSeq;
    await f.broadcast.publish(alert);
    const [received] = await f.server.waitForCalls(
      (c) => c.method === 'sendMessage' && c.chatId === String(chatId),
      1,
      { since },
    );
    expect(received!.params.text).toBe('Le poste de Kourémalé est fermé.');
    expect(await f.finished(alert.id)).toMatchObject({ sent: 1, pending: 0 });

    // The person answers the alert (a Telegram reply to it): the conversation simply goes on.
    const reply = textUpdate(chatId, 'menu');
    (reply.message as Message).reply_to_message = {
      message_id: 1,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'Person' },
      text: 'Le poste de Kourémalé est fermé.',
    } as Message['reply_to_message'];
    const answer = await say(chatId, reply);
    expect(String(answer[0]!.params.text)).toContain('Que veux-tu faire ? Tu peux aussi écrire ta question.');

    const stop = textUpdate(chatId, 'stop');
    (stop.message as Message).reply_to_message = (reply.message as Message).reply_to_message;
    const stopped = await say(chatId, stop);
    expect(String(stopped[0]!.params.text)).toContain('Tes alertes sont en pause');
    expect(await f.subscriptions.get({ channel: 'telegram', id: String(chatId) })).toMatchObject({ paused: true });
  });

  it('a person who blocked the bot is unsubscribed, marked inactive, and counted as blocked', async () => {
    await setUp();
    const blocker = { channel: 'telegram' as const, id: '7700002' };
    const other = { channel: 'telegram' as const, id: '7700003' };
    await f.subscriptions.subscribe(blocker, ['urgent'], 'en', 'gao');
    await f.subscriptions.subscribe(other, ['urgent'], 'en', 'gao');
    f.server.blockChat(blocker.id);
    f.server.failNext({ status: 429, retryAfter: 1 }, { method: 'sendMessage', chatId: other.id });
    const alert = anAlert();
    await f.broadcast.publish(alert);
    const report = await f.finished(alert.id);

    expect(report).toMatchObject({ sent: 1, blocked: 1, failed: 0, pending: 0 });
    expect(await f.subscriptions.get(blocker)).toBeNull();
    expect(await channel.activity.isInactive(blocker)).toBe(true);
    // The 429 was waited out and the other person got the alert once.
    expect(f.server.textsTo(other.id)).toEqual(['The border is closed.']);
  });
});

// Broadcasts through BullMQ on real Redis, sent with grammY to the loopback Bot API server.
import { Api } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { SendBudget } from '../../src/alerts/send-budget.ts';
import { budgetTransformer } from '../../src/channels/telegram/send-budget.ts';
import {
  type AlertsFixture,
  alertsFixture,
  anAlert,
  deliveries,
  maxInSlidingSecond,
  newChat,
  subscribeMany,
} from './support/alerts.ts';

describe('alert broadcast', () => {
  let f: AlertsFixture;
  afterEach(async () => {
    await f.close();
  });

  it('sends each person the alert once, in their language or in French', async () => {
    f = await alertsFixture();
    await f.startWorkers();
    const fr = await subscribeMany(f.subscriptions, 3, { lang: 'fr', topics: ['urgent'], region: 'kayes' });
    const en = await subscribeMany(f.subscriptions, 3, { lang: 'en', topics: ['urgent'], region: 'kayes' });
    const bm = await subscribeMany(f.subscriptions, 2, { lang: 'bm', topics: ['urgent'], region: 'kayes' });
    const elsewhere = await subscribeMany(f.subscriptions, 2, { lang: 'fr', topics: ['urgent'], region: 'gao' });
    const alert = anAlert({ regions: ['kayes'], text: { fr: 'Frontière fermée.', en: 'Border closed.' } });

    const published = await f.broadcast.publish(alert);
    expect(published).toMatchObject({ published: true, audience: { total: 8, byLang: { fr: 3, en: 3, bm: 2 } } });
    const report = await f.finished(alert.id);

    expect(report).toMatchObject({ total: 8, sent: 8, pending: 0, failed: 0, blocked: 0 });
    const sent = deliveries(f.server);
    for (const chat of fr) expect(sent.get(chat.id)).toEqual(['Frontière fermée.']);
    for (const chat of en) expect(sent.get(chat.id)).toEqual(['Border closed.']);
    for (const chat of bm) expect(sent.get(chat.id)).toEqual(['Frontière fermée.']);
    for (const chat of elsewhere) expect(sent.get(chat.id)).toBeUndefined();
    // Publishing the same id again sends nothing more.
    expect(await f.broadcast.publish(alert)).toEqual({ published: false, reason: 'exists' });
  });

  it('honours a 429: the whole queue waits retry_after, then the message is delivered once', async () => {
    f = await alertsFixture();
    await f.startWorkers({ ratePerSecond: 50, concurrency: 1 });
    const people = await subscribeMany(f.subscriptions, 12);
    f.server.failNext({ status: 429, retryAfter: 1 }, { method: 'sendMessage' });
    const alert = anAlert();
    await f.broadcast.publish(alert);
    const report = await f.finished(alert.id);

    expect(report).toMatchObject({ sent: 12, pending: 0, failed: 0 });
    expect(f.server.stats.rateLimited).toBe(1);
    // No message reached the server while the announced retry_after ran (it counts any that did).
    expect(f.server.stats.retryAfterViolations).toBe(0);
    const limited = f.server.calls.find((c) => c.status === 429)!;
    const after = f.server.calls.filter((c) => c.seq > limited.seq);
    expect(after).toHaveLength(12);
    for (const call of after) expect(call.at - limited.at).toBeGreaterThanOrEqual(1000);
    const sent = deliveries(f.server);
    for (const chat of people) expect(sent.get(chat.id)).toEqual(['La frontière est fermée.']);
  });

  it('with many sends in flight, a 429 pauses every worker slot and loses nothing', async () => {
    f = await alertsFixture();
    const concurrency = 8;
    await f.startWorkers({ ratePerSecond: 100, concurrency });
    const people = await subscribeMany(f.subscriptions, 40);
    f.server.failNext({ status: 429, retryAfter: 1 }, { method: 'sendMessage', times: 2 });
    const alert = anAlert();
    await f.broadcast.publish(alert);
    const report = await f.finished(alert.id);

    expect(report).toMatchObject({ sent: 40, pending: 0, failed: 0 });
    expect(f.server.stats.rateLimited).toBe(2);
    // Only sends already in flight when a 429 came may reach the server during its retry_after.
    expect(f.server.stats.retryAfterViolations).toBeLessThanOrEqual(2 * (concurrency - 1));
    const sent = deliveries(f.server);
    for (const chat of people) expect(sent.get(chat.id)).toHaveLength(1);
    expect(f.server.callsTo('sendMessage').filter((c) => c.status === 200)).toHaveLength(40);
  });

  it('a 403 unsubscribes that person and counts them as blocked', async () => {
    f = await alertsFixture();
    await f.startWorkers();
    const [blocker, ...others] = await subscribeMany(f.subscriptions, 4, { topics: ['urgent', 'travel'] });
    f.server.blockChat(blocker!.id);
    const alert = anAlert();
    await f.broadcast.publish(alert);
    const report = await f.finished(alert.id);

    expect(report).toMatchObject({ sent: 3, blocked: 1, failed: 0, pending: 0 });
    expect(await f.subscriptions.get(blocker!)).toBeNull();
    for (const chat of others) expect(await f.subscriptions.list(chat)).toEqual(['travel', 'urgent']);
    // The next alert no longer goes to them.
    const next = anAlert({ topics: ['travel'] });
    expect((await f.broadcast.publish(next)).published && (await f.broadcast.preview(next)).total).toBe(3);
  });

  it('does not send an alert that has expired by the time it is sent', async () => {
    f = await alertsFixture();
    await f.startWorkers({ concurrency: 1, ratePerSecond: 20 });
    const people = await subscribeMany(f.subscriptions, 6);
    const alert = anAlert({ expires: f.clock.now() + 3_600_000 });
    // Two messages go out, then the clock passes the expiry while the rest wait their turn.
    const stop = f.server.onCall((call) => {
      if (call.method === 'sendMessage' && f.server.callsTo('sendMessage').length === 2) f.clock.advance(7_200_000);
    });
    await f.broadcast.publish(alert);
    const report = await f.finished(alert.id);
    stop();

    expect(report).toMatchObject({ sent: 2, expired: 4, pending: 0, failed: 0 });
    expect([...deliveries(f.server).keys()]).toHaveLength(2);
    expect(people).toHaveLength(6);
  });

  it('does not send at all an alert that expired before its send time came', async () => {
    f = await alertsFixture();
    await f.startWorkers();
    await subscribeMany(f.subscriptions, 5);
    const alert = anAlert({ expires: f.clock.now() + 60_000 });
    f.clock.advance(120_000);
    await f.broadcast.publish(alert);
    const report = await f.finished(alert.id);
    expect(report).toMatchObject({ total: 5, sent: 0, expired: 5, pending: 0 });
    expect(f.server.callsTo('sendMessage')).toHaveLength(0);
  });

  it('skips people who stopped or unsubscribed after the broadcast started', async () => {
    f = await alertsFixture();
    await f.startWorkers({ concurrency: 1, ratePerSecond: 20 });
    const people = await subscribeMany(f.subscriptions, 3);
    const stop = f.server.onCall((call) => {
      if (call.method !== 'sendMessage' || f.server.callsTo('sendMessage').length !== 1) return;
      const [paused, gone] = people.filter((c) => c.id !== call.chatId);
      void f.subscriptions.pause(paused!);
      void f.subscriptions.unsubscribe(gone!, []);
    });
    const alert = anAlert();
    await f.broadcast.publish(alert);
    const report = await f.finished(alert.id);
    stop();
    expect(report).toMatchObject({ total: 3, sent: 1, skipped: 2, pending: 0 });
    expect(deliveries(f.server).size).toBe(1);
  });

  it('keeps a second between two messages to one chat', async () => {
    f = await alertsFixture({ rateLimit: { globalPerSecond: 200, perChatIntervalMs: 1000 } });
    await f.startWorkers({ ratePerSecond: 100 });
    const people = await subscribeMany(f.subscriptions, 3, { topics: ['urgent', 'travel'] });
    const first = anAlert({ topics: ['urgent'] });
    const second = anAlert({ topics: ['travel'], text: { fr: 'Deuxième.' } });
    await f.broadcast.publish(first);
    await f.broadcast.publish(second);
    await f.finished(first.id);
    await f.finished(second.id);

    // The server answers 429 to a second message within a second to one chat: none was needed.
    expect(f.server.stats.rateLimited).toBe(0);
    for (const chat of people) {
      const calls = f.server.callsTo('sendMessage', chat.id);
      expect(calls.map((c) => c.status)).toEqual([200, 200]);
      expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1000);
    }
  });

  it('holds the platform limit: the server enforcing it never answers 429', async () => {
    f = await alertsFixture({ rateLimit: { globalPerSecond: 20 } });
    await f.startWorkers({ ratePerSecond: 20, concurrency: 8 });
    const people = await subscribeMany(f.subscriptions, 50);
    const alert = anAlert();
    await f.broadcast.publish(alert);
    const report = await f.finished(alert.id);
    expect(report).toMatchObject({ sent: 50, pending: 0 });
    expect(f.server.stats.rateLimited).toBe(0);
    expect(deliveries(f.server).size).toBe(people.length);
  });

  it('replies and alerts share one budget: replies go first, together they never pass the limit in any second', async () => {
    const rate = 20;
    f = await alertsFixture({ rateLimit: { globalPerSecond: rate, perChatIntervalMs: 1000 } });
    const budget = new SendBudget(f.redis, f.keys, { channel: 'telegram', ratePerSecond: rate });
    const replies = new Api(f.server.token, { apiRoot: f.server.apiRoot });
    replies.config.use(budgetTransformer(budget));
    await f.startWorkers({ ratePerSecond: rate, concurrency: 8 }, (sender) => sender);
    const people = await subscribeMany(f.subscriptions, 60);
    const talkers = Array.from({ length: 5 }, () => newChat());
    const alert = anAlert();
    await f.broadcast.publish(alert);
    // Five people chatting during the broadcast, one reply each per second (the chat's own limit).
    const replyTimes: number[] = [];
    let chatting = true;
    const talk = (async () => {
      while (chatting) {
        const round = talkers.map(async (chat) => {
          const start = performance.now();
          await replies.sendMessage(chat.id, 'Réponse');
          replyTimes.push(performance.now() - start);
        });
        await Promise.all(round);
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    const report = await f.finished(alert.id, 30_000);
    chatting = false;
    await talk;

    expect(report).toMatchObject({ sent: people.length, pending: 0, failed: 0, uncertain: 0 });
    expect(deliveries(f.server).size).toBe(people.length + talkers.length);
    const sends = f.server.calls.filter((c) => c.method === 'sendMessage');
    // The server enforcing the limit never had to refuse anything, replies included.
    expect(f.server.stats.rateLimited).toBe(0);
    // Together, in every sliding second Telegram saw, never more than the limit (without one budget, alerts and
    // replies would make 24/s): the slots leave a margin for the time a request takes to arrive.
    expect(maxInSlidingSecond(sends.map((c) => c.at))).toBeLessThanOrEqual(rate);
    // Alerts are paced evenly, not in bursts: never two alerts within a fraction of the interval.
    const alertTimes = sends.filter((c) => !talkers.some((t) => t.id === c.chatId)).map((c) => c.at);
    const gaps = alertTimes.slice(1).map((at, i) => at - alertTimes[i]!);
    expect(gaps.filter((g) => g < 1000 / rate / 3).length).toBeLessThanOrEqual(2);
    // Replies never waited for the broadcast.
    expect(Math.max(...replyTimes)).toBeLessThan(500);
  });

  it('a 429 to a reply pauses the alerts; the reply is retried on its own and not held by the pause', async () => {
    f = await alertsFixture();
    const budget = new SendBudget(f.redis, f.keys, { channel: 'telegram', ratePerSecond: 50 });
    await budget.pause(60_000);
    const replies = new Api(f.server.token, { apiRoot: f.server.apiRoot });
    replies.config.use(budgetTransformer(budget));
    const chat = newChat();
    const started = Date.now();
    await replies.sendMessage(chat.id, 'Bonjour');
    // The alerts' 60 s pause does not hold a reply.
    expect(Date.now() - started).toBeLessThan(1000);
    await budget.pause(0);
    await f.redis.hdel(budget.key, 'pausedUntil');
    f.server.failNext({ status: 429, retryAfter: 2 }, { method: 'sendMessage' });
    await expect(replies.sendMessage(chat.id, 'Encore')).rejects.toThrow(/429/);
    expect(await budget.pausedForMs()).toBeGreaterThan(1000);
  });

  it('an answer lost on the way back is resent and counted uncertain; a refusal is failed with its reason', async () => {
    f = await alertsFixture();
    const people = await subscribeMany(f.subscriptions, 4);
    const [lost, refused] = people as [(typeof people)[0], (typeof people)[0]];
    f.server.failNext({ status: 400, description: 'Bad Request: chat not found' }, { chatId: refused.id });
    let dropped = false;
    await f.startWorkers({ ratePerSecond: 50 }, (inner) => ({
      channel: inner.channel,
      async send(chatId, text) {
        const result = await inner.send(chatId, text);
        // Telegram has it, but the answer never comes back (a network cut): we cannot know.
        if (chatId === lost.id && !dropped) {
          dropped = true;
          return { kind: 'no_answer' };
        }
        return result;
      },
    }));
    const alert = anAlert();
    await f.broadcast.publish(alert);
    const report = await f.finished(alert.id);

    expect(report).toMatchObject({ sent: 3, uncertain: 1, failed: 1, failedReasons: { refused: 1 }, pending: 0 });
    const sent = deliveries(f.server);
    // One possible duplicate rather than a silent miss: here it did arrive twice, and the status says so.
    expect(sent.get(lost.id)).toHaveLength(2);
    expect(sent.get(refused.id)).toBeUndefined();
    for (const chat of people.slice(2)) expect(sent.get(chat.id)).toHaveLength(1);
  });

  it('a reply right after an alert to the same person goes at once (Telegram allows a short burst in a chat)', async () => {
    f = await alertsFixture({ rateLimit: { globalPerSecond: 100, perChatIntervalMs: 1000, perChatBurst: 2 } });
    const budget = new SendBudget(f.redis, f.keys, { channel: 'telegram', ratePerSecond: 50 });
    const replies = new Api(f.server.token, { apiRoot: f.server.apiRoot });
    replies.config.use(budgetTransformer(budget));
    await f.startWorkers({ ratePerSecond: 50 });
    const [person] = await subscribeMany(f.subscriptions, 1);
    const alert = anAlert();
    await f.broadcast.publish(alert);
    await f.finished(alert.id);
    // The person writes at once; the bot answers at once, without waiting for the rest of the alert's second.
    await replies.sendMessage(person!.id, 'Réponse');
    const calls = f.server.callsTo('sendMessage', person!.id);
    expect(calls.map((c) => c.status)).toEqual([200, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeLessThan(1000);
    expect(f.server.stats.rateLimited).toBe(0);
  });

  it('an alert to a person who just got a reply waits out that second (alerts keep their distance)', async () => {
    f = await alertsFixture({ rateLimit: { globalPerSecond: 100, perChatIntervalMs: 1000 } });
    const budget = new SendBudget(f.redis, f.keys, { channel: 'telegram', ratePerSecond: 50 });
    const replies = new Api(f.server.token, { apiRoot: f.server.apiRoot });
    replies.config.use(budgetTransformer(budget));
    await f.startWorkers({ ratePerSecond: 50 }, (sender) => sender);
    const [talking, ...others] = await subscribeMany(f.subscriptions, 4);
    await replies.sendMessage(talking!.id, 'Réponse');
    // What the reply used reaches the budget a few ms later, off its way.
    await budget.flush();
    const alert = anAlert();
    await f.broadcast.publish(alert);
    expect(await f.finished(alert.id)).toMatchObject({ sent: 4, pending: 0, failed: 0 });

    // The server allows no burst here: a 429 would show an alert sent within the reply's second.
    expect(f.server.stats.rateLimited).toBe(0);
    const calls = f.server.callsTo('sendMessage', talking!.id);
    expect(calls.map((c) => c.status)).toEqual([200, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1000);
    // The others did not wait for that second.
    const othersAt = others.map((chat) => f.server.callsTo('sendMessage', chat.id)[0]!.at);
    expect(Math.max(...othersAt)).toBeLessThan(calls[1]!.at);
  });

  it('bursts of replies right next to alert slots: the platform never gets more than the limit in a second', async () => {
    const rate = 20;
    f = await alertsFixture({ rateLimit: { globalPerSecond: rate, perChatIntervalMs: 1000 } });
    const budget = new SendBudget(f.redis, f.keys, { channel: 'telegram', ratePerSecond: rate });
    const replies = new Api(f.server.token, { apiRoot: f.server.apiRoot });
    replies.config.use(budgetTransformer(budget));
    await f.startWorkers({ ratePerSecond: rate, concurrency: 8 });
    const people = await subscribeMany(f.subscriptions, 100);
    const alert = anAlert();
    // As every 25th alert reaches Telegram, four people get a reply in the same instant: the second before is full of
    // alerts at the pace, and the next slots are already booked.
    const talkers: string[] = [];
    const bursts: Promise<unknown>[] = [];
    let alerts = 0;
    const stop = f.server.onCall((call) => {
      if (call.method !== 'sendMessage' || talkers.includes(call.chatId!) || ++alerts % 25 !== 0) return;
      const burst = Array.from({ length: 4 }, () => newChat().id);
      talkers.push(...burst);
      bursts.push(Promise.all(burst.map((id) => replies.sendMessage(id, 'Réponse'))));
    });
    await f.broadcast.publish(alert);
    const report = await f.finished(alert.id, 60_000);
    stop();
    await Promise.all(bursts);

    expect(report).toMatchObject({ sent: people.length, pending: 0, failed: 0 });
    expect(talkers.length).toBeGreaterThanOrEqual(4 * 3);
    expect(deliveries(f.server).size).toBe(people.length + talkers.length);
    const sends = f.server.calls.filter((c) => c.method === 'sendMessage');
    expect(maxInSlidingSecond(sends.map((c) => c.at))).toBeLessThanOrEqual(rate);
    expect(f.server.stats.rateLimited).toBe(0);
  });

  it('with no broadcast, replies are not limited: after the first, 50 at once all go at once', async () => {
    const rate = 20;
    f = await alertsFixture();
    const budget = new SendBudget(f.redis, f.keys, { channel: 'telegram', ratePerSecond: rate });
    const replies = new Api(f.server.token, { apiRoot: f.server.apiRoot });
    replies.config.use(budgetTransformer(budget));
    // The process's first reply waits one round trip: the tally's answer tells it no alert is going out.
    await replies.sendMessage(newChat().id, 'Réponse');
    await budget.flush();
    expect(budget.replyWaits).toMatchObject({ replies: 1, waited: 1 });
    // Then nothing else shares the platform's second: the bot answers every person at once, however many write.
    const storm = Array.from({ length: 50 }, () => newChat());
    await Promise.all(storm.map((chat) => replies.sendMessage(chat.id, 'Réponse')));
    await budget.flush();
    expect(f.server.calls.filter((c) => c.method === 'sendMessage')).toHaveLength(storm.length + 1);
    expect(budget.replyWaits).toMatchObject({ replies: storm.length + 1, waited: 1 });
    // Counted all the same: a broadcast starting now leaves them their second, then goes out.
    await f.startWorkers({ ratePerSecond: rate });
    const people = await subscribeMany(f.subscriptions, 3);
    const alert = anAlert();
    await f.broadcast.publish(alert);
    expect(await f.finished(alert.id)).toMatchObject({ sent: people.length, pending: 0 });
    const sends = f.server.calls.filter((c) => c.method === 'sendMessage');
    const firstAlert = sends.find((c) => c.params.text !== 'Réponse')!;
    expect(firstAlert.at - sends[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('during a broadcast, replies beyond the limit wait only for room in the second', async () => {
    const rate = 20;
    f = await alertsFixture();
    const budget = new SendBudget(f.redis, f.keys, { channel: 'telegram', ratePerSecond: rate });
    const replies = new Api(f.server.token, { apiRoot: f.server.apiRoot });
    replies.config.use(budgetTransformer(budget));
    await f.startWorkers({ ratePerSecond: rate });
    const people = await subscribeMany(f.subscriptions, 60);
    const alert = anAlert();
    await f.broadcast.publish(alert);
    await f.server.waitForCall((c) => c.method === 'sendMessage');
    // The process learns that alerts are going out from its first tally's answer.
    await replies.sendMessage(newChat().id, 'Réponse');
    await budget.flush();
    const storm = Array.from({ length: 50 }, () => newChat());
    await Promise.all(storm.map((chat) => replies.sendMessage(chat.id, 'Réponse')));
    expect(await f.finished(alert.id)).toMatchObject({ sent: people.length, pending: 0 });
    const sends = f.server.calls.filter((c) => c.method === 'sendMessage');
    expect(sends.filter((c) => c.params.text === 'Réponse')).toHaveLength(storm.length + 1);
    expect(maxInSlidingSecond(sends.map((c) => c.at))).toBeLessThanOrEqual(rate);
    expect(budget.replyWaits.waited).toBeGreaterThan(0);
  });

  it('a reply is not held when Redis does not answer', async () => {
    f = await alertsFixture();
    const { Redis } = await import('ioredis');
    const dead = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: true, maxRetriesPerRequest: null });
    dead.on('error', () => undefined);
    const budget = new SendBudget(dead, f.keys, { channel: 'telegram', ratePerSecond: 50 });
    const replies = new Api(f.server.token, { apiRoot: f.server.apiRoot });
    replies.config.use(budgetTransformer(budget));
    const started = Date.now();
    await replies.sendMessage(newChat().id, 'Bonjour');
    expect(Date.now() - started).toBeLessThan(500);
    dead.disconnect();
  });

  it("a sender without the bot's data key cannot open the chats: counted failed (our side), never skipped", async () => {
    f = await alertsFixture();
    await subscribeMany(f.subscriptions, 2);
    const { RedisSubscriptions } = await import('../../src/alerts/subscriptions.ts');
    const { devDataKeys, PersonalDataCipher } = await import('../../src/infra/crypto.ts');
    const { startAlertWorkers } = await import('../../src/alerts/broadcast-worker.ts');
    const { TelegramBulkSender } = await import('../../src/channels/telegram/sender.ts');
    const { silentLogger } = await import('../../src/infra/logger.ts');
    const wrongKey = new RedisSubscriptions(f.redis, f.keys, {
      cipher: new PersonalDataCipher(devDataKeys('another key')),
    });
    f.workers = await startAlertWorkers(
      {
        broadcast: f.broadcast,
        redis: f.redis,
        sender: new TelegramBulkSender({ token: f.server.token, apiRoot: f.server.apiRoot }),
        subscriptions: wrongKey,
        clock: f.clock,
        logger: silentLogger(),
      },
      { ratePerSecond: 50 },
    );
    const alert = anAlert();
    await f.broadcast.publish(alert);
    const report = await f.finished(alert.id);
    expect(report).toMatchObject({ sent: 0, skipped: 0, failed: 2, failedReasons: { worker_error: 2 } });
    expect(f.server.callsTo('sendMessage')).toHaveLength(0);
  });
});

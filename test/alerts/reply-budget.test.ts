// Replies and the send budget (issue 21, issue 17 point 7): a reply goes at once with no Redis command on its way,
// even during a broadcast; what it used reaches the budget in a batch just after, under the person's pseudonym.
import { Api } from 'grammy';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { SendBudget } from '../../src/alerts/send-budget.ts';
import { budgetTransformer } from '../../src/channels/telegram/send-budget.ts';
import { type AlertsFixture, alertsFixture, anAlert, newChat, subscribeMany } from './support/alerts.ts';

/** Counts the commands a client writes (the Redis stays real; only the count is watched). */
function countCommands(redis: Redis): { readonly count: number } {
  const counter = { count: 0 };
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    counter.count++;
    return send(...args);
  }) as Redis['sendCommand'];
  return counter;
}

describe('replies and the send budget', () => {
  let f: AlertsFixture;
  afterEach(async () => {
    await f.close();
  });

  it('a reply during a broadcast sends no Redis command before its request; its share is counted just after', async () => {
    f = await alertsFixture({ rateLimit: { globalPerSecond: 50, perChatIntervalMs: 1000 } });
    const budgetRedis = f.redis.duplicate();
    const commands = countCommands(budgetRedis);
    const budget = new SendBudget(budgetRedis, f.keys, { channel: 'telegram', ratePerSecond: 20 });
    const replies = new Api(f.server.token, { apiRoot: f.server.apiRoot });
    // Inside the budget's transformer: the moment each request leaves for Telegram.
    const atLeaving: number[] = [];
    replies.config.use((prev, method, payload, signal) => {
      atLeaving.push(commands.count);
      return prev(method, payload, signal);
    });
    replies.config.use(budgetTransformer(budget));
    await f.startWorkers({ ratePerSecond: 20 });
    await subscribeMany(f.subscriptions, 40);
    const alert = anAlert();
    await f.broadcast.publish(alert);
    await f.server.waitForCall((c) => c.method === 'sendMessage');

    // The first reply of this process takes a round trip (its tokens are asked for); it keeps one in hand while
    // it replies. Then several replies while alerts go out: when each request leaves, the budget's connection has
    // written nothing for it (nothing to wait for), and Telegram has it.
    await replies.sendMessage(newChat().id, 'Bonjour');
    const chats = Array.from({ length: 5 }, () => newChat());
    for (const chat of chats) {
      await budget.flush();
      const before = commands.count;
      atLeaving.length = 0;
      await replies.sendMessage(chat.id, 'Réponse');
      expect(atLeaving).toEqual([before]);
      expect(f.server.textsTo(chat.id)).toEqual(['Réponse']);
    }

    // Counted once Redis has the batch: the person's second is held under their pseudonym (an alert to them waits).
    await budget.flush();
    const last = chats.at(-1)!;
    expect(await f.redis.get(budget.gapOf(last))).toBe('r');
    expect(budget.gapOf(last)).not.toContain(last.id);
    expect(await f.finished(alert.id)).toMatchObject({ sent: 40, pending: 0, failed: 0 });
    budgetRedis.disconnect();
  });

  it('at shutdown, the replies just sent reach Redis and the process gives its tokens back', async () => {
    f = await alertsFixture();
    const budget = new SendBudget(f.redis, f.keys, { channel: 'telegram', ratePerSecond: 30 });
    const replies = new Api(f.server.token, { apiRoot: f.server.apiRoot });
    replies.config.use(budgetTransformer(budget));
    await replies.sendMessage(newChat().id, 'Bonjour');
    const last = newChat();
    await replies.sendMessage(last.id, 'Au revoir');
    // Closed within the 5 ms before the next batch: nothing noted is lost.
    await budget.close();
    expect(await f.redis.zcard(budget.logKey)).toBe(2);
    expect(await f.redis.get(budget.gapOf(last))).toBe('r');
    expect(await f.redis.hlen(budget.leasesKey)).toBe(0);
  });
});

// No chat id reaches Redis's persistence through the alerts: a private redis-server with AOF (every write) takes
// real alert traffic — subscriptions, replies sharing the budget (the per-chat second), a broadcast with a person who
// blocked the bot, a stop, an erasure — and neither its AOF files nor an RDB snapshot hold any of the chat ids.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Api } from 'grammy';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertBroadcast } from '../../src/alerts/broadcast.ts';
import { type AlertWorkers, startAlertWorkers } from '../../src/alerts/broadcast-worker.ts';
import { SendBudget } from '../../src/alerts/send-budget.ts';
import { RedisSubscriptions } from '../../src/alerts/subscriptions.ts';
import { PersonActivity } from '../../src/channels/telegram/activity.ts';
import { budgetTransformer } from '../../src/channels/telegram/send-budget.ts';
import { TelegramBulkSender } from '../../src/channels/telegram/sender.ts';
import { RedisKeys } from '../../src/infra/keys.ts';
import { silentLogger } from '../../src/infra/logger.ts';
import type { ChatRef } from '../../src/ports/chat.ts';
import { systemClock } from '../../src/ports/clock.ts';
import { PrivateRedis } from '../referrals/support/private-redis.ts';
import { BotApiServer } from '../support/bot-api-server.ts';
import { anAlert } from './support/alerts.ts';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)])),
  );
  return nested.flat();
}

describe('alerts and Redis persistence', () => {
  let server: PrivateRedis | null = null;
  let api: BotApiServer | null = null;
  let redis: Redis | null = null;
  let workers: AlertWorkers | null = null;
  let broadcast: AlertBroadcast | null = null;
  afterEach(async () => {
    await workers?.close();
    await broadcast?.close();
    redis?.disconnect();
    await api?.close();
    await server?.stop();
  });

  it('neither the AOF nor an RDB snapshot holds a chat id', async () => {
    server = await PrivateRedis.start();
    redis = new Redis(server.url, { maxRetriesPerRequest: null });
    // Every write reaches the AOF file at once; the snapshot is written uncompressed, so a search can see it all.
    await redis.config('SET', 'appendfsync', 'always');
    await redis.config('SET', 'rdbcompression', 'no');
    api = await BotApiServer.start();
    const keys = new RedisKeys('kf', 'a-test-secret-of-enough-length');
    const subscriptions = new RedisSubscriptions(redis, keys, { pseudonymSecret: 'a-test-secret-of-enough-length' });
    broadcast = new AlertBroadcast(redis, keys, systemClock, { pseudonymSecret: 'a-test-secret-of-enough-length' });
    const budget = new SendBudget(redis, keys, { channel: 'telegram', ratePerSecond: 100 });
    const activity = new PersonActivity(redis, keys, subscriptions);

    // Chat ids that cannot appear by chance in a timestamp or a hash.
    const chats: ChatRef[] = Array.from({ length: 12 }, (_, i) => ({
      channel: 'telegram',
      id: String(7_913_570_000 + i),
    }));
    const [blocker, stopper, eraser, ...rest] = chats as [ChatRef, ChatRef, ChatRef, ...ChatRef[]];
    for (const [i, chat] of chats.entries()) {
      await subscriptions.subscribe(
        chat,
        ['urgent'],
        (['fr', 'en', 'bm'] as const)[i % 3]!,
        i % 2 ? 'kayes' : undefined,
      );
    }
    await subscriptions.pause(stopper);
    api.blockChat(blocker.id);

    // Replies to people, through the channel's budget (their per-chat second is a Redis key).
    const replies = new Api(api.token, { apiRoot: api.apiRoot });
    replies.config.use(budgetTransformer(budget));
    for (const chat of rest.slice(0, 4)) await replies.sendMessage(chat.id, 'Bonjour');

    workers = await startAlertWorkers(
      {
        broadcast,
        redis,
        sender: new TelegramBulkSender({ token: api.token, apiRoot: api.apiRoot }, activity),
        budget,
        subscriptions,
        clock: systemClock,
        logger: silentLogger(),
      },
      { ratePerSecond: 100 },
    );
    const alert = anAlert();
    await broadcast.publish(alert);
    for (;;) {
      const report = await broadcast.report(alert.id);
      if (report?.state === 'done') {
        // The paused person is not in the audience.
        expect(report).toMatchObject({ total: chats.length - 1, sent: chats.length - 2, blocked: 1, pending: 0 });
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await subscriptions.eraseFor(eraser);
    await redis.save();

    const files = await filesUnder(server.dir);
    expect(files.some((f) => f.endsWith('.aof'))).toBe(true);
    expect(files.some((f) => f.endsWith('.rdb'))).toBe(true);
    let aof = '';
    for (const file of files) {
      const content = (await readFile(file)).toString('latin1');
      if (file.endsWith('.aof')) aof += content;
      for (const chat of chats) expect(content.includes(chat.id), `${chat.id} in ${path.basename(file)}`).toBe(false);
    }
    // The search reads what was written: the people are there, by pseudonym.
    expect(aof).toContain(keys.person(rest[0]!));
  });
});

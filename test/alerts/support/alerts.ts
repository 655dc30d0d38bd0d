// A broadcast on real Redis and BullMQ (own key prefix), sending with grammY to the loopback Bot API server.
import { Api } from 'grammy';
import type { Alert } from '../../../src/alerts/alert-file.ts';
import type { AlertReport } from '../../../src/alerts/alert-store.ts';
import { AlertBroadcast } from '../../../src/alerts/broadcast.ts';
import { type AlertWorkerOptions, type AlertWorkers, startAlertWorkers } from '../../../src/alerts/broadcast-worker.ts';
import { RedisSubscriptions } from '../../../src/alerts/subscriptions.ts';
import { TelegramBulkSender } from '../../../src/channels/telegram/sender.ts';
import type { Lang } from '../../../src/engine/types.ts';
import { silentLogger } from '../../../src/infra/logger.ts';
import type { BulkSender, BulkSendResult } from '../../../src/ports/bulk-send.ts';
import type { ChatRef } from '../../../src/ports/chat.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import { BotApiServer, type BotApiServerOptions } from '../../support/bot-api-server.ts';
import { type TestRedis, testRedis } from '../../support/redis.ts';

export type ManualClock = Clock & { set(at: number): void; advance(ms: number): void };

/** Real time until a test moves it. */
export function manualClock(): ManualClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    set: (at) => {
      offset = at - Date.now();
    },
    advance: (ms) => {
      offset += ms;
    },
  };
}

export type AlertsFixture = TestRedis & {
  server: BotApiServer;
  api: Api;
  subscriptions: RedisSubscriptions;
  broadcast: AlertBroadcast;
  clock: ManualClock;
  workers: AlertWorkers | null;
  /** `wrap` lets a test watch or change each send. */
  startWorkers(options?: Partial<AlertWorkerOptions>, wrap?: (send: BulkSender) => BulkSender): Promise<AlertWorkers>;
  /** Resolves with the report once every person of the alert has an outcome. */
  finished(id: string, timeoutMs?: number): Promise<AlertReport>;
  close(): Promise<void>;
};

export async function alertsFixture(server: BotApiServerOptions = {}): Promise<AlertsFixture> {
  const r = await testRedis();
  const api = await BotApiServer.start(server);
  const grammy = new Api(api.token, { apiRoot: api.apiRoot });
  const subscriptions = new RedisSubscriptions(r.redis, r.keys);
  const clock = manualClock();
  const broadcast = new AlertBroadcast(r.redis, r.keys, clock);
  const fixture: AlertsFixture = {
    ...r,
    server: api,
    api: grammy,
    subscriptions,
    broadcast,
    clock,
    workers: null,
    async startWorkers(options = {}, wrap = (send) => send) {
      const sender = wrap(new TelegramBulkSender({ token: api.token, apiRoot: api.apiRoot }));
      fixture.workers = await startAlertWorkers(
        { broadcast, redis: r.redis, sender, subscriptions, clock, logger: silentLogger() },
        { ratePerSecond: 100, ...options },
      );
      return fixture.workers;
    },
    async finished(id, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const report = await broadcast.report(id);
        if (report?.state === 'done') return report;
        if (Date.now() > deadline) throw new Error(`alert ${id} not finished: ${JSON.stringify(report)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close() {
      await fixture.workers?.close();
      await broadcast.close();
      await api.close();
      await r.cleanup();
    },
  };
  return fixture;
}

let nextChat = 5_000_000;

export function newChat(): ChatRef {
  return { channel: 'telegram', id: String(nextChat++) };
}

/** Subscribes `count` new Telegram chats and returns them. */
export async function subscribeMany(
  subscriptions: RedisSubscriptions,
  count: number,
  options: { topics?: string[]; lang?: Lang; region?: string } = {},
): Promise<ChatRef[]> {
  const chats = Array.from({ length: count }, () => newChat());
  for (let i = 0; i < chats.length; i += 200) {
    await Promise.all(
      chats
        .slice(i, i + 200)
        .map((chat) =>
          subscriptions.subscribe(chat, options.topics ?? ['urgent'], options.lang ?? 'fr', options.region),
        ),
    );
  }
  return chats;
}

let alertCounter = 0;

export function anAlert(overrides: Partial<Alert> = {}): Alert {
  alertCounter += 1;
  return {
    id: `test-alert-${alertCounter}`,
    topics: ['urgent'],
    regions: 'all',
    text: { fr: 'La frontière est fermée.', en: 'The border is closed.' },
    ...overrides,
  };
}

/** Texts sent with success to each chat, by chat id. */
export function deliveries(server: BotApiServer): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const call of server.calls) {
    if (call.method !== 'sendMessage' || call.status !== 200 || call.chatId === undefined) continue;
    out.set(call.chatId, [...(out.get(call.chatId) ?? []), String(call.params.text)]);
  }
  return out;
}

export type SendRecord = { chatId: string; startedAt: number; endedAt: number; result?: BulkSendResult };

/** Wraps a sender to record when each send started and ended, as the client saw it. */
export function recordSends(records: SendRecord[]): (send: BulkSender) => BulkSender {
  return (inner) => ({
    channel: inner.channel,
    async send(chatId, text) {
      const record: SendRecord = { chatId, startedAt: performance.timeOrigin + performance.now(), endedAt: 0 };
      records.push(record);
      record.result = await inner.send(chatId, text);
      record.endedAt = performance.timeOrigin + performance.now();
      return record.result;
    },
  });
}

/** The most events within any sliding second (half-open [t, t + 1000 ms)). */
export function maxInSlidingSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let from = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[from]! >= 1000) from++;
    max = Math.max(max, i - from + 1);
  }
  return max;
}

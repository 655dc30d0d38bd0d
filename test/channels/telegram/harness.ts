// Starts the loopback Bot API server, a Redis connection with a private key prefix, and the Telegram channel.
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import {
  type ConversationRuntime,
  createTelegramChannel,
  type TelegramChannel,
  type TelegramChannelOptions,
} from '../../../src/channels/telegram/adapter.ts';
import type { RedisKeys } from '../../../src/infra/keys.ts';
import type { ChatRef } from '../../../src/ports/chat.ts';
import type { Subscriptions } from '../../../src/ports/services.ts';
import { BotApiServer, type RecordedCall, type UpdateBody } from '../../support/bot-api-server.ts';
import { testRedis } from '../../support/redis.ts';

export type LogLine = { level: number; msg: string; [key: string]: unknown };

export type Harness = {
  server: BotApiServer;
  redis: Redis;
  keys: RedisKeys;
  channel: TelegramChannel;
  logs: LogLine[];
  subscriptions: FakeSubscriptions;
  /** Queues one update and resolves with the first `count` sendMessage calls to `chatId` that follow it. */
  say(chatId: number, update: UpdateBody, count?: number): Promise<RecordedCall[]>;
  close(): Promise<void>;
};

/** In-memory subscriptions: the alerts service is another issue; this records what the channel asks of it. */
export class FakeSubscriptions implements Subscriptions {
  readonly unsubscribed: { chat: ChatRef; topics: string[] }[] = [];
  async subscribe(): Promise<void> {}
  async unsubscribe(chat: ChatRef, topics: string[]): Promise<void> {
    this.unsubscribed.push({ chat, topics });
  }
  async list(): Promise<string[]> {
    return [];
  }
  async pause(): Promise<void> {}
  async setLanguage(): Promise<void> {}
  async eraseFor(): Promise<void> {}
}

export async function startHarness(
  runtime: ConversationRuntime,
  overrides: Partial<TelegramChannelOptions> & { start?: boolean } = {},
): Promise<Harness> {
  const server = await BotApiServer.start();
  const { redis, keys, cleanup } = await testRedis();
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(JSON.parse(String(chunk)) as LogLine);
      done();
    },
  });
  const subscriptions = new FakeSubscriptions();
  const { start = true, ...options } = overrides;
  const channel = createTelegramChannel({
    token: server.token,
    apiRoot: server.apiRoot,
    mode: 'polling',
    runtime,
    redis,
    keys,
    subscriptions,
    logger: pino({ level: 'debug' }, sink),
    pollTimeoutSeconds: 5,
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    ...options,
  });
  if (start) await channel.start();

  return {
    server,
    redis,
    keys,
    channel,
    logs,
    subscriptions,
    async say(chatId, update, count = 1) {
      const since = server.lastSeq;
      server.push(update);
      return server.waitForCalls((c) => c.method === 'sendMessage' && c.chatId === String(chatId), count, { since });
    },
    async close() {
      await channel.stop();
      await server.close();
      await cleanup();
    },
  };
}

export type Button = { text: string; callback_data: string };

/** The inline keyboard of a recorded sendMessage call, as rows of buttons. */
export function keyboardOf(call: RecordedCall | undefined): Button[][] {
  const markup = call?.params.reply_markup as { inline_keyboard?: Button[][] } | undefined;
  return markup?.inline_keyboard ?? [];
}

export function buttonData(call: RecordedCall | undefined, label: string): string {
  const button = keyboardOf(call)
    .flat()
    .find((b) => b.text === label);
  if (!button) throw new Error(`no button "${label}"`);
  return button.callback_data;
}

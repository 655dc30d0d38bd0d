// Redis down under the real Telegram channel: `/start` and questions still get their answers from memory (the
// channel's own Redis writes never stand in the way), and the outage is logged once when it starts and once when
// it ends, however many connections and reconnect attempts there are.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelegramChannel } from '../../src/channels/telegram/adapter.ts';
import { devDataKeys, PersonalDataCipher } from '../../src/infra/crypto.ts';
import { RedisFloodGate } from '../../src/infra/flood-gate.ts';
import { RedisKeys } from '../../src/infra/keys.ts';
import { connectRedis, trackAvailability } from '../../src/infra/redis.ts';
import { RedisChatState } from '../../src/infra/redis-chat-state.ts';
import { RedisOutageLog } from '../../src/infra/redis-outage.ts';
import { createRuntime } from '../../src/runtime/runtime.ts';
import { PrivateRedis } from '../referrals/support/private-redis.ts';
import { shippedBundle } from '../support/app.ts';
import { BotApiServer, startUpdate, textUpdate } from '../support/bot-api-server.ts';

type Line = { level: number; msg: string; [key: string]: unknown };

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('the Telegram channel while Redis is down', () => {
  it('answers /start and questions from memory, and logs the outage once at each end', async () => {
    const bundle = await shippedBundle();
    const redisServer = await PrivateRedis.start();
    cleanups.push(() => redisServer.stop());
    const api = await BotApiServer.start();
    cleanups.push(() => api.close());
    const lines: Line[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)) as Line);
          done();
        },
      }),
    );
    const redis = connectRedis({ url: redisServer.url });
    cleanups.push(() => redis.disconnect());
    new RedisOutageLog(logger, redisServer.url).watch(redis);
    const keys = new RedisKeys(`tgout-${randomBytes(4).toString('hex')}`);
    const state = new RedisChatState(redis, keys, new PersonalDataCipher(devDataKeys('tg-outage')), {
      sessionTtlMs: 60_000,
    });
    const runtime = createRuntime({
      flows: bundle.flows,
      catalog: bundle.catalog,
      presenter: bundle.presenter,
      state,
      clock: { now: () => Date.now() },
      logger,
      flood: new RedisFloodGate(redis, keys),
      stateAvailable: trackAvailability(redis),
    });
    const channel = createTelegramChannel({
      token: api.token,
      apiRoot: api.apiRoot,
      mode: 'polling',
      runtime,
      redis,
      keys,
      logger,
      pollTimeoutSeconds: 1,
      retry: { baseDelayMs: 10, maxDelayMs: 50 },
    });
    await channel.start();
    cleanups.push(() => channel.stop());

    const say = async (chatId: number, body: ReturnType<typeof textUpdate>) => {
      const since = api.lastSeq;
      api.push(body);
      return api.waitForCalls((c) => c.method === 'sendMessage' && c.chatId === String(chatId), 1, { since });
    };
    // Before the outage: an ordinary conversation.
    expect(String((await say(501, startUpdate(501, undefined, { languageCode: 'fr' })))[0]?.params.text)).toBeTruthy();

    await redisServer.kill();
    const down = () => lines.some((l) => l.msg.startsWith('redis unreachable'));
    for (let i = 0; i < 400 && !down(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(down()).toBe(true);

    // A newcomer's /start is answered (the channel's "active" mark in Redis must not stand in the way).
    const greeting = await say(502, startUpdate(502, undefined, { languageCode: 'fr' }));
    expect(String(greeting[0]?.params.text)).not.toBe('');
    // A question gets its FAQ from memory.
    const question = "la police a pris mon passeport à la frontière, c'est normal ?";
    const faq = bundle.content.faqs.get(bundle.catalog.search(question, null).match!)!;
    const answer = await say(501, textUpdate(501, question));
    expect(String(answer[0]?.params.text)).toContain(faq.title.fr);

    await redisServer.restart();
    const back = () => lines.some((l) => l.msg === 'redis reachable again');
    for (let i = 0; i < 400 && !back(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(back()).toBe(true);
    // However many reconnect attempts failed meanwhile: one line down, one line back, nothing else about Redis.
    const aboutRedis = lines.filter((l) => /redis/i.test(l.msg));
    expect(aboutRedis.map((l) => l.msg)).toEqual([
      'redis unreachable: answering from memory and retrying until it is back',
      'redis reachable again',
    ]);
    expect(JSON.stringify(lines)).not.toContain('501');
  });
});

// Who an alert reaches: by topic, by region (people who chose every region included), by language; paused people
// are left out until they come back.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countAudience, storeAudience } from '../../src/alerts/audience.ts';
import { RedisSubscriptions } from '../../src/alerts/subscriptions.ts';
import { type TestRedis, testRedis } from '../support/redis.ts';
import { newChat } from './support/alerts.ts';

describe('audience selection', () => {
  let r: TestRedis;
  let subs: RedisSubscriptions;
  beforeEach(async () => {
    r = await testRedis();
    subs = new RedisSubscriptions(r.redis, r.keys);
  });
  afterEach(() => r.cleanup());

  async function members(filter: Parameters<typeof countAudience>[2]): Promise<string[]> {
    const key = subs.alertKeys.scratch('test-audience');
    await storeAudience(r.redis, subs.alertKeys, filter, key, 60_000);
    const found = await r.redis.smembers(key);
    await r.redis.del(key);
    return found.sort();
  }

  it('selects by topic, region and language', async () => {
    const kayesTravelFr = newChat();
    const gaoTravelEn = newChat();
    const everywhereTravelBm = newChat();
    const kayesUrgentFr = newChat();
    const kayesBothEn = newChat();
    await subs.subscribe(kayesTravelFr, ['travel'], 'fr', 'kayes');
    await subs.subscribe(gaoTravelEn, ['travel'], 'en', 'gao');
    await subs.subscribe(everywhereTravelBm, ['travel'], 'bm');
    await subs.subscribe(kayesUrgentFr, ['urgent'], 'fr', 'kayes');
    await subs.subscribe(kayesBothEn, ['travel', 'urgent'], 'en', 'kayes');
    const key = (c: typeof kayesTravelFr) => r.keys.person(c);

    expect(await members({ topics: ['travel'], regions: ['kayes'] })).toEqual(
      [kayesTravelFr, everywhereTravelBm, kayesBothEn].map(key).sort(),
    );
    expect(await members({ topics: ['travel'], regions: 'all' })).toEqual(
      [kayesTravelFr, gaoTravelEn, everywhereTravelBm, kayesBothEn].map(key).sort(),
    );
    expect(await members({ topics: ['travel', 'urgent'], regions: ['kayes'] })).toEqual(
      [kayesTravelFr, everywhereTravelBm, kayesUrgentFr, kayesBothEn].map(key).sort(),
    );
    expect(await members({ topics: ['travel'], regions: ['gao', 'kayes'], languages: ['en'] })).toEqual(
      [gaoTravelEn, kayesBothEn].map(key).sort(),
    );
    expect(await members({ topics: ['urgent'], regions: ['mopti'] })).toEqual([]);
    expect(await members({ topics: ['documents-passports'], regions: 'all' })).toEqual([]);

    expect(await countAudience(r.redis, subs.alertKeys, { topics: ['travel', 'urgent'], regions: 'all' })).toEqual({
      total: 5,
      byLang: { fr: 2, en: 2, bm: 1 },
    });
  });

  it('leaves out paused people until they subscribe again, and follows language changes', async () => {
    const a = newChat();
    const b = newChat();
    await subs.subscribe(a, ['urgent'], 'fr', 'bamako');
    await subs.subscribe(b, ['urgent'], 'fr', 'bamako');
    await subs.pause(a);
    const filter = { topics: ['urgent'], regions: ['bamako'] };
    expect(await members(filter)).toEqual([r.keys.person(b)]);

    // Opening the alerts menu (an empty subscribe) ends the pause and updates the language.
    await subs.subscribe(a, [], 'en');
    expect(await members(filter)).toEqual([a, b].map((c) => r.keys.person(c)).sort());
    expect(await countAudience(r.redis, subs.alertKeys, filter)).toEqual({ total: 2, byLang: { fr: 1, en: 1, bm: 0 } });

    // An empty subscribe subscribes nobody new.
    const stranger = newChat();
    await subs.subscribe(stranger, [], 'fr');
    expect(await subs.get(stranger)).toBeNull();
  });

  it('unsubscribing one topic keeps the others; the last one removes the person from every index', async () => {
    const a = newChat();
    await subs.subscribe(a, ['travel'], 'bm', 'kayes');
    await subs.subscribe(a, ['urgent'], 'bm', 'gao');
    await subs.pause(a);
    await subs.unsubscribe(a, ['travel']);
    expect(await subs.list(a)).toEqual(['urgent']);
    expect(await members({ topics: ['travel'], regions: 'all' })).toEqual([]);
    await subs.unsubscribe(a, ['urgent']);
    expect(await subs.get(a)).toBeNull();
    const leftovers = await r.redis.keys(`${subs.alertKeys.base}:*`);
    expect(leftovers).toEqual([]);
  });

  it('names people by pseudonym and keeps their chat id only sealed', async () => {
    const chat = { channel: 'telegram' as const, id: '424242' };
    await subs.subscribe(chat, ['urgent'], 'fr', 'bamako');
    const pseudonym = r.keys.person(chat);
    const keys = await r.redis.keys(`${subs.alertKeys.base}:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).not.toContain('424242');
      const type = await r.redis.type(key);
      const values = type === 'set' ? await r.redis.smembers(key) : Object.entries(await r.redis.hgetall(key)).flat();
      for (const value of values) {
        expect(value).not.toContain('424242');
        if (!value.startsWith('k1.'))
          expect(value).toMatch(new RegExp(`^(${pseudonym}|fr|bamako|lang|chat|t:urgent)$`));
      }
    }
    // The sealed chat opens to the chat, for sending.
    const hash = await r.redis.hgetall(subs.alertKeys.person(chat));
    expect(subs.chatOf({ chat: hash.chat!, lang: 'fr', paused: false, topics: {} })).toEqual(chat);
  });

  it('renames subscriptions written before pseudonyms, keeping topics, regions, language and pause', async () => {
    const chat = { channel: 'telegram' as const, id: '515151' };
    const base = subs.alertKeys.base;
    const old = 'telegram:515151';
    await r.redis
      .multi()
      .hset(`${base}:person:${old}`, 'lang', 'en', 't:urgent', 'kayes', 'paused', '1')
      .sadd(`${base}:sub:urgent:kayes`, old)
      .sadd(`${base}:topic:urgent`, old)
      .sadd(`${base}:lang:en`, old)
      .sadd(`${base}:paused`, old)
      .sadd(`${base}:people`, old)
      .sadd(r.keys.key('inactive'), old)
      // A broadcast finished before pseudonyms, and its records named by chat key.
      .zadd(`${base}:index`, 1, 'old-alert')
      .hset(`${base}:alert:old-alert`, 'state', 'done', 'json', '{}')
      .sadd(`${base}:audience:old-alert`, old)
      .hset(`${base}:outcomes:old-alert`, old, 'sent')
      .hset(`${base}:recipients:old-alert`, 'somepair', old)
      .exec();
    expect(await subs.migrateLegacy()).toBe(1);
    expect(await subs.get(chat)).toEqual({ lang: 'en', paused: true, topics: { urgent: ['kayes'] } });
    expect(await subs.migrateLegacy()).toBe(0);
    for (const key of await r.redis.keys(`${r.keys.root}:*`)) {
      expect(key).not.toContain('515151');
      const type = await r.redis.type(key);
      const values =
        type === 'set'
          ? await r.redis.smembers(key)
          : type === 'zset'
            ? await r.redis.zrange(key, '0', '-1')
            : Object.entries(await r.redis.hgetall(key)).flat();
      for (const value of values) expect(value).not.toContain('515151');
    }
    await subs.subscribe(chat, ['urgent'], 'en', 'kayes');
    expect(await members({ topics: ['urgent'], regions: ['kayes'] })).toEqual([r.keys.person(chat)]);
  });
});

// Alert subscriptions in Redis: per person their topics (each with the regions chosen), their alert language and
// whether they paused ("stop"); plus index sets by topic, by topic and region, and by language, so an audience is
// a few set operations inside Redis, whatever the number of subscribers.
//
// Keys hold the platform chat id only (`telegram:12345`): no names, no phone numbers. Erasure also removes the
// person from every broadcast: audience, pending send jobs, and the pseudonym -> chat lookups (broadcast.ts).
// Each change is one Lua script, so the person's hash and the index sets never disagree, even when a 403 from a
// broadcast unsubscribes someone at the moment they subscribe.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { LANGUAGES, type Lang } from '../engine/types.ts';
import type { RedisKeys } from '../infra/keys.ts';
import { type ChatRef, chatKey } from '../ports/chat.ts';
import { type Clock, systemClock } from '../ports/clock.ts';
import type { Subscriptions } from '../ports/services.ts';
import { AlertStore } from './alert-store.ts';
import type { SendJob } from './broadcast.ts';
import { AlertKeys, SEND_QUEUE } from './keys.ts';
import { LuaScript } from './lua.ts';
import { SendPseudonyms, sendJobId } from './pseudonym.ts';

/** Region recorded when a subscription names none: alerts for every region. */
export const ALL_REGIONS = 'all';

/** Alerts are sent on Telegram only: WhatsApp Web bans numbers that broadcast. */
export class SubscriptionRefusedError extends Error {
  constructor(channel: string) {
    super(`alerts are sent on Telegram only; a ${channel} chat cannot subscribe`);
    this.name = 'SubscriptionRefusedError';
  }
}

export type Subscriber = {
  lang: Lang;
  paused: boolean;
  /** Topic id -> regions (`all` for every region). */
  topics: Record<string, string[]>;
};

// KEYS[1] person hash. ARGV: base, member, lang, region, topics...
// No topics: "resume" (visiting the alerts menu after a stop) — unpause and refresh the language of an existing
// subscriber; nobody is subscribed by it.
const SUBSCRIBE = new LuaScript(`
local person, base, member, lang, region = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if #ARGV == 4 and redis.call('EXISTS', person) == 0 then return 0 end
local old = redis.call('HGET', person, 'lang')
if old and old ~= lang then redis.call('SREM', base .. ':lang:' .. old, member) end
redis.call('HSET', person, 'lang', lang)
redis.call('SADD', base .. ':lang:' .. lang, member)
redis.call('HDEL', person, 'paused')
redis.call('SREM', base .. ':paused', member)
for i = 5, #ARGV do
  local topic = ARGV[i]
  local field = 't:' .. topic
  local regions = redis.call('HGET', person, field)
  if not regions then
    regions = region
  elseif not string.find(',' .. regions .. ',', ',' .. region .. ',', 1, true) then
    regions = regions .. ',' .. region
  end
  redis.call('HSET', person, field, regions)
  redis.call('SADD', base .. ':sub:' .. topic .. ':' .. region, member)
  redis.call('SADD', base .. ':topic:' .. topic, member)
end
redis.call('SADD', base .. ':people', member)
return 1
`);

// KEYS[1] person hash. ARGV: base, member, topics... (none: every topic). A person left with no topic is removed
// entirely (language, pause, membership).
const UNSUBSCRIBE = new LuaScript(`
local person, base, member = KEYS[1], ARGV[1], ARGV[2]
local function drop(topic)
  local regions = redis.call('HGET', person, 't:' .. topic)
  if regions then
    for region in string.gmatch(regions, '[^,]+') do
      redis.call('SREM', base .. ':sub:' .. topic .. ':' .. region, member)
    end
  end
  redis.call('SREM', base .. ':topic:' .. topic, member)
  redis.call('HDEL', person, 't:' .. topic)
end
local fields = redis.call('HKEYS', person)
if #ARGV == 2 then
  for _, field in ipairs(fields) do
    if string.sub(field, 1, 2) == 't:' then drop(string.sub(field, 3)) end
  end
else
  for i = 3, #ARGV do drop(ARGV[i]) end
end
for _, field in ipairs(redis.call('HKEYS', person)) do
  if string.sub(field, 1, 2) == 't:' then return 1 end
end
local lang = redis.call('HGET', person, 'lang')
if lang then redis.call('SREM', base .. ':lang:' .. lang, member) end
redis.call('SREM', base .. ':paused', member)
redis.call('SREM', base .. ':people', member)
redis.call('DEL', person)
return 0
`);

// KEYS[1] person hash. ARGV: base, member. Only someone subscribed can be paused.
const PAUSE = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'paused', '1')
redis.call('SADD', ARGV[1] .. ':paused', ARGV[2])
return 1
`);

export type SubscriptionsOptions = {
  /** The same KUNNAFONI_PSEUDONYM_SECRET as the broadcast's (AlertBroadcastOptions): erasure finds the person's
   * send jobs by it. Default: the development value. */
  pseudonymSecret?: string;
  clock?: Clock;
};

export class RedisSubscriptions implements Subscriptions {
  readonly alertKeys: AlertKeys;
  private readonly pseudonyms: SendPseudonyms;
  private readonly store: AlertStore;
  private readonly clock: Clock;

  constructor(
    private readonly redis: Redis,
    keys: RedisKeys,
    options: SubscriptionsOptions = {},
  ) {
    this.alertKeys = new AlertKeys(keys);
    this.pseudonyms = new SendPseudonyms(options.pseudonymSecret);
    this.store = new AlertStore(redis, this.alertKeys);
    this.clock = options.clock ?? systemClock;
  }

  /** Subscribes to `topics` for `region` (none: every region) and ends a pause. No topics: only ends a pause. */
  async subscribe(chat: ChatRef, topics: string[], lang: Lang, region?: string): Promise<void> {
    // The terminal chat may subscribe (trying the bot walks the whole path); broadcasts reach Telegram members only.
    if (chat.channel === 'whatsapp') throw new SubscriptionRefusedError(chat.channel);
    const k = this.alertKeys;
    await SUBSCRIBE.run(this.redis, [k.person(chat)], [k.base, chatKey(chat), lang, region || ALL_REGIONS, ...topics]);
  }

  /** `topics` empty means every topic. */
  async unsubscribe(chat: ChatRef, topics: string[]): Promise<void> {
    const k = this.alertKeys;
    await UNSUBSCRIBE.run(this.redis, [k.person(chat)], [k.base, chatKey(chat), ...topics]);
  }

  async list(chat: ChatRef): Promise<string[]> {
    const subscriber = await this.get(chat);
    return subscriber ? Object.keys(subscriber.topics).sort() : [];
  }

  /** "stop": topics are kept, nothing is sent until the person subscribes again or opens the alerts menu. */
  async pause(chat: ChatRef): Promise<void> {
    const k = this.alertKeys;
    await PAUSE.run(this.redis, [k.person(chat)], [k.base, chatKey(chat)]);
  }

  /**
   * Deletes the person's subscriptions and everything the broadcasts hold about them: their place in each audience,
   * their waiting, delayed or failed send jobs, and the lookup from their pair pseudonym to their chat. Their pair
   * of a broadcast still running is settled as `skipped`, so it is counted once and never sent; a message being sent
   * at this very moment still goes out, and leaves nothing behind either.
   */
  async eraseFor(chat: ChatRef): Promise<void> {
    await this.unsubscribe(chat, []);
    const k = this.alertKeys;
    const member = chatKey(chat);
    await this.redis.del(k.chatGap(chat.id));
    const alertIds = await this.redis.zrange(k.index, '0', '-1');
    if (alertIds.length === 0) return;
    // On the shared connection: BullMQ leaves a connection it is given open.
    const queue = new Queue<SendJob>(SEND_QUEUE, { connection: this.redis, prefix: k.bull });
    queue.on('error', () => undefined); // failures surface in the calls below (no raw stack on stderr)
    try {
      for (const id of alertIds) {
        const pair = this.pseudonyms.of(id, member);
        // Refused (0) for a job a worker holds right now: that run finds the pair settled below, or sends once.
        await queue.remove(sendJobId(id, pair));
        // Jobs queued before pseudonyms were named `<alert>@<chat id>`.
        await queue.remove(`${id}@${chat.id}`);
        const [[, inAudience]] = ((await this.redis
          .pipeline()
          .srem(k.audience(id), member)
          .hdel(k.recipients(id), pair)
          .hdel(k.outcomes(id), member)
          .exec()) ?? [[null, 0]]) as [[Error | null, number], ...unknown[]];
        if (inAudience === 1) await this.store.settle(id, pair, 'skipped', this.clock.now());
      }
    } finally {
      await queue.close();
    }
  }

  /** The person's subscription, or null when they have none. */
  async get(chat: ChatRef): Promise<Subscriber | null> {
    return parseSubscriber(await this.redis.hgetall(this.alertKeys.person(chat)));
  }
}

/** A person hash as read from Redis, or null when it is empty or unreadable. */
export function parseSubscriber(hash: Record<string, string>): Subscriber | null {
  const lang = hash.lang;
  if (!lang || !(LANGUAGES as readonly string[]).includes(lang)) return null;
  const topics: Record<string, string[]> = {};
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith('t:')) topics[field.slice(2)] = value.split(',').filter(Boolean);
  }
  if (Object.keys(topics).length === 0) return null;
  return { lang: lang as Lang, paused: hash.paused === '1', topics };
}

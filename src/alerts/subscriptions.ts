// Alert subscriptions in Redis: per person their topics (each with the regions chosen), their alert language and
// whether they paused ("stop"); plus index sets by topic, by topic and region, and by language, so an audience is
// a few set operations inside Redis, whatever the number of subscribers.
//
// People are named by their pseudonym (RedisKeys.person) in key names and set members; the chat id is kept only
// sealed (encrypted with the personal data key) in the person's hash, to send to. Erasure also removes the person
// from every broadcast: audience, pending send jobs, and the pseudonym -> person lookups (broadcast.ts).
// Each change is one Lua script, so the person's hash and the index sets never disagree, even when a 403 from a
// broadcast unsubscribes someone at the moment they subscribe.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { LANGUAGES, type Lang } from '../engine/types.ts';
import { devDataKeys, PersonalDataCipher } from '../infra/crypto.ts';
import type { RedisKeys } from '../infra/keys.ts';
import { luaScript, runLua } from '../infra/lua.ts';
import { type ChatRef, chatKey } from '../ports/chat.ts';
import { type Clock, systemClock } from '../ports/clock.ts';
import type { Subscriptions } from '../ports/services.ts';
import { AlertStore } from './alert-store.ts';
import { AlertKeys, SEND_QUEUE } from './keys.ts';
import { SendPseudonyms, sendJobId } from './pseudonym.ts';
import { ALL_REGIONS, type SendJob } from './types.ts';

export { ALL_REGIONS };

/** Alerts are sent on Telegram only: WhatsApp Web bans numbers that broadcast. */
export class SubscriptionRefusedError extends Error {
  constructor(channel: string) {
    super(`alerts are sent on Telegram only; a ${channel} chat cannot subscribe`);
    this.name = 'SubscriptionRefusedError';
  }
}

export type Subscriber = {
  /** The sealed chat (see sealedChatContext); absent in hashes written before pseudonyms. */
  chat?: string;
  lang: Lang;
  paused: boolean;
  /** Topic id -> regions (`all` for every region). */
  topics: Record<string, string[]>;
};

// `topics`: comma-separated topic ids (ids are lower-case letters, digits and dashes). None: "resume" (visiting the
// alerts menu after a stop) — unpause and refresh the language of an existing subscriber; nobody is subscribed by it.
const SUBSCRIBE = luaScript(
  'kf:alerts-subscribe',
  { keys: ['person'], argv: ['base', 'member', 'lang', 'region', 'sealedChat', 'topics'] },
  `
local person, base, member, lang, region = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if ARGV[6] == '' and redis.call('EXISTS', person) == 0 then return 0 end
local old = redis.call('HGET', person, 'lang')
if old and old ~= lang then redis.call('SREM', base .. ':lang:' .. old, member) end
redis.call('HSET', person, 'lang', lang, 'chat', ARGV[5])
redis.call('SADD', base .. ':lang:' .. lang, member)
redis.call('HDEL', person, 'paused')
redis.call('SREM', base .. ':paused', member)
for topic in string.gmatch(ARGV[6], '[^,]+') do
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
`,
);

// `topics`: comma-separated (none: every topic). A person left with no topic is removed entirely (language, pause,
// membership).
const UNSUBSCRIBE = luaScript(
  'kf:alerts-unsubscribe',
  { keys: ['person'], argv: ['base', 'member', 'topics'] },
  `
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
if ARGV[3] == '' then
  for _, field in ipairs(fields) do
    if string.sub(field, 1, 2) == 't:' then drop(string.sub(field, 3)) end
  end
else
  for topic in string.gmatch(ARGV[3], '[^,]+') do drop(topic) end
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
`,
);

// Only someone subscribed can be paused.
const PAUSE = luaScript(
  'kf:alerts-pause',
  { keys: ['person'], argv: ['base', 'member'] },
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'paused', '1')
redis.call('SADD', ARGV[1] .. ':paused', ARGV[2])
return 1
`,
);

// A subscriber's alert language, and the language index an audience is counted from, move together.
const SET_LANGUAGE = luaScript(
  'kf:alerts-set-language',
  { keys: ['person'], argv: ['base', 'member', 'lang'] },
  `
local person, base, member, lang = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
local old = redis.call('HGET', person, 'lang')
if not old or old == lang then return 0 end
redis.call('SREM', base .. ':lang:' .. old, member)
redis.call('HSET', person, 'lang', lang)
redis.call('SADD', base .. ':lang:' .. lang, member)
return 1
`,
);

/** Topic ids as one Lua argument. A comma in an id would split it: refused (ids are checked against the topic list). */
function topicList(topics: readonly string[]): string {
  for (const topic of topics) if (topic.includes(',')) throw new Error(`invalid alert topic id: ${topic}`);
  return topics.join(',');
}

export type SubscriptionsOptions = {
  /** The same KUNNAFONI_PSEUDONYM_SECRET as the broadcast's (AlertBroadcastOptions): erasure finds the person's
   * send jobs by it. Default: the development value. */
  pseudonymSecret?: string;
  /** Seals the chat id in the person's hash (the bot's KUNNAFONI_DATA_KEY); default: the development key. */
  cipher?: PersonalDataCipher;
  clock?: Clock;
};

/** Binds a sealed chat to its place: a sealed value copied elsewhere does not open. */
export const SEALED_CHAT_CONTEXT = 'alerts:chat';

let devCipher: PersonalDataCipher | null = null;
/** The cipher main.ts uses without KUNNAFONI_DATA_KEY. */
export function defaultAlertCipher(): PersonalDataCipher {
  devCipher ??= new PersonalDataCipher(devDataKeys('development-only'));
  return devCipher;
}

export class RedisSubscriptions implements Subscriptions {
  readonly alertKeys: AlertKeys;
  private readonly pseudonyms: SendPseudonyms;
  private readonly store: AlertStore;
  private readonly clock: Clock;
  readonly cipher: PersonalDataCipher;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    options: SubscriptionsOptions = {},
  ) {
    this.alertKeys = new AlertKeys(keys);
    this.pseudonyms = new SendPseudonyms(options.pseudonymSecret);
    this.store = new AlertStore(redis, this.alertKeys);
    this.clock = options.clock ?? systemClock;
    this.cipher = options.cipher ?? defaultAlertCipher();
  }

  /** Subscribes to `topics` for `region` (none: every region) and ends a pause. No topics: only ends a pause. */
  async subscribe(chat: ChatRef, topics: string[], lang: Lang, region?: string): Promise<void> {
    // The terminal chat may subscribe (trying the bot walks the whole path); broadcasts reach Telegram members only.
    if (chat.channel === 'whatsapp') throw new SubscriptionRefusedError(chat.channel);
    const k = this.alertKeys;
    const sealed = this.cipher.seal(chatKey(chat), SEALED_CHAT_CONTEXT);
    await runLua(
      this.redis,
      SUBSCRIBE,
      { person: k.person(chat) },
      {
        base: k.base,
        member: k.member(chat),
        lang,
        region: region || ALL_REGIONS,
        sealedChat: sealed,
        topics: topicList(topics),
      },
    );
  }

  /** The chat a subscriber's hash names, or null when it has none or it does not open. */
  chatOf(subscriber: Subscriber): ChatRef | null {
    if (!subscriber.chat) return null;
    try {
      const plain = this.cipher.open(subscriber.chat, SEALED_CHAT_CONTEXT);
      const at = plain.indexOf(':');
      return at > 0 && plain.slice(0, at) === 'telegram' ? { channel: 'telegram', id: plain.slice(at + 1) } : null;
    } catch {
      return null;
    }
  }

  /**
   * Subscriptions written before pseudonyms (members `telegram:<id>`, hashes named by chat id) are rewritten under
   * the person's pseudonym, with the chat sealed; so is the inactive set. Idempotent; run when the workers start.
   */
  async migrateLegacy(): Promise<number> {
    const k = this.alertKeys;
    let moved = 0;
    const legacy: string[] = [];
    let cursor = '0';
    do {
      const [next, members] = await this.redis.sscan(k.people, cursor, 'COUNT', 1000);
      cursor = next;
      legacy.push(...members.filter((m) => m.startsWith('telegram:')));
    } while (cursor !== '0');
    for (const member of legacy) {
      const chat: ChatRef = { channel: 'telegram', id: member.slice('telegram:'.length) };
      const old = parseSubscriber(await this.redis.hgetall(k.person(member)));
      await runLua(this.redis, UNSUBSCRIBE, { person: k.person(member) }, { base: k.base, member, topics: '' });
      if (!old) continue;
      for (const [topic, regions] of Object.entries(old.topics)) {
        for (const region of regions) await this.subscribe(chat, [topic], old.lang, region);
      }
      if (old.paused) await this.pause(chat);
      moved++;
    }
    // Finished broadcasts no longer need to know who they went to: chat keys left in their audience, lookups and
    // outcomes (written before pseudonyms) are dropped. A broadcast still running keeps them until it ends.
    for (const id of await this.redis.zrange(k.index, '0', '-1')) {
      if ((await this.redis.hget(k.alert(id), 'state')) !== 'done') continue;
      const raw = (await this.redis.smembers(k.audience(id))).filter((m) => m.startsWith('telegram:'));
      const rawFields = (await this.redis.hkeys(k.outcomes(id))).filter((f) => f.startsWith('telegram:'));
      const rawLookups = Object.entries(await this.redis.hgetall(k.recipients(id)))
        .filter(([, member]) => member.startsWith('telegram:'))
        .map(([pair]) => pair);
      const multi = this.redis.multi();
      if (raw.length > 0) multi.srem(k.audience(id), ...raw);
      if (rawFields.length > 0) multi.hdel(k.outcomes(id), ...rawFields);
      if (rawLookups.length > 0) multi.hdel(k.recipients(id), ...rawLookups);
      await multi.exec();
    }
    const inactive = this.keys.key('inactive');
    const raw = (await this.redis.smembers(inactive)).filter((m) => m.startsWith('telegram:'));
    for (const member of raw) {
      await this.redis
        .multi()
        .srem(inactive, member)
        .sadd(inactive, this.keys.person({ channel: 'telegram', id: member.slice('telegram:'.length) }))
        .exec();
    }
    return moved;
  }

  /** `topics` empty means every topic. */
  async unsubscribe(chat: ChatRef, topics: string[]): Promise<void> {
    const k = this.alertKeys;
    await runLua(
      this.redis,
      UNSUBSCRIBE,
      { person: k.person(chat) },
      { base: k.base, member: k.member(chat), topics: topicList(topics) },
    );
  }

  async list(chat: ChatRef): Promise<string[]> {
    const subscriber = await this.get(chat);
    return subscriber ? Object.keys(subscriber.topics).sort() : [];
  }

  /** list(chat) not empty, in two halves: the person's hash (read by the chat state with its lock), then this. */
  followsRead(chat: ChatRef): { hash: string; follows(fields: Readonly<Record<string, string>>): boolean } {
    return { hash: this.alertKeys.person(chat), follows: (fields) => parseSubscriber(fields) !== null };
  }

  /** "stop": topics are kept, nothing is sent until the person subscribes again or opens the alerts menu. */
  async pause(chat: ChatRef): Promise<void> {
    const k = this.alertKeys;
    await runLua(this.redis, PAUSE, { person: k.person(chat) }, { base: k.base, member: k.member(chat) });
  }

  /** Later alerts come in `lang` (the person changed language in the conversation); nothing if not subscribed. */
  async setLanguage(chat: ChatRef, lang: Lang): Promise<void> {
    // Nobody on WhatsApp is subscribed (see subscribe): no round trip for them.
    if (chat.channel === 'whatsapp') return;
    const k = this.alertKeys;
    await runLua(this.redis, SET_LANGUAGE, { person: k.person(chat) }, { base: k.base, member: k.member(chat), lang });
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
    const member = k.member(chat);
    const legacyMember = chatKey(chat);
    await this.redis.del(k.chatGap(member));
    const alertIds = await this.redis.zrange(k.index, '0', '-1');
    if (alertIds.length === 0) return;
    // On a connection of its own, closed below: BullMQ defines its ~60 scripts on the connection it is given, and
    // ioredis copies every defined script onto each pipeline it builds, which would make every auto-pipelined batch
    // of every later conversation turn on the shared connection ten times dearer (issue 17.7).
    const connection = this.redis.duplicate({ commandTimeout: this.redis.options.commandTimeout });
    connection.on('error', () => undefined); // failures surface in the calls below (no raw stack on stderr)
    const queue = new Queue<SendJob>(SEND_QUEUE, { connection, prefix: k.bull });
    queue.on('error', () => undefined);
    try {
      for (const id of alertIds) {
        // Broadcasts started before people were named by pseudonym hold the chat key instead.
        for (const who of [member, legacyMember]) {
          const pair = this.pseudonyms.of(id, who);
          // Refused (0) for a job a worker holds right now: that run finds the pair settled below, or sends once.
          await queue.remove(sendJobId(id, pair));
          const [[, inAudience]] = ((await this.redis
            .pipeline()
            .srem(k.audience(id), who)
            .hdel(k.recipients(id), pair)
            .hdel(k.outcomes(id), who)
            .exec()) ?? [[null, 0]]) as [[Error | null, number], ...unknown[]];
          if (inAudience === 1) await this.store.settle(id, pair, 'skipped', this.clock.now());
        }
        // Jobs queued before pair pseudonyms were named `<alert>@<chat id>`.
        await queue.remove(`${id}@${chat.id}`);
      }
    } finally {
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    }
  }

  /** The person's subscription, or null when they have none. */
  async get(chat: ChatRef): Promise<Omit<Subscriber, 'chat'> | null> {
    const subscriber = parseSubscriber(await this.redis.hgetall(this.alertKeys.person(chat)));
    if (!subscriber) return null;
    const { chat: _sealed, ...rest } = subscriber;
    return rest;
  }
}

/** A person hash as read from Redis, or null when it is empty or unreadable. */
export function parseSubscriber(hash: Readonly<Record<string, string>>): Subscriber | null {
  const lang = hash.lang;
  if (!lang || !(LANGUAGES as readonly string[]).includes(lang)) return null;
  const topics: Record<string, string[]> = {};
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith('t:')) topics[field.slice(2)] = value.split(',').filter(Boolean);
  }
  if (Object.keys(topics).length === 0) return null;
  return { ...(hash.chat ? { chat: hash.chat } : {}), lang: lang as Lang, paused: hash.paused === '1', topics };
}

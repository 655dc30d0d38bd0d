// Webhook updates at least once, in per-chat order across processes.
//
// The webhook does not process an update itself: it stores it in the chat's queue in Redis (a sorted set scored
// by update_id, after the update_id de-duplication claim, in one atomic script) and only then answers Telegram 200.
// Then it drains: whoever holds the chat's drain lock reads the oldest update, processes it to the end (reply
// sent), and only then removes it and reads the next, in one script. Removing the last one and releasing the lock
// are one script too, so an update queued meanwhile is never left behind.
//
// A process that dies mid-update leaves the update in the queue and its drain lock to expire (a few seconds: the
// lock is short and renewed while a drainer works); the periodic sweep of any process, or this one once restarted,
// takes the queue up again and processes the update again: at least once, never lost. A repeat from Telegram is
// refused by the update_id claim.
//
// Key names and the list of chats with pending updates hold the chat's pseudonym, never the chat id; with a
// cipher, the stored updates (message texts, names) are sealed. Keys stay under the hash-tagged prefix (Cluster).
import { randomUUID } from 'node:crypto';
import type { Update } from 'grammy/types';
import type { Redis } from 'ioredis';
import type { PersonalDataCipher } from '../../infra/crypto.ts';
import type { RedisKeys } from '../../infra/keys.ts';
import { luaScript, runLua } from '../../infra/lua.ts';
import { HeldChatLock } from '../../infra/redis-chat-lock.ts';
import type { TelegramLogger } from './sender.ts';

/** Telegram gives up retrying long before this. */
const DEDUP_TTL_SECONDS = 60 * 60 * 24;
/** A chat's queue disappears if nobody drains it for this long (no process left alive). */
const QUEUE_TTL_MS = 60 * 60 * 1000;
/** A drainer's lock outlives a dead drainer this long; a live one renews it while it works. */
export const DRAIN_LOCK_MS = 3_000;
const SWEEP_EVERY_MS = 2_000;

const ENQUEUE = luaScript(
  'kf:tg-webhook-enqueue',
  {
    keys: ['dedup', 'queue', 'pending'],
    argv: ['updateId', 'payload', 'dedupTtlSeconds', 'queueTtlMs', 'chat', 'nowMs'],
  },
  `
if not redis.call('SET', KEYS[1], '1', 'EX', ARGV[3], 'NX') then return 0 end
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('ZADD', KEYS[3], 'NX', ARGV[6], ARGV[5])
return 1
`,
);

/** Forgets the update just processed (by its update_id, '' for none) and returns the next one, or nil (released). */
const NEXT = luaScript(
  'kf:tg-webhook-next',
  { keys: ['queue', 'lock', 'pending'], argv: ['token', 'lockTtlMs', 'chat', 'doneUpdateId'] },
  `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return false end
if ARGV[4] ~= '' then redis.call('ZREMRANGEBYSCORE', KEYS[1], ARGV[4], ARGV[4]) end
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[3])
  return false
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return item
`,
);

export type WebhookQueueOptions = {
  redis: Redis;
  keys: RedisKeys;
  /** The chat an update belongs to (its order key), or undefined when it has none. */
  chatOf: (update: Update) => string | undefined;
  /** Processes one update to the end (reply sent); must not throw. */
  process: (update: Update) => Promise<void>;
  logger: TelegramLogger;
  /** Seals stored updates (they hold message texts and names). */
  cipher?: PersonalDataCipher;
};

export type Accepted = 'queued' | 'duplicate';

export class WebhookQueue {
  private stopped = false;
  private readonly draining = new Set<Promise<void>>();
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly options: WebhookQueueOptions) {}

  private dedupKey(update: Update): string {
    return this.options.keys.key('tg', 'update', String(update.update_id));
  }

  /** The chat's pseudonym (a keyed hash of its id): what key names and the pending list hold. */
  private pseudonym(chat: string): string {
    return this.options.keys.person({ channel: 'telegram', id: chat });
  }

  private queueKey(pseudonym: string): string {
    return this.options.keys.key('tg', 'queue', pseudonym);
  }

  private lockKey(pseudonym: string): string {
    return this.options.keys.key('tg', 'drain', pseudonym);
  }

  private get pendingKey(): string {
    return this.options.keys.key('tg', 'pending');
  }

  /**
   * Claims the update_id and stores the update behind the chat's earlier ones (answer Telegram only after this
   * resolves); then processing starts in the background. Throws when Redis cannot be reached.
   */
  async accept(update: Update): Promise<Accepted> {
    const { redis } = this.options;
    const chat = safeChatOf(this.options.chatOf, update);
    if (chat === undefined) {
      // Nothing to order it with (no chat, no sender: not an update of a conversation): de-duplicate and process.
      const claimed = await redis.set(this.dedupKey(update), '1', 'EX', DEDUP_TTL_SECONDS, 'NX');
      if (claimed === null) return 'duplicate';
      this.track(this.options.process(update));
      return 'queued';
    }
    const pseudonym = this.pseudonym(chat);
    const payload = JSON.stringify(update);
    const queued = await runLua(
      redis,
      ENQUEUE,
      { dedup: this.dedupKey(update), queue: this.queueKey(pseudonym), pending: this.pendingKey },
      {
        updateId: update.update_id,
        payload: this.options.cipher ? this.options.cipher.seal(payload, this.queueKey(pseudonym)) : payload,
        dedupTtlSeconds: DEDUP_TTL_SECONDS,
        queueTtlMs: QUEUE_TTL_MS,
        chat: pseudonym,
        nowMs: Date.now(),
      },
    );
    if (queued !== 1) return 'duplicate';
    this.track(this.drain(pseudonym));
    return 'queued';
  }

  /** Drains the chat's queue if no one else does. Never throws. */
  private async drain(pseudonym: string): Promise<void> {
    const { redis, logger } = this.options;
    const token = randomUUID();
    const keys = { queue: this.queueKey(pseudonym), lock: this.lockKey(pseudonym), pending: this.pendingKey };
    let held: HeldChatLock | null = null;
    try {
      if (this.stopped) return;
      const got = await redis.set(keys.lock, token, 'PX', DRAIN_LOCK_MS, 'NX');
      if (got === null) return; // another drainer has it, and will see our update
      held = new HeldChatLock(redis, keys.lock, token, DRAIN_LOCK_MS);
      // A drain under way finishes its chat's queue, also during stop(): those updates were acknowledged before
      // the webhook stopped taking new ones (the shutdown's time budget bounds the wait).
      let done = '';
      for (;;) {
        const next = (await runLua(redis, NEXT, keys, {
          token,
          lockTtlMs: DRAIN_LOCK_MS,
          chat: pseudonym,
          doneUpdateId: done,
        })) as [string, string] | null;
        if (next === null) {
          held.markReleased(); // released by the script (or no longer ours)
          return;
        }
        const [stored, updateId] = next;
        done = updateId;
        const update = this.decode(stored, keys.queue);
        if (update) await this.options.process(update);
      }
    } catch (error) {
      // Redis failed mid-way: the lock expires by itself and the sweep takes the queue up again.
      logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'telegram webhook: drain interrupted',
      );
      held?.markReleased();
    }
  }

  private decode(stored: string, queueKey: string): Update | null {
    try {
      const json = this.options.cipher && !stored.startsWith('{') ? this.options.cipher.open(stored, queueKey) : stored;
      return JSON.parse(json) as Update;
    } catch {
      this.options.logger.warn({}, 'telegram webhook: unreadable stored update skipped');
      return null;
    }
  }

  /** Looks for queues left behind by a process that died, now and every few seconds. */
  startSweeping(): void {
    if (this.sweeper) return;
    this.track(this.sweep(0));
    this.sweeper = setInterval(() => this.track(this.sweep()), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  async sweep(olderThanMs = SWEEP_EVERY_MS): Promise<void> {
    try {
      const chats = await this.options.redis.zrangebyscore(
        this.pendingKey,
        '-inf',
        String(Date.now() - olderThanMs),
        'LIMIT',
        0,
        100,
      );
      await Promise.all(chats.map((pseudonym) => this.drain(pseudonym)));
    } catch {
      // Redis unreachable: the next sweep tries again.
    }
  }

  /** Starts no new drain (queues left are for other processes, or for the next start); waits for those under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    while (this.draining.size > 0) await Promise.allSettled([...this.draining]);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch(() => undefined);
    this.draining.add(tracked);
    void tracked.finally(() => this.draining.delete(tracked));
  }
}

function safeChatOf(chatOf: (update: Update) => string | undefined, update: Update): string | undefined {
  try {
    return chatOf(update);
  } catch {
    return undefined;
  }
}

// Webhook updates in per-chat order across processes.
//
// Behind a load balancer, two updates of one chat can reach two processes. The runtime's chat lock keeps them from
// running at once, but not in order: whichever process takes the lock first goes first. So the webhook does not
// process an update itself; it appends it to the chat's queue in Redis (a sorted set scored by update_id, after the
// update_id de-duplication claim, in one atomic script), answers Telegram, then drains: whoever holds the chat's
// drain lock pops the oldest update, processes it to the end (reply sent), and pops the next. Popping the last one
// and releasing the lock are one script, so an update queued meanwhile is never left behind: either the drainer
// sees it, or the lock is free for the process that queued it. A drainer that dies leaves its lock to expire; a
// periodic sweep (and the chat's next update) picks its queue up again.
//
// The popped update is lost if its process dies while processing it (as an update acknowledged to Telegram always
// was); everything still queued survives. Keys stay under the hash-tagged prefix, so this runs on Redis Cluster.
import { randomUUID } from 'node:crypto';
import type { Update } from 'grammy/types';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../../infra/keys.ts';
import type { TelegramLogger } from './sender.ts';

/** Telegram gives up retrying long before this. */
const DEDUP_TTL_SECONDS = 60 * 60 * 24;
/** A chat's queue disappears if nobody drains it for this long (no process left alive). */
const QUEUE_TTL_MS = 60 * 60 * 1000;
/** Held while processing one update, renewed at each update. */
const DRAIN_LOCK_MS = 60_000;
const SWEEP_EVERY_MS = 5_000;

// KEYS: dedup, queue, pending. ARGV: update_id, payload, dedup ttl (s), queue ttl (ms), chat, now (ms).
const ENQUEUE = `
if not redis.call('SET', KEYS[1], '1', 'EX', ARGV[3], 'NX') then return 0 end
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('ZADD', KEYS[3], 'NX', ARGV[6], ARGV[5])
return 1
`;

// KEYS: queue, lock, pending. ARGV: token, lock ttl (ms), chat. The next update, or nil (lock released or lost).
const POP_OR_RELEASE = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return false end
local item = redis.call('ZPOPMIN', KEYS[1])
if #item == 0 then
  redis.call('DEL', KEYS[2])
  redis.call('ZREM', KEYS[3], ARGV[3])
  return false
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return item[1]
`;

export type WebhookQueueOptions = {
  redis: Redis;
  keys: RedisKeys;
  /** The chat an update belongs to (its order key), or undefined when it has none. */
  chatOf: (update: Update) => string | undefined;
  /** Processes one update to the end (reply sent); must not throw. */
  process: (update: Update) => Promise<void>;
  logger: TelegramLogger;
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

  private queueKey(chat: string): string {
    return this.options.keys.key('tg', 'queue', chat);
  }

  private lockKey(chat: string): string {
    return this.options.keys.key('tg', 'drain', chat);
  }

  private get pendingKey(): string {
    return this.options.keys.key('tg', 'pending');
  }

  /**
   * Claims the update_id and queues the update behind the chat's earlier ones; then processing starts in the
   * background. Throws when Redis cannot be reached (the caller decides what to do then).
   */
  async accept(update: Update): Promise<Accepted> {
    const { redis } = this.options;
    const chat = safeChatOf(this.options.chatOf, update);
    if (chat === undefined) {
      // Nothing to order it with (no chat): de-duplicate and process.
      const claimed = await redis.set(this.dedupKey(update), '1', 'EX', DEDUP_TTL_SECONDS, 'NX');
      if (claimed === null) return 'duplicate';
      this.track(this.options.process(update));
      return 'queued';
    }
    const queued = await redis.eval(
      ENQUEUE,
      3,
      this.dedupKey(update),
      this.queueKey(chat),
      this.pendingKey,
      String(update.update_id),
      JSON.stringify(update),
      String(DEDUP_TTL_SECONDS),
      String(QUEUE_TTL_MS),
      chat,
      String(Date.now()),
    );
    if (queued !== 1) return 'duplicate';
    this.track(this.drain(chat));
    return 'queued';
  }

  /** Drains the chat's queue if no one else does. Never throws. */
  private async drain(chat: string): Promise<void> {
    const { redis, logger } = this.options;
    const token = randomUUID();
    try {
      if (this.stopped) return;
      const got = await redis.set(this.lockKey(chat), token, 'PX', DRAIN_LOCK_MS, 'NX');
      if (got === null) return; // another drainer has it, and will see our update
      // A drain under way finishes its chat's queue, also during stop(): those updates were acknowledged before
      // the webhook stopped taking new ones (the shutdown's time budget bounds the wait).
      for (;;) {
        const raw = (await redis.eval(
          POP_OR_RELEASE,
          3,
          this.queueKey(chat),
          this.lockKey(chat),
          this.pendingKey,
          token,
          String(DRAIN_LOCK_MS),
          chat,
        )) as string | null;
        if (raw === null) return;
        await this.options.process(JSON.parse(raw) as Update);
      }
    } catch (error) {
      // Redis failed mid-way: the lock expires by itself and the sweep takes the queue up again.
      logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'telegram webhook: drain interrupted',
      );
    }
  }

  /** Looks for queues left behind by a process that died, every few seconds. */
  startSweeping(): void {
    if (this.sweeper) return;
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
      await Promise.all(chats.map((chat) => this.drain(chat)));
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

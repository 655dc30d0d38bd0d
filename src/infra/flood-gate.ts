// Anti-flood: a per-person limit on messages per window (20 a minute by default). The message that goes over
// the limit gets one polite answer; the rest of that window is ignored on purpose (no reply at all), so a flood
// costs neither replies nor engine work. Counted in Redis, so the limit holds across processes; while Redis is
// unreachable each process counts in memory instead.
import type { Redis } from 'ioredis';
import { type ChatRef, chatKey } from '../ports/chat.ts';
import type { TurnCounter } from '../ports/chat-state.ts';
import type { RedisKeys } from './keys.ts';
import { luaScript, runLua } from './lua.ts';
import { trackAvailability } from './redis.ts';

/** `ok`: handle the message; `warn`: answer with the flood notice once; `drop`: stay silent. */
export type FloodVerdict = 'ok' | 'warn' | 'drop';

export interface FloodGate {
  /** Counts one message of this person. Never throws. */
  check(chat: ChatRef): Promise<FloodVerdict>;
  /** Forgets the person's count (erasure). */
  eraseFor(chat: ChatRef): Promise<void>;
  /**
   * The person's counter, for a chat state that counts it with the chat's lock (one round trip for both); null
   * when it cannot now (Redis away): then `check`. With `verdictOf`, the verdict for the count it returned.
   */
  counter?(chat: ChatRef): TurnCounter | null;
  verdictOf?(count: number): FloodVerdict;
}

export type FloodLimit = { maxPerWindow: number; windowMs: number };

export const DEFAULT_FLOOD_LIMIT: FloodLimit = { maxPerWindow: 20, windowMs: 60_000 };

// Fixed window started by the person's first message: one round trip, one small key that expires by itself.
const COUNT = luaScript(
  'kf:flood-count',
  { keys: ['count'], argv: ['windowMs'] },
  `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`,
);

export function verdictFor(count: number, limit: FloodLimit): FloodVerdict {
  if (count <= limit.maxPerWindow) return 'ok';
  return count === limit.maxPerWindow + 1 ? 'warn' : 'drop';
}

export class RedisFloodGate implements FloodGate {
  private readonly memory: MemoryFloodGate;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly limit: FloodLimit = DEFAULT_FLOOD_LIMIT,
    private readonly available: () => boolean = trackAvailability(redis),
  ) {
    this.memory = new MemoryFloodGate(limit);
  }

  async check(chat: ChatRef): Promise<FloodVerdict> {
    if (this.available()) {
      try {
        const count = await runLua(
          this.redis,
          COUNT,
          { count: this.floodKey(chat) },
          { windowMs: this.limit.windowMs },
        );
        return verdictFor(Number(count), this.limit);
      } catch {
        // Redis failed under us: count in memory for now.
      }
    }
    return this.memory.check(chat);
  }

  counter(chat: ChatRef): TurnCounter | null {
    return this.available() ? { key: this.floodKey(chat), windowMs: this.limit.windowMs } : null;
  }

  verdictOf(count: number): FloodVerdict {
    return verdictFor(count, this.limit);
  }

  async eraseFor(chat: ChatRef): Promise<void> {
    await this.memory.eraseFor(chat);
    await this.redis.del(this.floodKey(chat));
  }

  /** Named by the person's pseudonym, never the chat id (a phone number on WhatsApp). */
  private floodKey(chat: ChatRef): string {
    return this.keys.key('flood', this.keys.person(chat));
  }
}

/** The same limit, counted in this process only. */
export class MemoryFloodGate implements FloodGate {
  private readonly windows = new Map<string, { until: number; count: number }>();

  constructor(
    private readonly limit: FloodLimit = DEFAULT_FLOOD_LIMIT,
    private readonly now: () => number = Date.now,
    private readonly maxTracked = 50_000,
  ) {}

  async check(chat: ChatRef): Promise<FloodVerdict> {
    const key = chatKey(chat);
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.until <= now) {
      if (this.windows.size >= this.maxTracked) this.forgetExpired(now);
      window = { until: now + this.limit.windowMs, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    return verdictFor(window.count, this.limit);
  }

  async eraseFor(chat: ChatRef): Promise<void> {
    this.windows.delete(chatKey(chat));
  }

  private forgetExpired(now: number): void {
    for (const [key, w] of this.windows) if (w.until <= now) this.windows.delete(key);
    // Still full of live windows (an attack from many ids): start afresh rather than grow without bound.
    if (this.windows.size >= this.maxTracked) this.windows.clear();
  }
}

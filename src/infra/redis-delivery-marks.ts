// DeliveryMarks in Redis: one small key per journal entry being delivered, `{kf}:jsent:<entry id>` = how many
// messages were answered. A mark is written the moment the platform answers, straight to the connection (not held
// for the automatic pipeline's next batch), and never waited for: it travels while the next message is sent, and
// the last one just ahead of the journal's "done" write, so it costs no round trip of its own. Gone once the journal
// is done; the expiry covers a process that died before forgetting it (a mark lost that way only means a message
// may be sent twice, never not at all).
import { Command, type Redis } from 'ioredis';
import type { DeliveryMarks } from '../ports/delivery-marks.ts';
import type { RedisKeys } from './keys.ts';

/** Longer than a pending journal waits for a live process to finish it. */
const MARK_TTL_MS = 86_400_000;

export class RedisDeliveryMarks implements DeliveryMarks {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  mark(id: string, count: number): void {
    this.now('set', [this.key(id), String(count), 'PX', String(MARK_TTL_MS)]);
  }

  async delivered(id: string): Promise<number> {
    const value = await this.redis.get(this.key(id));
    const count = Number(value ?? 0);
    return Number.isSafeInteger(count) && count > 0 ? count : 0;
  }

  forget(id: string): void {
    this.now('del', [this.key(id)]);
  }

  /** Written to the socket now (the automatic pipeline would wait for the event loop's next turn). */
  private now(name: string, args: string[]): void {
    const command = new Command(name, args);
    command.promise.catch(() => undefined);
    this.redis.sendCommand(command);
  }

  private key(id: string): string {
    return this.keys.key('jsent', id);
  }
}

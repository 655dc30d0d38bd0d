// Live updates for the console: every staff event (a new case, a reply from the person, a claim from Telegram or
// another browser...) is published on Redis, per partner, as a case number and an event type only (no personal
// data, no message text); each console process relays its partner's events to the open pages over Server-Sent
// Events, which then fetch themselves again. Works across processes: Redis pub/sub, not memory.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../infra/keys.ts';
import type { StaffEvent, StaffNotifier } from '../referrals/staff-notifier.ts';

export type LiveEvent = { type: StaffEvent['type']; no: string; urgent: boolean };

function channel(keys: RedisKeys, partner: string): string {
  return keys.key('staff', 'live', partner);
}

/** The partners whose pages must hear of the event. */
function audiences(event: StaffEvent): string[] {
  switch (event.type) {
    case 'waiting':
    case 'reminder':
    case 'reply_overdue':
    case 'person_message':
    case 'erased':
    case 'changed':
      return [event.case.partner];
    case 'escalated':
      return [event.case.partner];
    case 'transfer_answer':
      return [event.case.partner, event.to];
  }
}

/** The StaffNotifier that feeds the live pages. */
export class LivePublisher implements StaffNotifier {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async notify(event: StaffEvent): Promise<void> {
    const payload: LiveEvent = { type: event.type, no: event.case.no, urgent: event.case.urgent };
    for (const partner of new Set(audiences(event))) {
      await this.redis.publish(channel(this.keys, partner), JSON.stringify(payload));
    }
  }
}

type Listener = (event: LiveEvent) => void;

/** One subscriber connection per process, shared by every open page. */
export class LiveHub {
  private sub: Redis | null = null;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  private connection(): Redis {
    if (this.sub) return this.sub;
    const sub = this.redis.duplicate();
    sub.on('error', () => {});
    sub.on('message', (name: string, message: string) => {
      const set = this.listeners.get(name);
      if (!set) return;
      let event: LiveEvent;
      try {
        event = JSON.parse(message) as LiveEvent;
      } catch {
        return;
      }
      for (const listener of set) listener(event);
    });
    this.sub = sub;
    return sub;
  }

  /** Calls `listener` for the partner's events until the returned function is called. */
  async listen(partner: string, listener: Listener): Promise<() => Promise<void>> {
    const name = channel(this.keys, partner);
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
      await this.connection().subscribe(name);
    }
    set.add(listener);
    return async () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(name) === set) {
        this.listeners.delete(name);
        await this.sub?.unsubscribe(name).catch(() => {});
      }
    };
  }

  async close(): Promise<void> {
    const sub = this.sub;
    this.sub = null;
    this.listeners.clear();
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }
}

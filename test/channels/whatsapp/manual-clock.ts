// A clock the test moves by hand (the channel's WaClock): timers fire only when the test advances time, in order,
// with the real event loop (Redis replies, promise chains) let through between them.
import type { TimerHandle, WaClock } from '../../../src/channels/whatsapp/clock.ts';

type Timer = { id: number; at: number; fn: () => void };

/** Lets pending I/O and promise chains run (real Redis replies arrive within a few turns of the loop). */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

export class ManualClock implements WaClock {
  private current: number;
  private nextId = 1;
  private timers: Timer[] = [];

  constructor(start = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.current + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Timers waiting, soonest first (their due times). */
  pending(): number[] {
    return this.timers.map((t) => t.at).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, each followed by a settle. */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    await settle();
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fn();
      await settle();
    }
    this.current = end;
    await settle();
  }

  /** Advances in steps of `stepMs` until `condition` holds; fails after `maxMs` of clock time. */
  async advanceUntil(condition: () => boolean, what: string, stepMs = 1000, maxMs = 60 * 60_000): Promise<void> {
    for (let elapsed = 0; elapsed <= maxMs; elapsed += stepMs) {
      await settle();
      if (condition()) return;
      await this.advance(stepMs);
    }
    throw new Error(`${what} did not happen within ${maxMs} ms of clock time`);
  }
}

// Time for the WhatsApp channel, injectable so tests move it by hand instead of waiting (start timer, backoff,
// probes, lease renewal, typing pauses, pacing). The real clock looks the timer functions up at each call, so
// vitest's fake timers keep working with it too.

export type TimerHandle = unknown;

export interface WaClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realClock: WaClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export function sleep(clock: WaClock, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/** Resolves with `work`'s outcome, or with `fallback` when `work` takes longer than `ms`. */
export async function within<T, F>(clock: WaClock, work: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: TimerHandle | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<F>((resolve) => (timer = clock.setTimeout(() => resolve(fallback), ms))),
    ]);
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
  }
}

/** Timers by name on a WaClock: setting one replaces it, and a timer that fired is forgotten. */
export class NamedTimers<Name extends string> {
  private readonly handles = new Map<Name, TimerHandle>();
  constructor(private readonly clock: WaClock) {}

  has(name: Name): boolean {
    return this.handles.has(name);
  }

  set(name: Name, fn: () => void, ms: number): void {
    this.clear(name);
    this.handles.set(
      name,
      this.clock.setTimeout(() => {
        this.handles.delete(name);
        fn();
      }, ms),
    );
  }

  clear(name: Name): void {
    const handle = this.handles.get(name);
    if (handle === undefined) return;
    this.clock.clearTimeout(handle);
    this.handles.delete(name);
  }

  clearAll(): void {
    for (const name of [...this.handles.keys()]) this.clear(name);
  }
}

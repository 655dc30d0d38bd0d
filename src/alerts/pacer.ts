// This process's line for alert send slots from the shared budget (send-budget.ts): the first waiting jobs ask
// together (one script call, booked in line order inside Redis, each for a slot a little ahead, stopping at the first
// slot beyond the horizon), and the line sleeps while the next free slot is beyond the horizon, so waiting costs one
// Redis call per few slots rather than one per waiting job per moment.
import type { ChatRef } from '../ports/chat.ts';
import type { SendBudget, Take } from './send-budget.ts';

export type Granted = Exclude<Take, { kind: 'wait' }>;

/** Jobs that ask for a slot in one round trip: the horizon's worth of slots at 1,000/s. */
const BATCH = 128;
/** The line sleeps at least this long between two asks (a quarter of the shortest horizon): a few slots each time. */
const MIN_SLEEP_MS = 5;

type Waiter = {
  chat: ChatRef;
  outcomes: string;
  pair: string;
  resolve(take: Granted): void;
  reject(error: unknown): void;
};

/** Thrown to the jobs still waiting when the workers close: they go back to the queue, no attempt used. */
export class PacerStoppedError extends Error {
  constructor() {
    super('alert workers are closing');
    this.name = 'PacerStoppedError';
  }
}

export class AlertPacer {
  private readonly line: Waiter[] = [];
  private running = false;
  private stopped = false;
  private wake: (() => void) | null = null;

  constructor(private readonly budget: SendBudget) {}

  /** Enough askers for the slots within the horizon (1 at 30/s would leave the line waiting a round trip). */
  private get batchSize(): number {
    return Math.min(BATCH, Math.ceil(this.budget.horizonMs() / this.budget.intervalMs) + 1);
  }

  take(chat: ChatRef, outcomes: string, pair: string): Promise<Granted> {
    if (this.stopped) return Promise.reject(new PacerStoppedError());
    return new Promise((resolve, reject) => {
      this.line.push({ chat, outcomes, pair, resolve, reject });
      if (!this.running) void this.run();
    });
  }

  stop(): void {
    this.stopped = true;
    for (const waiter of this.line.splice(0)) waiter.reject(new PacerStoppedError());
    this.wake?.();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.line.length > 0 && !this.stopped) {
        const batch = this.line.slice(0, this.batchSize);
        const takes = await this.budget.takeMany(batch).then(
          (all) => all,
          (error: unknown) => batch.map(() => ({ error })),
        );
        let waitMs = 0;
        const settled = new Set<Waiter>();
        takes.forEach((take, i) => {
          const waiter = batch[i]!;
          if ('error' in take) {
            settled.add(waiter);
            waiter.reject(take.error);
          } else if (take.kind === 'wait') {
            waitMs = waitMs === 0 ? take.ms : Math.min(waitMs, take.ms);
          } else {
            settled.add(waiter);
            waiter.resolve(take);
          }
        });
        for (let i = this.line.length - 1; i >= 0; i--) if (settled.has(this.line[i]!)) this.line.splice(i, 1);
        if (waitMs > 0) await this.sleep(Math.max(waitMs, MIN_SLEEP_MS));
      }
    } finally {
      this.running = false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }
}

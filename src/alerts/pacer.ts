// This process's line for alert send slots: one request to the shared budget at a time (send-budget.ts), however
// many send jobs wait, so waiting costs one Redis call per slot rather than one per waiting job.
import type { ChatRef } from '../ports/chat.ts';
import type { SendBudget, Take } from './send-budget.ts';

export type Granted = Exclude<Take, { kind: 'wait' }>;

type Waiter = {
  chat: ChatRef;
  pairKeys: readonly string[];
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

  take(chat: ChatRef, pairKeys: readonly string[], pair: string): Promise<Granted> {
    if (this.stopped) return Promise.reject(new PacerStoppedError());
    return new Promise((resolve, reject) => {
      this.line.push({ chat, pairKeys, pair, resolve, reject });
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
        const head = this.line[0]!;
        let take: Take;
        try {
          take = await this.budget.take(head.chat, head.pairKeys, head.pair);
        } catch (error) {
          this.line.shift();
          head.reject(error);
          continue;
        }
        if (take.kind === 'wait') {
          await this.sleep(take.ms);
          continue;
        }
        this.line.shift();
        head.resolve(take);
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

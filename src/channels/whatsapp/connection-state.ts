// The connection's current state, who listens to it, and waiting for "ready" (on the connection's clock).
import type { Logger } from 'pino';
import type { WaClock } from './clock.ts';
import { describeError } from './describe-error.ts';
import type { WhatsAppState } from './states.ts';

export class ConnectionState {
  private state: WhatsAppState;
  private readonly listeners = new Set<(state: WhatsAppState) => void>();

  constructor(
    private readonly clock: WaClock,
    private readonly log: Logger,
  ) {
    this.state = { state: 'disconnected', since: clock.now() };
  }

  /** The state as it is (do not change it: use `set`). */
  get current(): Readonly<WhatsAppState> {
    return this.state;
  }

  get(): WhatsAppState {
    return { ...this.state };
  }

  /** A new state, from now. */
  set(next: Omit<WhatsAppState, 'since'>): void {
    this.state = { ...next, since: this.clock.now() };
    this.tell();
  }

  /** Something a person must do, added to the state as it is (it does not start anew). */
  needsAttention(attention: string): void {
    this.state = { ...this.state, attention };
    this.tell();
  }

  on(listener: (state: WhatsAppState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves true once ready, false after `ms` or when `ended()` turns true at a state change. */
  whenReady(ms: number, ended: () => boolean): Promise<boolean> {
    if (this.state.state === 'ready') return Promise.resolve(true);
    if (ended()) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        unsubscribe();
        resolve(false);
      }, ms);
      const unsubscribe = this.on((s) => {
        if (s.state !== 'ready' && !ended()) return;
        this.clock.clearTimeout(timer);
        unsubscribe();
        resolve(s.state === 'ready');
      });
    });
  }

  private tell(): void {
    for (const listener of this.listeners) {
      try {
        listener(this.get());
      } catch (error) {
        this.log.warn({ error: describeError(error) }, 'whatsapp state listener failed');
      }
    }
  }
}

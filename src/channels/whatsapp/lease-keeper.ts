// Holding the number's WhatsApp lease on the connection's clock: one try at a time (the caller decides what to do
// while it waits), then renewal until stopped; `onLost` when another process has taken it after all.
import type { Logger } from 'pino';
import type { TimerHandle, WaClock } from './clock.ts';
import { describeError } from './describe-error.ts';
import type { WhatsAppLease } from './lease.ts';

export class LeaseKeeper {
  held = false;
  private renewal: TimerHandle | undefined;

  constructor(
    private readonly lease: WhatsAppLease,
    private readonly clock: WaClock,
    private readonly log: Logger,
  ) {}

  /** How long to wait before trying again when another process holds it. */
  get retryMs(): number {
    return this.lease.ttlMs / 2;
  }

  /** One try; on success, renewal starts and `onLost` is called if the lease is ever lost. */
  async tryTake(onLost: () => void): Promise<boolean> {
    try {
      this.held = await this.lease.acquire();
    } catch (error) {
      this.log.warn({ error: describeError(error) }, 'whatsapp lease: redis did not answer');
      this.held = false;
    }
    if (this.held) this.scheduleRenewal(onLost);
    return this.held;
  }

  async release(): Promise<void> {
    this.stopRenewal();
    if (!this.held) return;
    this.held = false;
    await this.lease.release().catch(() => undefined);
  }

  private scheduleRenewal(onLost: () => void): void {
    this.stopRenewal();
    this.renewal = this.clock.setTimeout(() => void this.renew(onLost), this.lease.ttlMs / 3);
  }

  private stopRenewal(): void {
    if (this.renewal !== undefined) this.clock.clearTimeout(this.renewal);
    this.renewal = undefined;
  }

  private async renew(onLost: () => void): Promise<void> {
    this.renewal = undefined;
    if (!this.held) return;
    let still = true;
    try {
      still = await this.lease.renew();
    } catch (error) {
      // Redis down for a moment: keep running rather than drop WhatsApp; the lease outlives short outages.
      this.log.warn({ error: describeError(error) }, 'whatsapp lease not renewed: redis did not answer');
    }
    if (!this.held) return;
    if (still) {
      this.scheduleRenewal(onLost);
      return;
    }
    this.held = false;
    this.log.error('whatsapp lease lost to another process: closing this one');
    onLost();
  }
}

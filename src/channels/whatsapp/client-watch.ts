// One whatsapp-web.js client, watched: its library events as a closed union, plus what the library never says —
// Chromium died (puppeteer's `disconnected` on `client.pupBrowser`) or the page stopped answering (a periodic
// `getState()` once ready). The connection decides what each event means.
import type { WaClient } from './client.ts';
import { type TimerHandle, type WaClock, within } from './clock.ts';
import { texts } from './connection-texts.ts';
import { describeError } from './describe-error.ts';

export type ClientEvent =
  | { type: 'qr'; qr: string }
  | { type: 'code'; code: string }
  /** Restoring a session: `authenticated`, then `loading_screen` percentages. */
  | { type: 'progress'; step: 'authenticated' | 'loading' }
  | { type: 'ready' }
  /** WhatsApp Web's socket state, from `change_state` or the probe (null: the page reports none). */
  | { type: 'wa_state'; waState: string | null }
  /** The library's `disconnected` (a WhatsApp state name, or LOGOUT). */
  | { type: 'disconnected'; reason: string }
  /** Chromium or the page is gone; the library says nothing of it. */
  | { type: 'gone'; reason: string };

export type WatchOptions = { clock: WaClock; probeIntervalMs?: number; probeTimeoutMs?: number };

export class ClientWatch {
  private probeTimer: TimerHandle | undefined;
  private browserWatched = false;
  private stopped = false;

  constructor(
    private readonly client: WaClient,
    private readonly o: WatchOptions,
    private readonly emit: (event: ClientEvent) => void,
  ) {
    const on = (event: ClientEvent) => {
      if (!this.stopped) this.emit(event);
    };
    client.on('qr', (qr) => on({ type: 'qr', qr }));
    client.on('code', (code) => on({ type: 'code', code }));
    client.on('authenticated', () => on({ type: 'progress', step: 'authenticated' }));
    client.on('loading_screen', () => on({ type: 'progress', step: 'loading' }));
    client.on('ready', () => {
      this.watchBrowser();
      this.scheduleProbe();
      on({ type: 'ready' });
    });
    client.on('change_state', (waState) => on({ type: 'wa_state', waState }));
    client.on('disconnected', (reason) => on({ type: 'disconnected', reason: String(reason) }));
  }

  /** Called once initialize() resolved: `client.pupBrowser` exists from then on. */
  watchBrowser(): void {
    const browser = this.client.pupBrowser;
    if (!browser || this.browserWatched) return;
    this.browserWatched = true;
    browser.on('disconnected', () => {
      if (!this.stopped) this.emit({ type: 'gone', reason: texts.browserClosed });
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.probeTimer !== undefined) this.o.clock.clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
  }

  private scheduleProbe(): void {
    if (this.stopped || this.probeTimer !== undefined) return;
    this.probeTimer = this.o.clock.setTimeout(() => {
      this.probeTimer = undefined;
      void this.probe();
    }, this.o.probeIntervalMs ?? 60_000);
  }

  private async probe(): Promise<void> {
    const noAnswer = { ok: false as const, error: 'WhatsApp Web did not answer' as unknown };
    const result = await within(
      this.o.clock,
      this.client.getState().then(
        (waState) => ({ ok: true as const, waState }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
      this.o.probeTimeoutMs ?? 30_000,
      noAnswer,
    );
    if (this.stopped) return;
    if (!result.ok) {
      this.emit({ type: 'gone', reason: texts.pageSilent(describeError(result.error)) });
      return;
    }
    this.emit({ type: 'wa_state', waState: result.waState });
    this.scheduleProbe();
  }
}

// The WhatsApp connection's life, as a state machine on an injectable clock: one whatsapp-web.js client at a time
// (only in the process holding the number's lease), pairing by QR or code, a start timer that progress resets,
// Chromium's death noticed (puppeteer's `disconnected` on `client.pupBrowser`, plus a periodic `getState()`),
// rebuilds with exponential backoff, bans and an outdated library left for an administrator, and staff told only
// of what needs a person. Messages are not handled here (see inbound.ts, outbound.ts).
import type { Logger } from 'pino';
import type { WaClient } from './client.ts';
import { type ClientEvent, ClientWatch } from './client-watch.ts';
import { NamedTimers, type WaClock, within } from './clock.ts';
import type { ConnectionOptions } from './connection-options.ts';
import { ConnectionState } from './connection-state.ts';
import { texts } from './connection-texts.ts';
import { describeError } from './describe-error.ts';
import { LeaseKeeper } from './lease-keeper.ts';
import { meaningOf, type WhatsAppState } from './states.ts';

const STOP_GRACE_MS = 5_000;

type Timers = 'reconnect' | 'watchdog' | 'down' | 'lease';

export class WhatsAppConnection {
  private client: WaClient | null = null;
  /** Incremented per client, so late events of a replaced client change nothing. */
  private generation = 0;
  /** The generation that already ended (failed, disconnected, browser gone): its later events are echoes. */
  private endedGeneration = -1;
  private attempt = 0;
  private conflicts: number[] = [];
  private started = false;
  private stopped = false;
  private initializing: Promise<void> | null = null;
  private readonly timers: NamedTimers<Timers>;
  /** Staff were told about an outage and have not yet been told it is over. */
  private outageNotified = false;
  private pairingNoticeSent = false;
  private waitingNoticeSent = false;
  private readonly clock: WaClock;
  private readonly log: Logger;
  private readonly keeper: LeaseKeeper | null;
  private watch: ClientWatch | null = null;
  private readonly status: ConnectionState;
  ownId: string | undefined;

  constructor(private readonly o: ConnectionOptions) {
    this.clock = o.clock;
    this.timers = new NamedTimers(o.clock);
    this.log = o.log;
    this.keeper = o.lease ? new LeaseKeeper(o.lease, o.clock, o.log) : null;
    this.status = new ConnectionState(o.clock, o.log);
  }

  getState(): WhatsAppState {
    return this.status.get();
  }

  /** The client, when messages can be sent through it. */
  readyClient(): WaClient | null {
    return this.status.current.state === 'ready' ? this.client : null;
  }

  /** The current client whatever its state (for listeners that check it is still the current one). */
  isCurrentClient(client: WaClient): boolean {
    return this.client === client && !this.stopped;
  }

  onStateChange(listener: (state: WhatsAppState) => void): () => void {
    return this.status.on(listener);
  }

  async start(): Promise<void> {
    // Once only: later connections are the reconnect timer's job.
    if (this.stopped || this.started) return;
    this.started = true;
    await this.takeLeaseThenConnect();
  }

  /** An administrator's "try again" after a ban, an update of the library or a long outage. */
  async retry(): Promise<void> {
    if (this.stopped || !this.started) return;
    if (
      this.status.current.state === 'ready' ||
      this.status.current.state === 'starting' ||
      this.status.current.state === 'qr'
    )
      return;
    this.timers.clear('reconnect');
    this.timers.clear('lease');
    this.attempt = 0;
    this.conflicts = [];
    this.endedGeneration = this.generation;
    await this.destroy(this.client);
    await this.takeLeaseThenConnect();
  }

  /** Resolves true once ready, false after `ms` or on stop. */
  whenReady(ms: number): Promise<boolean> {
    return this.status.whenReady(ms, () => this.stopped);
  }

  /** Stops reconnecting, lets `drain` finish (bounded), saves the session, closes Chromium, gives up the lease. */
  async stop(drain: () => Promise<unknown> = async () => {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timers.clearAll();
    this.watch?.stop();
    await within(this.clock, drain(), STOP_GRACE_MS, undefined);
    const c = this.client;
    const wasReady = this.status.current.state === 'ready' || this.status.current.state === 'degraded';
    this.client = null;
    if (c && wasReady && this.o.beforeClose) {
      await within(
        this.clock,
        this.o.beforeClose(c).catch((error: unknown) => {
          this.log.warn({ error: describeError(error) }, 'whatsapp session not saved on stop');
        }),
        STOP_GRACE_MS,
        undefined,
      );
    }
    await this.destroy(c);
    // A start still launching Chromium may only now have a browser to close.
    if (this.initializing) {
      await within(this.clock, this.initializing, STOP_GRACE_MS, undefined);
      await this.destroy(c);
    }
    await this.keeper?.release();
    this.status.set({ state: 'disconnected', reason: 'stopped' });
    this.log.info('whatsapp stopped');
  }

  // --- lease ---

  private async takeLeaseThenConnect(): Promise<void> {
    if (this.stopped) return;
    const keeper = this.keeper;
    if (keeper && !keeper.held) {
      const held = await keeper.tryTake(() => void this.leaseLost());
      if (this.stopped) {
        await keeper.release();
        return;
      }
      if (!held) {
        this.status.set({ state: 'waiting', reason: texts.waitingReason, attention: texts.waitingAttention });
        if (!this.waitingNoticeSent) {
          this.waitingNoticeSent = true;
          this.log.warn('whatsapp: another process holds this number, waiting for it to stop');
          this.o.notify({ kind: 'waiting_for_lease', text: texts.waitingNotice });
        }
        this.timers.set('lease', () => void this.takeLeaseThenConnect(), keeper.retryMs);
        return;
      }
      this.waitingNoticeSent = false;
    }
    await this.connect();
  }

  private async leaseLost(): Promise<void> {
    if (this.stopped) return;
    this.endedGeneration = this.generation;
    this.timers.clear('reconnect');
    this.timers.clear('watchdog');
    this.watch?.stop();
    const c = this.client;
    this.client = null;
    await this.destroy(c);
    await this.takeLeaseThenConnect();
  }

  // --- one client ---

  private isCurrent(gen: number): boolean {
    return gen === this.generation && gen !== this.endedGeneration && !this.stopped;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const gen = ++this.generation;
    this.status.set({ state: 'starting', ...(this.attempt > 0 ? { attempt: this.attempt } : {}) });
    let c: WaClient;
    try {
      await this.o.beforeStart?.();
      c = await this.o.createClient();
    } catch (error) {
      this.fail(gen, error);
      return;
    }
    if (this.stopped || gen !== this.generation) {
      await this.destroy(c);
      return;
    }
    this.client = c;
    this.watch?.stop();
    const watch = new ClientWatch(c, this.o, (event) => this.onEvent(gen, c, event));
    this.watch = watch;
    this.o.onClient?.(c);
    this.armWatchdog(gen);
    // Not awaited: the real initialize() takes seconds (browser, page load); the outcome arrives as events.
    this.initializing = c.initialize().then(
      () => watch.watchBrowser(),
      (error: unknown) => this.fail(gen, error),
    );
  }

  private onEvent(gen: number, c: WaClient, event: ClientEvent): void {
    if (!this.isCurrent(gen)) return;
    switch (event.type) {
      case 'qr':
      case 'code':
        this.timers.clear('watchdog');
        // Waiting for a scan is a person's job, told as "pairing needed", not as an outage.
        this.timers.clear('down');
        if (event.type === 'qr') {
          this.status.set({ state: 'qr', qr: event.qr, attention: texts.scanAttention });
          this.o.showQr(event.qr);
          this.pairingNeeded(texts.scanNotice, 'scan the QR code');
        } else {
          this.status.set({ state: 'qr', pairingCode: event.code, attention: texts.codeAttention });
          this.o.showPairingCode(event.code);
          this.pairingNeeded(texts.codeNotice, 'enter the pairing code');
        }
        return;
      case 'progress':
        // Restoring a saved session can take minutes on a slow host: each step of it is progress, not a hang.
        this.armWatchdog(gen);
        if (event.step === 'authenticated' && this.status.current.state === 'qr') {
          this.status.set({ state: 'starting', reason: 'paired, loading chats' });
        }
        return;
      case 'ready':
        this.timers.clear('watchdog');
        this.timers.clear('down');
        this.attempt = 0;
        this.pairingNoticeSent = false;
        this.ownId = c.info?.wid?._serialized;
        this.status.set({ state: 'ready' });
        this.log.info('whatsapp ready');
        if (this.outageNotified) {
          this.outageNotified = false;
          this.o.notify({ kind: 'reconnected', text: texts.reconnected });
        }
        return;
      case 'wa_state':
        this.log.debug({ waState: event.waState }, 'whatsapp state');
        if (event.waState === 'CONFLICT') {
          const now = this.clock.now();
          const windowMs = this.o.conflictWindowMs ?? 30 * 60_000;
          this.conflicts = [...this.conflicts.filter((t) => now - t < windowMs), now];
        }
        this.judgeWaState(event.waState);
        return;
      case 'disconnected':
        return this.onDisconnected(gen, event.reason);
      case 'gone':
        return this.browserGone(gen, event.reason);
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled client event ${JSON.stringify(unhandled)}`);
      }
    }
  }

  private pairingNeeded(text: string, what: string): void {
    if (this.pairingNoticeSent) return;
    this.pairingNoticeSent = true;
    this.outageNotified = true;
    this.log.info(`whatsapp needs pairing: ${what}`);
    this.o.notify({ kind: 'pairing_needed', text });
  }

  /** CONNECTED while degraded is ready again; TIMEOUT/OPENING/PAIRING (or nothing) while ready is degraded. */
  private judgeWaState(waState: string | null): void {
    if (waState === 'CONNECTED') {
      if (this.status.current.state === 'degraded') this.status.set({ state: 'ready' });
      return;
    }
    if (this.status.current.state !== 'ready' && this.status.current.state !== 'degraded') return;
    if (waState === null || waState === 'TIMEOUT' || waState === 'OPENING' || waState === 'PAIRING') {
      const reason = waState ?? 'no state';
      if (this.status.current.state !== 'degraded' || this.status.current.reason !== reason) {
        this.status.set({ state: 'degraded', reason });
        this.armDownNotice();
      }
    }
  }

  private browserGone(gen: number, reason: string): void {
    if (!this.isCurrent(gen)) return;
    this.endedGeneration = gen;
    this.timers.clear('watchdog');
    this.watch?.stop();
    this.log.error({ reason }, 'whatsapp browser gone: rebuilding the client');
    this.scheduleReconnect(reason);
  }

  private onDisconnected(gen: number, raw: string): void {
    if (!this.isCurrent(gen)) return;
    this.endedGeneration = gen;
    this.timers.clear('watchdog');
    this.watch?.stop();
    const reason = describeError(raw);
    this.log.warn({ reason }, 'whatsapp disconnected');
    const meaning = meaningOf(raw);
    switch (meaning) {
      case 'logged_out':
        this.pairingNoticeSent = true;
        this.outageNotified = true;
        this.o.notify({
          kind: 'pairing_lost',
          reason,
          text: texts.pairingLost(reason),
        });
        this.scheduleReconnect(reason);
        return;
      case 'banned':
        return this.block(reason, 'blocked', texts.banned(reason));
      case 'outdated':
        return this.block(reason, 'update_needed', texts.outdated);
      case 'conflict':
        if (this.conflicts.length >= (this.o.conflictLimit ?? 3)) {
          return this.block(reason, 'blocked', texts.conflicts(this.conflicts.length));
        }
        this.scheduleReconnect(reason);
        return;
      case 'transient':
        this.scheduleReconnect(reason);
        return;
      default: {
        const unhandled: never = meaning;
        throw new Error(`unhandled disconnect meaning ${String(unhandled)}`);
      }
    }
  }

  private block(reason: string, kind: 'blocked' | 'update_needed', text: string): void {
    this.log.error({ reason }, 'whatsapp stopped reconnecting: an administrator must act');
    this.timers.clear('down');
    this.outageNotified = true;
    this.status.set({ state: 'blocked', reason, attention: text });
    this.o.notify({ kind, reason, text });
    void this.destroy(this.client);
  }

  private fail(gen: number, error: unknown): void {
    if (!this.isCurrent(gen)) return;
    this.endedGeneration = gen;
    this.timers.clear('watchdog');
    const reason = describeError(error);
    if (this.attempt > 0) this.log.warn({ reason, attempt: this.attempt }, 'whatsapp still not connected');
    else this.log.error({ reason }, 'whatsapp connection failed');
    // After a failed start the library leaves Chromium open: close it now.
    void this.destroy(this.client);
    this.scheduleReconnect(reason);
  }

  private armWatchdog(gen: number): void {
    const ms = this.o.startTimeoutMs ?? 120_000;
    this.timers.set('watchdog', () => this.fail(gen, texts.startTimeout(Math.round(ms / 1000))), ms);
  }

  private armDownNotice(): void {
    if (this.timers.has('down') || this.outageNotified) return;
    const ms = this.o.downNoticeMs ?? 10 * 60_000;
    this.timers.set(
      'down',
      () => {
        if (this.status.current.state === 'ready' || this.status.current.state === 'qr') return;
        this.outageNotified = true;
        const reason = this.status.current.reason ?? 'unknown';
        const text = texts.down(Math.round(ms / 60_000), reason);
        // Shown in the console too (a banner), until WhatsApp is back; the state itself is unchanged.
        this.status.needsAttention(text);
        this.o.notify({ kind: 'down', reason, text });
      },
      ms,
    );
  }

  private scheduleReconnect(reason: string): void {
    if (this.stopped || this.timers.has('reconnect')) return;
    const delay = Math.min(this.o.maxDelayMs ?? 5 * 60_000, (this.o.initialDelayMs ?? 2_000) * 2 ** this.attempt);
    this.attempt++;
    const nextTryAt = this.clock.now() + delay;
    this.status.set({ state: 'reconnecting', reason, attempt: this.attempt, nextTryAt });
    this.log.info({ attempt: this.attempt, delayMs: delay }, 'whatsapp reconnecting after a pause');
    this.armDownNotice();
    const old = this.client;
    this.timers.set(
      'reconnect',
      () => {
        // The library closes its own browser after most disconnects; closing again here is harmless and covers
        // the rest. Done after the pause so the two closings never race.
        void this.destroy(old).then(() => this.connect());
      },
      delay,
    );
  }

  private async destroy(c: WaClient | null): Promise<void> {
    if (!c) return;
    try {
      await c.destroy();
    } catch (error) {
      this.log.warn({ error: describeError(error) }, 'whatsapp client did not close cleanly');
    }
  }
}

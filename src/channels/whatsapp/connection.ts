// The WhatsApp connection's life, as a state machine on an injectable clock: one whatsapp-web.js client at a time
// (only in the process holding the number's lease), pairing by QR or code, a start timer that progress resets,
// Chromium's death noticed (puppeteer's `disconnected` on `client.pupBrowser`, plus a periodic `getState()`),
// rebuilds with exponential backoff, bans and an outdated library left for an administrator, and staff told only
// of what needs a person. Messages are not handled here (see inbound.ts, outbound.ts).
import type { Logger } from 'pino';
import type { WaClient } from './client.ts';
import { type TimerHandle, type WaClock, within } from './clock.ts';
import { texts } from './connection-texts.ts';
import { describeError } from './describe-error.ts';
import type { WhatsAppLease } from './lease.ts';
import { LeaseKeeper } from './lease-keeper.ts';
import { meaningOf, type WhatsAppNotice, type WhatsAppState } from './states.ts';

export type ConnectionOptions = {
  /** Builds a new, not yet initialized client. */
  createClient(): Promise<WaClient>;
  /** Runs before each client is built, once the lease is held (stale Chromium, profile locks). Never throws. */
  beforeStart?(): Promise<void>;
  /** Runs before a ready client is closed on stop (the final session save). */
  beforeClose?(client: WaClient): Promise<void>;
  /** Each new client, for the message side to listen to. */
  onClient?(client: WaClient): void;
  lease?: WhatsAppLease;
  clock: WaClock;
  log: Logger;
  notify(notice: WhatsAppNotice): void;
  showQr(qr: string): void;
  showPairingCode(code: string): void;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A start that shows no QR code, no session progress and no "ready" within this time is abandoned. */
  startTimeoutMs?: number;
  /** How often a ready client is asked for WhatsApp's state (a dead browser does not answer). */
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  /** Staff are told when WhatsApp stays down (not connected, not waiting for a scan) longer than this. */
  downNoticeMs?: number;
  /** CONFLICTs within `conflictWindowMs` after which the bot stops taking the number back. */
  conflictLimit?: number;
  conflictWindowMs?: number;
};

const STOP_GRACE_MS = 5_000;

type Timers = 'reconnect' | 'watchdog' | 'probe' | 'down' | 'lease';

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
  private readonly timers = new Map<Timers, TimerHandle>();
  /** Staff were told about an outage and have not yet been told it is over. */
  private outageNotified = false;
  private pairingNoticeSent = false;
  private waitingNoticeSent = false;
  private state: WhatsAppState;
  private readonly listeners = new Set<(state: WhatsAppState) => void>();
  private readonly clock: WaClock;
  private readonly log: Logger;
  private readonly keeper: LeaseKeeper | null;
  ownId: string | undefined;

  constructor(private readonly o: ConnectionOptions) {
    this.clock = o.clock;
    this.log = o.log;
    this.keeper = o.lease ? new LeaseKeeper(o.lease, o.clock, o.log) : null;
    this.state = { state: 'disconnected', since: o.clock.now() };
  }

  getState(): WhatsAppState {
    return { ...this.state };
  }

  /** The client, when messages can be sent through it. */
  readyClient(): WaClient | null {
    return this.state.state === 'ready' ? this.client : null;
  }

  /** The current client whatever its state (for listeners that check it is still the current one). */
  isCurrentClient(client: WaClient): boolean {
    return this.client === client && !this.stopped;
  }

  onStateChange(listener: (state: WhatsAppState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
    if (this.state.state === 'ready' || this.state.state === 'starting' || this.state.state === 'qr') return;
    this.clear('reconnect');
    this.attempt = 0;
    this.conflicts = [];
    this.endedGeneration = this.generation;
    await this.destroy(this.client);
    await this.takeLeaseThenConnect();
  }

  /** Resolves true once ready, false after `ms` or on stop. */
  whenReady(ms: number): Promise<boolean> {
    if (this.state.state === 'ready') return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        unsubscribe();
        resolve(false);
      }, ms);
      const unsubscribe = this.onStateChange((s) => {
        if (s.state !== 'ready' && !this.stopped) return;
        this.clock.clearTimeout(timer);
        unsubscribe();
        resolve(s.state === 'ready');
      });
    });
  }

  /** Stops reconnecting, lets `drain` finish (bounded), saves the session, closes Chromium, gives up the lease. */
  async stop(drain: () => Promise<unknown> = async () => {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const name of [...this.timers.keys()]) this.clear(name);
    await within(this.clock, drain(), STOP_GRACE_MS, undefined);
    const c = this.client;
    const wasReady = this.state.state === 'ready' || this.state.state === 'degraded';
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
    this.setState({ state: 'disconnected', reason: 'stopped' });
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
        this.setState({ state: 'waiting', reason: texts.waitingReason, attention: texts.waitingAttention });
        if (!this.waitingNoticeSent) {
          this.waitingNoticeSent = true;
          this.log.warn('whatsapp: another process holds this number, waiting for it to stop');
          this.o.notify({ kind: 'waiting_for_lease', text: texts.waitingNotice });
        }
        this.set('lease', () => void this.takeLeaseThenConnect(), keeper.retryMs);
        return;
      }
      this.waitingNoticeSent = false;
    }
    await this.connect();
  }

  private async leaseLost(): Promise<void> {
    if (this.stopped) return;
    this.endedGeneration = this.generation;
    this.clear('reconnect');
    this.clear('watchdog');
    this.clear('probe');
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
    this.setState({ state: 'starting', ...(this.attempt > 0 ? { attempt: this.attempt } : {}) });
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
    this.wire(c, gen);
    this.o.onClient?.(c);
    this.armWatchdog(gen);
    // Not awaited: the real initialize() takes seconds (browser, page load); the outcome arrives as events.
    this.initializing = c.initialize().then(
      () => this.watchBrowser(c, gen),
      (error: unknown) => this.fail(gen, error),
    );
  }

  private wire(c: WaClient, gen: number): void {
    const current = () => this.isCurrent(gen);
    c.on('qr', (qr) => {
      if (!current()) return;
      this.clear('watchdog');
      // Waiting for a scan is a person's job, told as "pairing needed", not as an outage.
      this.clear('down');
      this.setState({ state: 'qr', qr, attention: texts.scanAttention });
      this.o.showQr(qr);
      this.pairingNeeded(texts.scanNotice, 'scan the QR code');
    });
    c.on('code', (code) => {
      if (!current()) return;
      this.clear('watchdog');
      this.clear('down');
      this.setState({ state: 'qr', pairingCode: code, attention: texts.codeAttention });
      this.o.showPairingCode(code);
      this.pairingNeeded(texts.codeNotice, 'enter the pairing code');
    });
    // Restoring a saved session can take minutes on a slow host: each step of it is progress, not a hang.
    c.on('authenticated', () => {
      if (!current()) return;
      this.armWatchdog(gen);
      if (this.state.state === 'qr') this.setState({ state: 'starting', reason: 'paired, loading chats' });
    });
    c.on('loading_screen', () => {
      if (current()) this.armWatchdog(gen);
    });
    c.on('ready', () => {
      if (!current()) return;
      this.clear('watchdog');
      this.clear('down');
      this.attempt = 0;
      this.pairingNoticeSent = false;
      this.ownId = c.info?.wid?._serialized;
      this.setState({ state: 'ready' });
      this.log.info('whatsapp ready');
      this.watchBrowser(c, gen);
      this.scheduleProbe(gen);
      if (this.outageNotified) {
        this.outageNotified = false;
        this.o.notify({ kind: 'reconnected', text: texts.reconnected });
      }
    });
    c.on('change_state', (waState) => {
      if (!current()) return;
      this.log.info({ waState }, 'whatsapp state changed');
      if (waState === 'CONFLICT') {
        const now = this.clock.now();
        const windowMs = this.o.conflictWindowMs ?? 30 * 60_000;
        this.conflicts = [...this.conflicts.filter((t) => now - t < windowMs), now];
      }
      this.judgeWaState(waState);
    });
    c.on('disconnected', (reason) => this.onDisconnected(gen, String(reason)));
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
      if (this.state.state === 'degraded') this.setState({ state: 'ready' });
      return;
    }
    if (this.state.state !== 'ready' && this.state.state !== 'degraded') return;
    if (waState === null || waState === 'TIMEOUT' || waState === 'OPENING' || waState === 'PAIRING') {
      const reason = waState ?? 'no state';
      if (this.state.state !== 'degraded' || this.state.reason !== reason) {
        this.setState({ state: 'degraded', reason });
        this.armDownNotice();
      }
    }
  }

  private watchBrowser(c: WaClient, gen: number): void {
    const browser = c.pupBrowser;
    if (!browser || watched.has(browser)) return;
    watched.add(browser);
    browser.on('disconnected', () => this.browserGone(gen, texts.browserClosed));
  }

  private scheduleProbe(gen: number): void {
    this.set('probe', () => void this.probe(gen), this.o.probeIntervalMs ?? 60_000);
  }

  private async probe(gen: number): Promise<void> {
    const c = this.client;
    if (!this.isCurrent(gen) || !c) return;
    const noAnswer = { ok: false as const, error: 'WhatsApp Web did not answer' as unknown };
    const result = await within(
      this.clock,
      c.getState().then(
        (waState) => ({ ok: true as const, waState }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
      this.o.probeTimeoutMs ?? 30_000,
      noAnswer,
    );
    if (!this.isCurrent(gen)) return;
    if (!result.ok) {
      this.browserGone(gen, texts.pageSilent(describeError(result.error)));
      return;
    }
    this.judgeWaState(result.waState);
    this.scheduleProbe(gen);
  }

  private browserGone(gen: number, reason: string): void {
    if (!this.isCurrent(gen)) return;
    this.endedGeneration = gen;
    this.clear('watchdog');
    this.clear('probe');
    this.log.error({ reason }, 'whatsapp browser gone: rebuilding the client');
    this.scheduleReconnect(reason);
  }

  private onDisconnected(gen: number, raw: string): void {
    if (!this.isCurrent(gen)) return;
    this.endedGeneration = gen;
    this.clear('watchdog');
    this.clear('probe');
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
    this.clear('down');
    this.outageNotified = true;
    this.setState({ state: 'blocked', reason, attention: text });
    this.o.notify({ kind, reason, text });
    void this.destroy(this.client);
  }

  private fail(gen: number, error: unknown): void {
    if (!this.isCurrent(gen)) return;
    this.endedGeneration = gen;
    this.clear('watchdog');
    const reason = describeError(error);
    if (this.attempt > 0) this.log.warn({ reason, attempt: this.attempt }, 'whatsapp still not connected');
    else this.log.error({ reason }, 'whatsapp connection failed');
    // After a failed start the library leaves Chromium open: close it now.
    void this.destroy(this.client);
    this.scheduleReconnect(reason);
  }

  private armWatchdog(gen: number): void {
    const ms = this.o.startTimeoutMs ?? 120_000;
    this.set('watchdog', () => this.fail(gen, texts.startTimeout(Math.round(ms / 1000))), ms);
  }

  private armDownNotice(): void {
    if (this.timers.has('down') || this.outageNotified) return;
    const ms = this.o.downNoticeMs ?? 10 * 60_000;
    this.set(
      'down',
      () => {
        if (this.state.state === 'ready' || this.state.state === 'qr') return;
        this.outageNotified = true;
        const reason = this.state.reason ?? 'unknown';
        const text = texts.down(Math.round(ms / 60_000), reason);
        // Shown in the console too (a banner), until WhatsApp is back; the state itself is unchanged.
        this.state = { ...this.state, attention: text };
        for (const listener of this.listeners) listener(this.getState());
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
    this.setState({ state: 'reconnecting', reason, attempt: this.attempt, nextTryAt });
    this.log.info({ attempt: this.attempt, delayMs: delay }, 'whatsapp reconnecting after a pause');
    this.armDownNotice();
    const old = this.client;
    this.set(
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

  private setState(next: Omit<WhatsAppState, 'since'>): void {
    this.state = { ...next, since: this.clock.now() };
    for (const listener of this.listeners) {
      try {
        listener(this.getState());
      } catch (error) {
        this.log.warn({ error: describeError(error) }, 'whatsapp state listener failed');
      }
    }
  }

  private set(name: Timers, fn: () => void, ms: number): void {
    this.clear(name);
    this.timers.set(
      name,
      this.clock.setTimeout(() => {
        this.timers.delete(name);
        fn();
      }, ms),
    );
  }

  private clear(name: Timers): void {
    const handle = this.timers.get(name);
    if (handle === undefined) return;
    this.clock.clearTimeout(handle);
    this.timers.delete(name);
  }
}

/** Browsers already watched (a client's `ready` may come again after its page reloads). */
const watched = new WeakSet<object>();

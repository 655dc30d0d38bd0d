// What the WhatsApp connection needs from the composition: how to build a client, the lease, the clock, and where
// to tell staff and the terminal about pairing.
import type { Logger } from 'pino';
import type { WaClient } from './client.ts';
import type { WaClock } from './clock.ts';
import type { WhatsAppLease } from './lease.ts';
import type { WhatsAppNotice } from './states.ts';

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

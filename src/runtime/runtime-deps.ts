// What the runtime (runtime.ts) is given and what it offers: its types, in a leaf the runtime's parts import.
import type { ContentCatalog, Input } from '../engine/types.ts';
import type { FlowSet } from '../flows/schema.ts';
import type { FloodGate } from '../infra/flood-gate.ts';
import type { Logger } from '../infra/logger.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { ChatLock } from '../ports/chat-lock.ts';
import type { ChatState } from '../ports/chat-state.ts';
import type { Clock } from '../ports/clock.ts';
import type { DeliveryMarks } from '../ports/delivery-marks.ts';
import type { HeldSpool } from '../ports/held-spool.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { Outbox } from '../ports/outbox.ts';
import type { ReferralIntake, Subscriptions } from '../ports/services.ts';
import type { SessionStore } from '../ports/session-store.ts';
import type { ApprovedVoices } from '../ports/voices.ts';
import type { ChannelCapabilities } from './capabilities.ts';
import type { Presenter } from './present.ts';

export type InputMeta = {
  platformLang?: string;
  /** What the person's channel can show (buttons, voice...); a plain text channel when absent. */
  capabilities?: ChannelCapabilities;
};

export interface Runtime {
  /** Handles one input for one chat and returns the reply, in order. Never throws. */
  handle(chat: ChatRef, input: Input, meta?: InputMeta): Promise<OutMessage[]>;
}

/** What the service (graceful shutdown, health) needs besides `handle`. */
export interface ServiceRuntime extends Runtime {
  /** Inputs being handled right now (waiting for their chat's turn included). */
  inFlight(): number;
  /** Resolves once no input is in flight. Stop the channels first, so nothing new arrives meanwhile. */
  drain(): Promise<void>;
  /** Finishes journals left by processes that died (see journal.ts); returns how many. Never throws. */
  recover(): Promise<number>;
}

export type RuntimeDeps = {
  flows: FlowSet;
  catalog: ContentCatalog;
  presenter: Presenter;
  /** The chats' lock, session and effects journal (RedisChatState in the bot). */
  state?: ChatState;
  /** Or the older pair, for tools and tests (the journal then lives in memory only). */
  store?: SessionStore;
  lock?: ChatLock;
  clock: Clock;
  logger: Logger;
  referrals?: ReferralIntake;
  subscriptions?: Subscriptions;
  /** Per-person rate limit, checked before the chat lock and the engine. */
  flood?: FloodGate;
  /** More stores holding something about a person (channel marks...), erased with "EFFACER". */
  erasers?: readonly { eraseFor(chat: ChatRef): Promise<void> }[];
  /** Called after each input with the number of reply messages and the seconds it took (for /metrics). */
  observe?: (chat: ChatRef, replies: number, seconds: number) => void;
  /**
   * Called with the number of messages the runtime sent itself through the outbox (a journaled turn's reply, the
   * recovery sweep's), once the platform took them: with `observe`'s, every message a person receives counted once.
   */
  observeSent?: (chat: ChatRef, messages: number) => void;
  /** False while the state store (Redis) is known to be unreachable: answer statelessly at once. */
  stateAvailable?: () => boolean;
  /** Sends what a journal finished by the recovery sweep has to say (its person is not waiting for a reply). */
  outbox?: Outbox;
  /** Where answers kept during an outage outlive the process (sealed files in the data dir); memory only when absent. */
  heldSpool?: HeldSpool;
  /** Which messages of a journaled reply the platform answered, so a restart sends only the others. */
  marks?: DeliveryMarks;
  /** Approved recordings (issue 18): 🔊 is offered, and voice notes sent, where one exists in the person's language. */
  voices?: ApprovedVoices;
  /** Called at each step of a journaled turn (crash tests kill the process there). */
  onJournalStep?: (step: JournalStep) => void;
};

/**
 * committed: session + journal written; carried: effects done; delivered: their reply sent through the outbox, each
 * message marked as answered (journal-delivery.ts); finished: journal turned into the result.
 */
export type JournalStep = 'committed' | 'carried' | 'delivered' | 'finished';

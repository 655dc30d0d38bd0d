// The effects journal of a turn (DESIGN: "commit session + effects journal together"). A turn whose effects change
// something outside the session (a referral, subscriptions, a relay to staff) commits, with its session, a pending
// journal: the effects, and what is needed to word them. Carrying them out is idempotent (stable intake ids; set
// operations), so a journal left by a process that died is simply carried out again, by the chat's next turn or by
// the recovery sweep; its reply is sent through the outbox before it is marked done (journal-delivery.ts), and a
// relay to staff is keyed by the entry's id (effectKey). Once carried out, the journal becomes the turn's result,
// kept for the chat's next input only:
// a repeat of the same press gets that result again instead of "this button is old".
import type { Effect, EffectType, Input, Lang } from '../engine/types.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { ChannelCapabilities } from './capabilities.ts';
import type { VoiceOptions } from './present-audio.ts';

/** How a turn's effects are worded: the person's channel, and their voice notes when they asked for them. */
export type TurnOptions = { capabilities: ChannelCapabilities; wantsAudio: boolean; voice?: VoiceOptions['voice'] };

/** What identifies an input when it comes again (a repeated press or message). */
export type InputKey = string;

export type PendingJournal = {
  v: 1;
  state: 'pending';
  /** The entry's stable id: effects carried out again after a crash are keyed by it (e.g. a relay to staff). */
  id?: string;
  chat: ChatRef;
  input: InputKey;
  lang: Lang;
  options: TurnOptions;
  effects: Effect[];
};

export type DoneJournal = { v: 1; state: 'done'; input: InputKey; messages: OutMessage[]; replayed?: true };

export type Journal = PendingJournal | DoneJournal;

/** Effects that change something outside the session: a turn with one of them is journaled. */
export const JOURNALED = {
  refer: true,
  subscribe: true,
  unsubscribe: true,
  pause: true,
  relay_to_staff: true,
  say: false,
  ask: false,
  show_faq: false,
  show_contacts: false,
  // The subscription's language follows alongside (carriers.ts), best effort: not worth journaling every person's
  // first turn (the language choice) for; a crash in between leaves alerts in the language chosen before.
  set_language: false,
  play_audio: false,
  list_subscriptions: false,
  case_status: false,
  show_emergency: false,
  // Erasure is carried out before its session is erased (see the runtime), never replayed.
  erase_my_data: false,
  flow_error: false,
  // The case moves (or the proposal ends) and staff are told: once, even after a crash.
  answer_transfer: true,
} satisfies { [K in EffectType]: boolean };

/** The stable key of the journal's effect at `index` (absent for journals written before entries had ids). */
export function effectKey(journal: PendingJournal, index: number): string | undefined {
  return journal.id ? `${journal.id}:${index}` : undefined;
}

export function needsJournal(effects: readonly Effect[]): boolean {
  return effects.some((e) => JOURNALED[e.type]);
}

/**
 * Presses and typed texts can be repeated; a /start, a media or a notice is never taken for a repeat. A press
 * names its question's version, so its repeat is unambiguous; a text is taken for a repeat only of a turn that
 * never finished (its reply was never given).
 */
export function inputKey(input: Input): InputKey {
  switch (input.kind) {
    case 'choice':
      return `choice:${input.version}:${input.id}`;
    case 'text':
      return `text:${input.text.trim().toLowerCase()}`;
    default:
      return '';
  }
}

export function parseJournal(text: string | null): Journal | null {
  if (!text) return null;
  try {
    const journal = JSON.parse(text) as Journal;
    if (journal?.v !== 1 || (journal.state !== 'pending' && journal.state !== 'done')) return null;
    // Written by an older version: an effect type retired since (e.g. `end`) is dropped, not carried out.
    if (journal.state === 'pending') journal.effects = journal.effects.filter((e) => Object.hasOwn(JOURNALED, e.type));
    return journal;
  } catch {
    return null;
  }
}

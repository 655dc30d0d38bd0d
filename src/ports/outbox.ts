import type { ChatRef } from './chat.ts';
import type { OutMessage } from './out-message.ts';

/** What a caller learns while a send goes on. */
export type SendProgress = {
  /**
   * Called as soon as the platform has answered each message (accepted it), with how many of the messages it has
   * answered so far: a journaled reply records it, so a process killed midway is not made to send them again.
   */
  answered?(count: number): void;
};

/** Sends messages to a person outside of a reply (referral relay, alerts, case updates). */
export interface Outbox {
  /** Resolves once every message was handed to the platform; an implementation may ignore `progress`. */
  send(chat: ChatRef, messages: OutMessage[], progress?: SendProgress): Promise<void>;
}

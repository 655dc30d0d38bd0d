import type { ChatRef } from './chat.ts';
import type { OutMessage } from './out-message.ts';

/** Sends messages to a person outside of a reply (referral relay, alerts, case updates). */
export interface Outbox {
  send(chat: ChatRef, messages: OutMessage[]): Promise<void>;
}

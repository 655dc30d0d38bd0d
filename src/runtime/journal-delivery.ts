// The last step of a journaled turn: its reply (a referral's confirmation, "message passed on"...) is delivered by
// the runtime itself, through the outbox, before the journal is marked done. A process killed between finishing the
// turn and the channel sending the reply would otherwise lose it on text channels, where a typed "1" cannot be told
// from an answer to the next question. Killed before this point, the journal is still pending: the restarted
// process (recovery sweep) or the chat's next turn carries it out again, idempotently, and delivers it. Each message
// the platform answers is marked at once (DeliveryMarks), so killed midway or after the send and before the journal
// is marked done, the restarted process sends only the messages with no recorded answer: at most the one in flight
// at the kill is read twice, none is missed.
import type { Logger } from '../infra/logger.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { Outbox } from '../ports/outbox.ts';

export type Delivered = {
  /** How many of the messages the platform answered (the first ones, in order). */
  sent: number;
  /** The others (no outbox, or its send failed), for the caller to give the channel, which tries its own way. */
  rest: OutMessage[];
};

/**
 * Sends the messages through the outbox; `answered` is told how many were answered so far, as soon as each one is
 * (an outbox that does not say so: all of them once the send resolved).
 */
export async function deliverJournal(
  outbox: Outbox | undefined,
  chat: ChatRef,
  messages: OutMessage[],
  logger: Logger,
  answered?: (count: number) => void,
): Promise<Delivered> {
  if (!outbox || messages.length === 0) return { sent: 0, rest: messages };
  let sent = 0;
  try {
    await outbox.send(chat, messages, {
      answered(count) {
        if (count <= sent) return;
        sent = Math.min(count, messages.length);
        answered?.(sent);
      },
    });
  } catch (err) {
    logger.warn({ channel: chat.channel, err: err instanceof Error ? err.name : 'Error' }, 'journal reply not sent');
    return { sent, rest: messages.slice(sent) };
  }
  if (sent < messages.length) {
    sent = messages.length;
    answered?.(sent);
  }
  return { sent, rest: [] };
}

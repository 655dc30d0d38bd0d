// The last step of a journaled turn: its reply (a referral's confirmation, "message passed on"...) is delivered by
// the runtime itself, through the outbox, before the journal is marked done. A process killed between finishing the
// turn and the channel sending the reply would otherwise lose it on text channels, where a typed "1" cannot be told
// from an answer to the next question. Killed before this point, the journal is still pending: the restarted
// process (recovery sweep) or the chat's next turn carries it out again, idempotently, and delivers it. Killed after
// the send and before the journal is marked done, the person may read the reply twice: never zero times.
import type { Logger } from '../infra/logger.ts';
import type { ChatRef } from '../ports/chat.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { Outbox } from '../ports/outbox.ts';

/**
 * Sends the messages through the outbox: true once sent. False when there is nothing to send, no outbox, or the
 * send failed (the caller then returns them to the channel, which tries its own way).
 */
export async function deliverJournal(
  outbox: Outbox | undefined,
  chat: ChatRef,
  messages: OutMessage[],
  logger: Logger,
): Promise<boolean> {
  if (!outbox || messages.length === 0) return false;
  try {
    await outbox.send(chat, messages);
    return true;
  } catch (err) {
    logger.warn({ channel: chat.channel, err: err instanceof Error ? err.name : 'Error' }, 'journal reply not sent');
    return false;
  }
}

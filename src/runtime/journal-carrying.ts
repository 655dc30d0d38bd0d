// Journaled turns carried out (journal.ts): a pending journal's effects done (again, after a crash: idempotently),
// its reply delivered (journal-delivery.ts), and the journal marked done; and the recovery sweep, which finishes the
// journals of processes that died mid-turn and handles the answers kept during an outage.
import type { ChatState, ChatTurn } from '../ports/chat-state.ts';
import type { OutMessage } from '../ports/out-message.ts';
import type { EffectCarriers } from './carriers.ts';
import { errorSummary } from './error-summary.ts';
import type { HeldInputs } from './held-inputs.ts';
import { type DoneJournal, type PendingJournal, parseJournal } from './journal.ts';
import { deliverJournal } from './journal-delivery.ts';
import type { OutageReplies } from './outage-replies.ts';
import type { InputMeta, RuntimeDeps } from './runtime-deps.ts';

/** A pending journal older than this belongs to a dead process (a live one renews its lock, see ChatState). */
const ABANDONED_AFTER_MS = 5_000;

/**
 * Where a pending journal comes from when it is carried out:
 * - 'fresh': committed by this very turn (nothing of it can have been sent yet);
 * - 'left': left by a dead process: the messages it got answered are not sent again;
 * - 'replayed': the person sent the cut-short input again: the whole result, again.
 * `release`: the chat's lock is freed with the journal's "done" (else the turn goes on with a new input).
 */
export type JournalRun = { origin: 'fresh' | 'left' | 'replayed'; release: boolean };

export type JournalCarrying = {
  /** Carries out a pending journal (again, after a crash: idempotently) and keeps its result for a repeat. */
  carryOutJournal(turn: ChatTurn, journal: PendingJournal, how: JournalRun): Promise<OutMessage[]>;
  /** Finishes the journals of processes that died mid-turn and sends what they have to say; how many. */
  recover(): Promise<number>;
};

export function createJournalCarrying(
  deps: RuntimeDeps,
  state: ChatState,
  held: HeldInputs<InputMeta>,
  carriers: EffectCarriers,
  outage: OutageReplies,
): JournalCarrying {
  const { logger } = deps;
  const { dispatch } = carriers;
  const { replayHeld } = outage;
  // What an earlier run kept on disk during an outage, taken over at once (no Redis needed), so it is handled first
  // once Redis is back, before anything the person writes next.
  held.restore().catch((err: unknown) => logger.warn({ err: errorSummary(err) }, 'kept answers not restored'));

  /** Carries out a pending journal (again, after a crash: idempotently) and keeps its result for a repeat. */
  async function carryOutJournal(
    turn: ChatTurn,
    journal: PendingJournal,
    { origin, release }: JournalRun,
  ): Promise<OutMessage[]> {
    const replayed = origin === 'replayed';
    const messages = await dispatch(journal.chat, journal.effects, journal.lang, journal.options, journal);
    deps.onJournalStep?.('carried');
    const { id } = journal;
    const marks = id && deps.outbox ? deps.marks : undefined;
    const skip = marks && origin === 'left' ? await marks.delivered(id!).catch(() => 0) : 0;
    // Sent before the journal is marked done, each message marked as the platform answers it: a crash before that
    // point delivers again only what has no recorded answer, never nothing.
    const { sent, rest } = await deliverJournal(
      deps.outbox,
      journal.chat,
      messages.slice(skip),
      logger,
      marks ? (count) => marks.mark(id!, skip + count) : undefined,
    );
    if (sent > 0) deps.observeSent?.(journal.chat, sent);
    if (deps.outbox && rest.length === 0) deps.onJournalStep?.('delivered');
    const done: DoneJournal = {
      v: 1,
      state: 'done',
      input: journal.input,
      messages,
      ...(replayed ? { replayed } : {}),
    };
    try {
      await turn.finish({ keep: JSON.stringify(done), release });
    } catch (err) {
      // Done but not recorded as done (Redis failed just now): recovery carries it out again, idempotently.
      logger.warn({ channel: journal.chat.channel, err: errorSummary(err) }, 'journal not marked done');
      return rest;
    }
    if (marks) marks.forget(id!);
    deps.onJournalStep?.('finished');
    return rest;
  }

  /**
   * Finishes the journals of processes that died mid-turn and whose person has not written since, and sends what
   * they have to say (the confirmation of a referral...). Returns how many were finished.
   */
  async function recover(): Promise<number> {
    let finished = 0;
    for (const text of (await state.pendingJournals?.(ABANDONED_AFTER_MS, 50)) ?? []) {
      const found = parseJournal(text);
      if (found?.state !== 'pending') continue;
      const messages = await state.transact(found.chat, async (turn) => {
        const journal = parseJournal(turn.snapshot.journal);
        // Finished meanwhile (the person wrote again), or replaced: nothing left to do.
        if (journal?.state !== 'pending') return null;
        return carryOutJournal(turn, journal, { origin: 'left', release: true });
      });
      if (!messages) continue;
      finished += 1;
      // Left undelivered (no outbox, or its send failed): nobody is waiting for a reply to take them.
      if (messages.length > 0) logger.warn({ channel: found.chat.channel }, 'recovered reply not sent');
    }
    await held.restore();
    for (const chat of held.people()) {
      const messages = await replayHeld(chat);
      if (messages.length > 0 && deps.outbox) {
        await deps.outbox.send(chat, messages).then(
          () => deps.observeSent?.(chat, messages.length),
          (err: unknown) => {
            logger.warn({ channel: chat.channel, err: errorSummary(err) }, 'reply to a kept answer not sent');
          },
        );
      }
    }
    return finished;
  }

  return { carryOutJournal, recover };
}

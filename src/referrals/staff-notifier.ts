// What staff are told, whatever the medium (Telegram staff group, web console...). Events carry no personal data,
// except `person_message`, whose text goes only to the staff member who claimed the case.
import type { CaseSummary } from './case-model.ts';

export type StaffEvent =
  /** A case waits in a partner's queue: new, released, transferred there, or escalated there. */
  | { type: 'waiting'; case: CaseSummary; reason: 'new' | 'released' | 'transferred' | 'escalated' }
  /** A case has waited past the reminder deadline. */
  | { type: 'reminder'; case: CaseSummary; waitingMs: number }
  /** A case left a partner because nobody claimed it in time (told to the partner it left). */
  | { type: 'escalated'; case: CaseSummary; from: string }
  /** The person wrote while the case is claimed: for the claimer only. */
  | { type: 'person_message'; case: CaseSummary; staffId: string; text: string }
  /** The person erased their data: the case shows "erased by the person". */
  | { type: 'erased'; case: CaseSummary; staffId?: string | undefined }
  /** The person answered a proposed transfer (told to the partner that proposed it; `case.partner` is that one). */
  | { type: 'transfer_answer'; case: CaseSummary; to: string; accepted: boolean }
  /**
   * Staff changed the case (from any medium): the staff group's post and the console's live pages follow.
   * `by` is the staff id who did it.
   */
  | {
      type: 'changed';
      case: CaseSummary;
      action: 'claimed' | 'released' | 'assigned' | 'proposed' | 'closed';
      by: string;
    };

export interface StaffNotifier {
  notify(event: StaffEvent): Promise<void>;
}

/** Sends each event to every notifier (e.g. Telegram and the console's live view); all are tried. */
export function fanOut(...notifiers: StaffNotifier[]): StaffNotifier {
  return {
    async notify(event) {
      const results = await Promise.allSettled(notifiers.map((n) => n.notify(event)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}

export const silentNotifier: StaffNotifier = { notify: async () => {} };

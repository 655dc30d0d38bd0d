// What staff are told, whatever the medium (Telegram staff group, web console...). Events carry no personal data,
// except `person_message`, whose text goes only to the staff member who claimed the case.
import type { StaffNotifier } from '../ports/staff-cases.ts';

export type { StaffEvent, StaffNotifier } from '../ports/staff-cases.ts';

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

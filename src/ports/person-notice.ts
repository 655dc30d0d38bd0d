// What the referral service tells a person about their case outside of a reply (staff took it, closed it, moved
// it, wrote to them, proposed a transfer): data, never text. The presenter (src/runtime/present-results.ts) words
// it in the person's language through i18n keys that `validate` checks.
/** A closed union: a new notice does not compile until the presenter says how it is worded. */
export type PersonNotice =
  | { type: 'case_claimed'; no: string; partner: string }
  | { type: 'case_closed'; no: string }
  | { type: 'case_transferred'; no: string; partner: string }
  /** A staff member's words, under a title naming the partner and the case. */
  | { type: 'staff_reply'; no: string; partner: string; text: string }
  | { type: 'transfer_proposal'; no: string; from: string; to: string };

export type PersonNoticeType = PersonNotice['type'];

// What the WhatsApp channel says of its connection, as the console and /healthz/ready read it (the channel's own
// type narrows `state` to its closed list).
export type WhatsAppStateView = {
  state: string;
  /** The QR code to scan (text to draw as a QR image), while pairing by QR. */
  qr?: string;
  /** The code to type on the phone, while pairing by phone number. */
  pairingCode?: string;
  /** Why (a WhatsApp state name such as CONFLICT, or a short error), no personal data. */
  reason?: string;
  /** Reconnection attempt number, while reconnecting. */
  attempt?: number;
  /** When the next attempt starts (ms since epoch), while reconnecting. */
  nextTryAt?: number;
  /** What a person has to do now (one English sentence), when the bot cannot fix this by itself. */
  attention?: string;
  /** Milliseconds since epoch when this state began. */
  since: number;
};

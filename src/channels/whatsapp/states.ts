// What the WhatsApp connection can be in, what staff are told, and what each WhatsApp Web state name means for
// us. WhatsApp's names come from whatsapp-web.js (src/util/Constants.js, `WAState`); its Client emits
// `change_state` with them and then, for every state but CONNECTED/OPENING/PAIRING/TIMEOUT, `disconnected`
// (src/Client.js, onAppStateChangedEvent). A logout from the phone arrives as `disconnected` with "LOGOUT".

import type { WhatsAppStateView } from '../../ports/whatsapp-state.ts';

export type WhatsAppConnectionState =
  /** A client is being built and started (Chromium launching, WhatsApp Web loading, session restoring). */
  | 'starting'
  /** Waiting for someone to scan the QR code or type the pairing code on the phone. */
  | 'qr'
  | 'ready'
  /** The client runs but WhatsApp says it is not connected (phone offline, network): messages wait. */
  | 'degraded'
  /** The client ended (browser died, start failed, disconnect); a new one is built at `nextTryAt`. */
  | 'reconnecting'
  /** Another process holds this number's WhatsApp lease: this one waits and takes over if it goes away. */
  | 'waiting'
  /** WhatsApp refused the number or the library is too old: nothing is retried until an administrator acts. */
  | 'blocked'
  /** Not started, or stopped. */
  | 'disconnected';

export type WhatsAppState = WhatsAppStateView & { state: WhatsAppConnectionState };

/** Something staff should know about the WhatsApp connection (staff Telegram group(s), console banner). */
export type WhatsAppNotice = {
  kind: 'pairing_needed' | 'pairing_lost' | 'blocked' | 'update_needed' | 'down' | 'waiting_for_lease' | 'reconnected';
  /** One English sentence for staff; `kind` lets the staff side translate. */
  text: string;
  reason?: string;
};

/** What a `disconnected` reason (or the `change_state` before it) means for the connection. */
export type DisconnectMeaning =
  /** The phone removed the linked device, or WhatsApp forgot it: the saved session is worthless, pair again. */
  | 'logged_out'
  /** The number is banned or restricted: retrying would make it worse. */
  | 'banned'
  /** WhatsApp Web no longer accepts this library version. */
  | 'outdated'
  /** Another WhatsApp Web session took over this number. */
  | 'conflict'
  /** Anything else (network, navigation, proxy, timeouts): reconnect with backoff. */
  | 'transient';

export function meaningOf(reason: string): DisconnectMeaning {
  switch (reason) {
    case 'LOGOUT':
    case 'UNPAIRED':
    case 'UNPAIRED_IDLE':
      return 'logged_out';
    case 'TOS_BLOCK':
    case 'SMB_TOS_BLOCK':
      return 'banned';
    case 'DEPRECATED_VERSION':
      return 'outdated';
    case 'CONFLICT':
      return 'conflict';
    default:
      return 'transient';
  }
}

/** States in which whatsapp-web.js keeps the client running (Client.js ACCEPTED_STATES). */
export const ACCEPTED_WA_STATES: ReadonlySet<string> = new Set(['CONNECTED', 'OPENING', 'PAIRING', 'TIMEOUT']);

/** Ready to send: messages go out now. */
export const isUp = (state: WhatsAppConnectionState) => state === 'ready';

// What the connection tells staff and shows in the console, in one place: one English sentence per situation
// (the staff Telegram message adds a French one by kind, staff-notices.ts).

export const texts = {
  waitingReason: 'another process runs WhatsApp for this number',
  waitingAttention:
    'Another Kunnafoni process uses this WhatsApp number. Stop it, or wait: this one takes over when it stops.',
  waitingNotice:
    'A second Kunnafoni process started for the same WhatsApp number: it waits and takes over if the first one stops.',
  scanAttention: 'Scan the QR code with the bot phone (Linked devices).',
  codeAttention: 'Type the pairing code on the bot phone.',
  scanNotice: 'WhatsApp needs pairing: scan the QR code in the staff console (Channels).',
  codeNotice: 'WhatsApp needs pairing: enter the code shown in the staff console (Channels).',
  reconnected: 'WhatsApp is connected again.',
  pairingLost: (reason: string) =>
    `WhatsApp unlinked the bot (${reason}): pair it again with the QR code in the staff console (Channels).`,
  banned: (reason: string) =>
    `WhatsApp blocked this number (${reason}). Check the phone and the number's status with WhatsApp; the bot no longer reconnects until an administrator presses "Try again now" (Channels) or restarts it.`,
  outdated:
    'WhatsApp Web refuses this version of the library (DEPRECATED_VERSION): update whatsapp-web.js and restart the bot.',
  conflicts: (count: number) =>
    `Another WhatsApp Web session keeps taking this number (CONFLICT ${count} times): close WhatsApp Web on other computers and stop any other bot on this number, then press "Try again now" (Channels).`,
  down: (minutes: number, reason: string) =>
    `WhatsApp has been down for ${minutes} minutes (${reason}); the bot keeps retrying. If it lasts, check the server (Chromium) and the bot phone.`,
  startTimeout: (seconds: number) => `no QR code, session progress or ready within ${seconds} s`,
  browserClosed: 'Chromium closed unexpectedly',
  pageSilent: (error: string) => `WhatsApp Web stopped answering: ${error}`,
} as const;

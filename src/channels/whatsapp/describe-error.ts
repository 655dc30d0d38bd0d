// Errors as they may be logged and shown to staff: whole (Chromium explains why it did not start at the end of a
// long message), minus personal data (chat ids, phone numbers).

/** Long enough for puppeteer's "Failed to launch the browser process!" with Chromium's own lines. */
const MAX_LENGTH = 4000;

export function describeError(error: unknown): string {
  const raw =
    error instanceof Error ? `${error.name}: ${error.message}` : typeof error === 'string' ? error : 'unknown error';
  return raw
    .replace(/\S+@(?:c\.us|lid|g\.us|s\.whatsapp\.net|broadcast|newsletter)\b/g, '[chat]')
    .replace(/\+?\d[\d ]{5,}\d/g, '[number]')
    .slice(0, MAX_LENGTH);
}

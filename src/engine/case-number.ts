// Case numbers as people type them: the one parser, used by the engine (a typed case number), the referral service
// and the staff commands. Numbers are `K-` and 4 to 8 Crockford base32 characters (no I, L, O, U); the service issues
// 4 characters, and 5 or more once the short ones get crowded.
export const CASE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const CASE_PATTERN = /^K-[0-9A-HJKMNP-TV-Z]{4,8}$/;

export function isCaseNumber(value: string): boolean {
  return CASE_PATTERN.test(value);
}

/** Crockford's reading rules: people type o for 0, i or l for 1, and forget the dash or the capitals. */
function normaliseBody(body: string): string {
  return body.toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1').replace(/U/g, 'V');
}

/**
 * A case number written the way people type it ("K-7F3Q", "k-7f3q", "K 7F3Q", "k7f3q", "K-7F3QA"), or null. Without
 * a dash or a space after the K, a digit is required so that words such as "kayes" are not taken for a case number.
 */
export function parseCaseNumber(text: string): string | null {
  const match = /^\s*k(\s*[-–—]?\s*)([0-9a-z]{4,8})\s*$/i.exec(text);
  const body = match?.[2];
  if (!body) return null;
  if (!match[1] && !/[0-9]/.test(body)) return null;
  const candidate = `K-${normaliseBody(body)}`;
  return isCaseNumber(candidate) ? candidate : null;
}

/** The first case number inside a longer text ("/reply K-7F3Q ...", "ANNULER K-7F3Q"), or null. */
export function findCaseNumber(text: string): string | null {
  const match = /(?:^|[^0-9A-Za-z])k-([0-9a-z]{4,8})(?![0-9A-Za-z])/i.exec(text);
  if (!match?.[1]) return null;
  const candidate = `K-${normaliseBody(match[1])}`;
  return isCaseNumber(candidate) ? candidate : null;
}

/** "ANNULER K-7F3Q", "cancel k 7f3q", "a dabila K-7F3Q": the number of the case to withdraw, or null. */
export function cancelledCase(text: string): string | null {
  // A short command: a long text is never one (and the pattern stays cheap).
  if (text.length > 40) return null;
  const match = /^\s*(\D+?)\s+(k[\s\-–—]*[0-9a-z]{4,8})\s*$/i.exec(text);
  if (!match?.[1] || !match[2]) return null;
  const words = match[1]
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\p{L}]+/gu, ' ')
    .trim();
  return CANCEL_WORDS.includes(words) ? parseCaseNumber(match[2]) : null;
}

const CANCEL_WORDS = ['annuler', 'annule', 'cancel', 'withdraw', 'a dabila', 'ka dabila'];

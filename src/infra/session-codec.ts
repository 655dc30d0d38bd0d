// How a session is stored in Redis: "<rev>|<sealed JSON>" (sealed with the key name as context), so one GET and
// one small script do the work. "<rev>|" alone: no session, but a revision still in force (see chat-scripts.ts).
import type { Session } from '../engine/types.ts';
import { newSession } from '../engine/types.ts';
import type { PersonalDataCipher } from './crypto.ts';

export function encodeSession(cipher: PersonalDataCipher, key: string, session: Session, rev: number): string {
  return `${rev}|${cipher.seal(JSON.stringify(session), key)}`;
}

/** A stored value -> the session (null when none) and its revision (0 when nothing is stored). */
export function decodeSession(
  cipher: PersonalDataCipher,
  key: string,
  raw: string | null,
): { session: Session | null; rev: number } {
  if (!raw) return { session: null, rev: 0 };
  const rev = storedRevision(raw);
  const sealed = raw.slice(raw.indexOf('|') + 1);
  if (sealed === '') return { session: null, rev };
  try {
    return { session: JSON.parse(cipher.open(sealed, key)) as Session, rev };
  } catch {
    // Unreadable (key rotated away, corrupted): start again rather than fail the person.
    return { session: newSession(), rev };
  }
}

/** The revision of a stored value ("<rev>|..."), 0 when it has none. */
export function storedRevision(raw: string): number {
  return Number(raw.slice(0, raw.indexOf('|'))) || 0;
}

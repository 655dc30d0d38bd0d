// callback_data for inline buttons: `c:<version>:<choiceId>`, at most 64 bytes as Telegram requires.
// The version is the question version the keyboard was drawn for, so a press on an old keyboard is recognised
// as stale by the engine. Choice ids too long to fit are replaced by `h:<version>:<digest>`, and the digest is
// mapped back to the id through Redis (written before the keyboard is sent).
import { createHash } from 'node:crypto';

export const CALLBACK_DATA_MAX_BYTES = 64;

/** A version no question ever has: the engine treats it as a stale press and asks the current question again. */
export const UNKNOWN_VERSION = -1;

export type EncodedChoice = { data: string; long?: { digest: string; id: string } };

export type DecodedChoice =
  | { kind: 'choice'; id: string; version: number }
  | { kind: 'long'; digest: string; version: number }
  | { kind: 'unknown' };

export function encodeChoice(version: number, id: string): EncodedChoice {
  const data = `c:${version}:${id}`;
  if (Buffer.byteLength(data, 'utf8') <= CALLBACK_DATA_MAX_BYTES) return { data };
  const digest = digestOf(id);
  return { data: `h:${version}:${digest}`, long: { digest, id } };
}

export function decodeChoice(data: string): DecodedChoice {
  const match = /^([ch]):(\d{1,15}):(.+)$/s.exec(data);
  if (!match) return { kind: 'unknown' };
  const [, tag, version, rest] = match as unknown as [string, string, string, string];
  return tag === 'c'
    ? { kind: 'choice', id: rest, version: Number(version) }
    : { kind: 'long', digest: rest, version: Number(version) };
}

/** 24 base64url characters (144 bits): collisions between choice ids are not a practical concern. */
export function digestOf(id: string): string {
  return createHash('sha256').update(id).digest('base64url').slice(0, 24);
}

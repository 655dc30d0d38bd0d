// Case numbers people can read out and type: `K-` and Crockford base32 characters (no I, L, O, U), random,
// so they cannot be guessed from one another. Uniqueness is checked in Redis when the case is created.
// Parsing lives in the engine (one parser for everyone); it is re-exported here for the referral code.
import { randomInt } from 'node:crypto';
import { CASE_ALPHABET } from '../engine/case-number.ts';

export { CASE_ALPHABET, findCaseNumber, isCaseNumber, parseCaseNumber } from '../engine/case-number.ts';

export const CASE_NUMBER_LENGTH = 4;

export function newCaseNumber(length: number = CASE_NUMBER_LENGTH): string {
  let body = '';
  for (let i = 0; i < length; i++) body += CASE_ALPHABET[randomInt(CASE_ALPHABET.length)];
  return `K-${body}`;
}

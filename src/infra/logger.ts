// Structured logs (pino). Personal data never goes in: callers log ids, kinds and codes, never chat ids, names,
// phone numbers or what people wrote; a person is named in logs by `personRef` (a keyed hash that changes with
// every process, so logs can follow one conversation but never lead back to a phone number). Known personal
// fields are also redacted in case one slips in. Message text is only logged when LOG_MESSAGE_TEXT=true.
import { createHmac, randomBytes } from 'node:crypto';
import { type Logger, pino } from 'pino';
import { type ChatRef, chatKey } from '../ports/chat.ts';

export type { Logger };

/** Fields that hold message text: logged only with LOG_MESSAGE_TEXT=true. */
const TEXT_FIELDS = ['text', 'caption', 'body', 'query'];
/** Fields that hold personal data or platform ids: always redacted. */
const PERSONAL_FIELDS = [
  'message',
  'phone',
  'nickname',
  'name',
  'first_name',
  'last_name',
  'username',
  'description',
  'chat',
  'chatId',
  'chat_id',
  'from',
  'fields',
  'vars',
  'personal',
  'params',
  'update',
];

/** pino paths: each field at the top level and one or two levels down. */
function pathsFor(fields: readonly string[]): string[] {
  return fields.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);
}

export const REDACTED_FIELDS = pathsFor([...TEXT_FIELDS, ...PERSONAL_FIELDS]);

export function createLogger(
  options: { level?: string; logMessageText?: boolean; destination?: NodeJS.WritableStream } = {},
): Logger {
  const paths = pathsFor(options.logMessageText ? PERSONAL_FIELDS : [...TEXT_FIELDS, ...PERSONAL_FIELDS]);
  return pino(
    { level: options.level ?? 'info', redact: { paths, censor: '[redacted]' }, base: { app: 'kunnafoni' } },
    (options.destination ?? process.stderr) as pino.DestinationStream,
  );
}

/** A logger that drops everything (terminal chat, tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

const PROCESS_KEY = randomBytes(16);

/** Stands for a person in logs: the same within one process, unlinkable to their platform id. */
export function personRef(chat: ChatRef): string {
  return createHmac('sha256', PROCESS_KEY).update(chatKey(chat)).digest('base64url').slice(0, 10);
}

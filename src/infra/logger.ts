// Structured logs (pino). Personal data never goes in: callers log ids and codes, and known personal
// fields are redacted in case one slips in. Message text is only logged when LOG_MESSAGE_TEXT=true.
import { type Logger, pino } from 'pino';

export type { Logger };

export const REDACTED_FIELDS = [
  'text',
  'message',
  'phone',
  'nickname',
  'name',
  'description',
  'chatId',
  'fields',
  'vars',
  '*.text',
  '*.phone',
  '*.nickname',
  '*.description',
  '*.chatId',
  '*.fields',
  '*.vars',
];

export function createLogger(
  options: { level?: string; logMessageText?: boolean; destination?: NodeJS.WritableStream } = {},
): Logger {
  const paths = options.logMessageText ? REDACTED_FIELDS.filter((f) => !f.endsWith('text')) : REDACTED_FIELDS;
  return pino(
    { level: options.level ?? 'info', redact: { paths, censor: '[redacted]' }, base: { app: 'kunnafoni' } },
    (options.destination ?? process.stderr) as pino.DestinationStream,
  );
}

/** A logger that drops everything (terminal chat, tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

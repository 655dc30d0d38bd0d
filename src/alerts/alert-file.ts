// An alert file (YAML) written by staff: id, text per language (fr required), topics, regions (or all), optional
// languages, send time and expiry. Every problem is reported at once as `file:line:col path: message`.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import {
  type PathPart,
  parseYamlSource,
  problemAt,
  type SourceProblem,
  sortProblems,
  type YamlSource,
  zodProblems,
} from '../common/source-problems.ts';
import { LANGUAGES, type Lang } from '../engine/types.ts';

/** Telegram's limit for one message is 4096 characters. */
export const MAX_ALERT_LENGTH = 4096;

const ID_RULE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const TIME_RULE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** zod's message for a missing field says what to write instead of "expected string, received undefined". */
const missing = (what: string, otherwise: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `${what} is required` : otherwise;

const text = z
  .string({ error: missing('the French text (fr)', 'expected the text of the alert') })
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, 'the text is empty')
      .max(MAX_ALERT_LENGTH, `longer than ${MAX_ALERT_LENGTH} characters (Telegram's limit for one message)`),
  );

const time = z
  .string({ error: 'expected a date and time such as "2025-06-12 08:00" (Bamako time, GMT)' })
  .refine(
    (s) => parseAlertTime(s, 'start') !== null,
    'expected a date and time such as "2025-06-12 08:00" (Bamako time, GMT) or "2025-06-12T08:00:00Z"',
  );

export const AlertFileSchema = z
  .object({
    id: z
      .string({ error: missing('id', 'expected an id') })
      .regex(ID_RULE, 'an id is lowercase letters, digits and dashes, e.g. "border-closed-2025-06"'),
    topics: z
      .array(z.string(), { error: missing('topics', 'expected a list of alert topics') })
      .min(1, 'name at least one alert topic'),
    regions: z.custom<'all' | string[]>(
      (v) => v === 'all' || (Array.isArray(v) && v.length > 0 && v.every((r) => typeof r === 'string')),
      { error: missing('regions (a list, or: all)', 'expected "all" or a list of region ids') },
    ),
    languages: z.array(z.enum(LANGUAGES)).min(1).optional(),
    send_at: time.optional(),
    expires: time.optional(),
    text: z
      .object(
        { fr: text, en: text.optional(), bm: text.optional() },
        { error: missing('text (fr, and en and bm if you have them)', 'expected the text per language') },
      )
      .strict(),
  })
  .strict();

export type AlertFile = z.infer<typeof AlertFileSchema>;

/** A validated alert, as stored and broadcast. Times are epoch milliseconds. */
export type Alert = {
  id: string;
  topics: string[];
  regions: string[] | 'all';
  languages?: Lang[];
  sendAt?: number;
  expires?: number;
  text: { fr: string } & Partial<Record<Lang, string>>;
};

export type KnownAlertIds = { topics: ReadonlySet<string>; regions: ReadonlySet<string> };

export type AlertLoad = { alert: Alert | null; problems: SourceProblem[] };

/**
 * Reads "2025-06-12", "2025-06-12 08:00", "2025-06-12T08:00:00Z" or with an offset. Without an offset the time is
 * Bamako's (GMT, no daylight saving). A date alone is the start of that day, or its end for an expiry (`edge`).
 */
export function parseAlertTime(value: string, edge: 'start' | 'end'): number | null {
  const m = TIME_RULE.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, zone] = m;
  const dateOnly = h === undefined;
  const iso = `${y}-${mo}-${d}T${h ?? '00'}:${mi ?? '00'}:${s ?? '00'}${normaliseZone(zone)}`;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  // Reject dates that Date.parse silently rolls over (2025-02-30).
  if (new Date(at + zoneOffsetMs(zone)).getUTCDate() !== Number(d)) return null;
  return dateOnly && edge === 'end' ? at + 86_400_000 - 1 : at;
}

function normaliseZone(zone: string | undefined): string {
  if (!zone || zone === 'Z') return 'Z';
  return zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}

function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone === 'Z') return 0;
  const z = normaliseZone(zone);
  const sign = z.startsWith('-') ? -1 : 1;
  return sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(4, 6))) * 60_000;
}

/** Validates an alert file's text. `now` is used to refuse an alert that has already expired. */
export function parseAlertFile(file: string, source: string, known: KnownAlertIds, now: number): AlertLoad {
  const parsed = parseYamlSource(file, source);
  if (!parsed.source) return { alert: null, problems: parsed.problems };
  const yaml = parsed.source;
  const result = AlertFileSchema.safeParse(yaml.data);
  // Cross-checks run on whatever is readable, so a file with a schema error still gets every problem at once.
  const problems = crossCheck(yaml, isRecord(yaml.data) ? yaml.data : {}, known, now);
  if (!result.success) {
    return { alert: null, problems: sortProblems([...zodProblems(yaml, result.error), ...problems]) };
  }
  const data = result.data;
  if (problems.some((p) => p.severity === 'error')) return { alert: null, problems: sortProblems(problems) };
  const alert: Alert = {
    id: data.id,
    topics: [...new Set(data.topics)],
    regions: data.regions === 'all' ? 'all' : [...new Set(data.regions)],
    text: { fr: data.text.fr },
  };
  if (data.text.en) alert.text.en = data.text.en;
  if (data.text.bm) alert.text.bm = data.text.bm;
  if (data.languages) alert.languages = [...new Set(data.languages)];
  if (data.send_at) alert.sendAt = parseAlertTime(data.send_at, 'start')!;
  if (data.expires) alert.expires = parseAlertTime(data.expires, 'end')!;
  return { alert, problems: sortProblems(problems) };
}

/** Reads `file`; problems name it `shownAs` (the path as the person typed it). */
export async function loadAlertFile(
  file: string,
  known: KnownAlertIds,
  now: number,
  shownAs: string = file,
): Promise<AlertLoad> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    const problem = { file: shownAs, line: 1, col: 1, path: '', message: reason, severity: 'error' as const };
    return { alert: null, problems: [problem] };
  }
  return parseAlertFile(shownAs, source, known, now);
}

function crossCheck(
  yaml: YamlSource,
  data: Record<string, unknown>,
  known: KnownAlertIds,
  now: number,
): SourceProblem[] {
  const problems: SourceProblem[] = [];
  const at = (path: PathPart[], message: string, severity: 'error' | 'warning' = 'error') =>
    problems.push(problemAt(yaml, path, message, severity));
  strings(data.topics).forEach((topic, i) => {
    if (topic !== null && !known.topics.has(topic)) {
      at(['topics', i], `unknown alert topic "${topic}" (known: ${[...known.topics].join(', ')})`);
    }
  });
  strings(data.regions).forEach((region, i) => {
    if (region === 'all') at(['regions', i], 'write "regions: all" instead of listing "all"');
    else if (region !== null && !known.regions.has(region)) {
      at(['regions', i], `unknown region "${region}" (known: ${[...known.regions].join(', ')})`);
    }
  });
  const sendAt = typeof data.send_at === 'string' ? parseAlertTime(data.send_at, 'start') : null;
  const expires = typeof data.expires === 'string' ? parseAlertTime(data.expires, 'end') : null;
  if (expires !== null && expires <= now) at(['expires'], 'this alert has already expired');
  if (expires !== null && sendAt !== null && expires <= sendAt) at(['expires'], 'expires before it is sent (send_at)');
  const texts = isRecord(data.text) ? data.text : {};
  for (const lang of strings(data.languages)) {
    if (lang !== null && lang !== 'fr' && (LANGUAGES as readonly string[]).includes(lang) && !texts[lang]) {
      at(['languages'], `no "${lang}" text: people reading ${lang} will get the French text`, 'warning');
    }
  }
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The items of a list, each a string or null (not a string); an empty list when it is not a list. */
function strings(value: unknown): (string | null)[] {
  return Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : null)) : [];
}

// The alert compose form <-> AlertDraft, with the checks the console makes before a preview or a broadcast.
import type { Content } from '../content/schema.ts';
import type { AlertDraft, PerLang } from './services.ts';

export const ALERT_LANGS = ['fr', 'en', 'bm'] as const;
export const MAX_ALERT_TEXT = 3500;

/** What the form holds, as typed (for showing the form again). */
export type AlertForm = {
  text: Record<string, string>;
  topics: string[];
  regions: string[];
  /** `YYYY-MM-DDTHH:MM`, UTC (Mali's time), or empty for now. */
  sendAt: string;
  expiresAt: string;
};

export const EMPTY_FORM: AlertForm = { text: {}, topics: [], regions: ['all'], sendAt: '', expiresAt: '' };

function one(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return '';
}

function many(body: Record<string, unknown>, name: string): string[] {
  const v = body[name];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

export function formFromBody(body: Record<string, unknown>): AlertForm {
  const text: Record<string, string> = {};
  for (const lang of ALERT_LANGS) {
    text[lang] = one(body, `text_${lang}`).replace(/\r\n/g, '\n').trim();
  }
  return {
    text,
    topics: many(body, 'topics'),
    regions: many(body, 'regions'),
    sendAt: one(body, 'send_at').trim(),
    expiresAt: one(body, 'expires_at').trim(),
  };
}

/** `2026-01-15T09:00` read as UTC; NaN when malformed. */
function parseUtc(local: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(local)) return Number.NaN;
  return Date.parse(`${local}Z`);
}

export function toLocalInput(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16);
}

/** English problem texts (the page translates them). */
export type DraftResult = { ok: true; draft: AlertDraft } | { ok: false; problems: string[] };

export function draftFromForm(form: AlertForm, content: Content, now: number): DraftResult {
  const problems: string[] = [];
  if (!form.text.fr) problems.push('The French text is required: people whose language has no text get it.');
  if (ALERT_LANGS.some((lang) => (form.text[lang]?.length ?? 0) > MAX_ALERT_TEXT)) {
    problems.push('A text is too long (3500 characters at most).');
  }
  const topicIds = new Set(content.alertTopics.map((t) => t.id));
  const regionIds = new Set(content.regions.map((r) => r.id));
  if (form.topics.length === 0) problems.push('Choose at least one topic.');
  if (form.topics.some((t) => !topicIds.has(t))) problems.push('Unknown topic.');
  if (form.regions.length === 0) problems.push('Choose at least one region (or all).');
  if (form.regions.some((r) => r !== 'all' && !regionIds.has(r))) problems.push('Unknown region.');

  let sendAt: number | undefined;
  let expiresAt: number | undefined;
  if (form.sendAt) {
    sendAt = parseUtc(form.sendAt);
    if (Number.isNaN(sendAt)) problems.push('The sending time is not a date.');
    else if (sendAt < now - 60_000) problems.push('The sending time is in the past.');
  }
  if (form.expiresAt) {
    expiresAt = parseUtc(form.expiresAt);
    if (Number.isNaN(expiresAt)) problems.push('The expiry is not a date.');
    else if (expiresAt <= (sendAt ?? now)) problems.push('The expiry must come after the sending time.');
  }
  if (problems.length > 0) return { ok: false, problems };

  const perLang = (values: Record<string, string>): PerLang | undefined => {
    if (!values.fr) return undefined;
    const out: PerLang = { fr: values.fr };
    if (values.en) out.en = values.en;
    if (values.bm) out.bm = values.bm;
    return out;
  };
  const regions = form.regions.includes('all') ? ['all'] : [...new Set(form.regions)];
  const draft: AlertDraft = { text: perLang(form.text)!, topics: [...new Set(form.topics)], regions };
  if (sendAt !== undefined && sendAt > now) draft.sendAt = sendAt;
  if (expiresAt !== undefined) draft.expiresAt = expiresAt;
  return { ok: true, draft };
}

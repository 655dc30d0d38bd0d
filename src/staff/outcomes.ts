// A partner's figures over a period: cases received, time to the first claim and to closing (median and 90th
// percentile), and how cases ended. From case summaries only: no personal data.
import { OUTCOMES, type OutcomeT } from '../ports/staff-cases.ts';
import type { CaseSummary } from './services.ts';

export type Durations = { count: number; median: number | null; p90: number | null };

export type OutcomeFigures = {
  received: number;
  urgent: number;
  open: number;
  closed: number;
  toClaim: Durations;
  toClose: Durations;
  outcomes: Record<OutcomeT, number>;
};

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

function durations(values: number[]): Durations {
  const sorted = values.filter((v) => v >= 0).sort((a, b) => a - b);
  return { count: sorted.length, median: percentile(sorted, 50), p90: percentile(sorted, 90) };
}

export function outcomeFigures(cases: readonly CaseSummary[]): OutcomeFigures {
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<OutcomeT, number>;
  for (const c of cases) if (c.status === 'closed' && c.outcome) outcomes[c.outcome]++;
  return {
    received: cases.length,
    urgent: cases.filter((c) => c.urgent).length,
    open: cases.filter((c) => c.status !== 'closed').length,
    closed: cases.filter((c) => c.status === 'closed').length,
    toClaim: durations(
      cases.flatMap((c) => {
        const at = c.firstClaimedAt ?? c.claimedAt;
        return at ? [at - c.createdAt] : [];
      }),
    ),
    toClose: durations(cases.flatMap((c) => (c.closedAt ? [c.closedAt - c.createdAt] : []))),
    outcomes,
  };
}

const CSV_COLUMNS = [
  'case',
  'need',
  'region',
  'language',
  'channel',
  'status',
  'urgent',
  'created',
  'first_claimed',
  'closed',
  'outcome',
] as const;

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : '');

/** Cases as CSV without personal data: ids, dates and outcomes only (RFC 4180 quoting). */
export function casesCsv(cases: readonly CaseSummary[]): string {
  const cell = (v: string) => (/[",\r\n]/.test(v) || /^[=+\-@]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = cases.map((c) =>
    [
      c.no,
      c.need,
      c.region,
      c.lang,
      c.channel,
      c.status,
      c.urgent ? 'yes' : 'no',
      iso(c.createdAt),
      iso(c.firstClaimedAt ?? c.claimedAt),
      iso(c.closedAt),
      c.outcome ?? '',
    ]
      .map(cell)
      .join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

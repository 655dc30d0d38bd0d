// Scores the distress matcher against test/fixtures/care-eval.jsonl: how many distress messages it catches
// (recall), whether it names the right kind, and how many ordinary rights questions it mistakes for distress.
import type { DistressCategory, Lang } from '../engine/types.ts';
import type { DistressMatcher } from './distress.ts';

export type CareCase = { q: string; lang: Lang | null; expect: DistressCategory | null };

export type CareReport = {
  distress: number;
  ordinary: number;
  /** Distress messages recognised as distress (any kind). */
  recall: number;
  /** Distress messages recognised with the expected kind. */
  categoryRight: number;
  /** Ordinary questions taken for distress. */
  falseAlarms: number;
  missed: CareCase[];
  wrongKind: { q: string; expect: DistressCategory; got: DistressCategory }[];
  alarms: { q: string; got: DistressCategory }[];
  perLang: Record<string, { distress: number; caught: number }>;
};

export function parseCareCases(text: string): CareCase[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CareCase);
}

export function evaluateCare(cases: readonly CareCase[], match: DistressMatcher): CareReport {
  const distress = cases.filter((c) => c.expect !== null);
  const ordinary = cases.filter((c) => c.expect === null);
  const missed: CareCase[] = [];
  const wrongKind: CareReport['wrongKind'] = [];
  const alarms: CareReport['alarms'] = [];
  const perLang: CareReport['perLang'] = {};
  let right = 0;
  for (const c of distress) {
    const lang = c.lang ?? '?';
    const entry = perLang[lang] ?? { distress: 0, caught: 0 };
    perLang[lang] = entry;
    entry.distress += 1;
    const got = match(c.q, c.lang);
    if (got === null) {
      missed.push(c);
      continue;
    }
    entry.caught += 1;
    if (got.category === c.expect) right += 1;
    else wrongKind.push({ q: c.q, expect: c.expect!, got: got.category });
  }
  for (const c of ordinary) {
    const got = match(c.q, c.lang);
    if (got !== null) alarms.push({ q: c.q, got: got.category });
  }
  const rate = (n: number, d: number) => (d === 0 ? 0 : n / d);
  return {
    distress: distress.length,
    ordinary: ordinary.length,
    recall: rate(distress.length - missed.length, distress.length),
    categoryRight: rate(right, distress.length),
    falseAlarms: rate(alarms.length, ordinary.length),
    missed,
    wrongKind,
    alarms,
    perLang,
  };
}

export function formatCareReport(r: CareReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `${r.distress} distress messages and ${r.ordinary} ordinary questions`,
    `recall (distress recognised)        ${pct(r.recall)}   goal >= 95%`,
    `right kind of distress               ${pct(r.categoryRight)}`,
    `false alarms on ordinary questions   ${pct(r.falseAlarms)}   goal <= 5%`,
    ...Object.entries(r.perLang).map(
      ([lang, e]) => `  ${lang}: ${e.caught}/${e.distress} distress messages recognised`,
    ),
  ];
  if (r.missed.length > 0) lines.push('missed:', ...r.missed.map((m) => `  [${m.expect}] ${m.q}`));
  if (r.alarms.length > 0) lines.push('false alarms:', ...r.alarms.map((a) => `  [${a.got}] ${a.q}`));
  if (r.wrongKind.length > 0)
    lines.push('other kind:', ...r.wrongKind.map((w) => `  expected ${w.expect}, got ${w.got}: ${w.q}`));
  return lines.join('\n');
}

// From raw BM25 scores to what the bot does. Each FAQ gets a score in 0..1 from two things: how strongly the
// matched words point to it (BM25, saturated) and how much of the question they cover (a question about
// the weather in Bamako matches "Bamako" strongly, but only a third of it). The bot answers only when the
// best FAQ scores high enough and clearly ahead of the next one; a low best score means "off topic".
import type { FaqSearchResult } from '../../engine/types.ts';

export type Calibration = {
  /** BM25 strength at which the strength part reaches 1 - 1/e (about 0.63). */
  scale: number;
  /** Weight of coverage: score = strength * coverage^coverageExponent. */
  coverageExponent: number;
  /** Smallest score of the best FAQ for the bot to answer with it. */
  matchAt: number;
  /** Largest ratio second/best score for the bot to answer (a clear lead). */
  maxRatio: number;
  /** Below this score of the best FAQ, the question is treated as unrelated. */
  offTopicBelow: number;
};

// Chosen by a grid search on one half of test/fixtures/faq-eval.jsonl (even lines) and checked on the other
// half, favouring "no answer" over a wrong one (objective: right answers - 3 x wrong answers).
export const DEFAULT_CALIBRATION: Calibration = {
  scale: 40,
  coverageExponent: 0.5,
  matchAt: 0.2,
  maxRatio: 0.85,
  offTopicBelow: 0.15,
};

/** `raw`: BM25 sum times typed terms matched; `matched`: typed terms matched; `coverage`: their share. */
export type Hit = {
  id: string;
  raw: number;
  matched: number;
  coverage: number;
  /** Whether a matched word is specific to few FAQs (false: only generic words matched). */
  specific: boolean;
};

export function scoreOf(hit: Hit, c: Calibration): number {
  const strength = 1 - Math.exp(-hit.raw / Math.max(hit.matched, 1) / c.scale);
  return strength * hit.coverage ** c.coverageExponent;
}

export function judge(hits: readonly Hit[], c: Calibration): FaqSearchResult {
  const ranked = hits
    .map((h) => ({ id: h.id, score: scoreOf(h, c), raw: h.raw, specific: h.specific }))
    .sort((a, b) => b.score - a.score || b.raw - a.raw);
  const best = ranked[0];
  const results = ranked.map((r) => ({ id: r.id, score: Math.round(r.score * 1000) / 1000 }));
  if (!best || best.score < c.offTopicBelow) return { match: null, results, offTopic: true };
  const second = ranked[1]?.score ?? 0;
  const match = best.specific && best.score >= c.matchAt && second <= best.score * c.maxRatio ? best.id : null;
  return { match, results, offTopic: false };
}

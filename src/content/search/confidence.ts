// From raw BM25 scores to what the bot does: a score in 0..1 per FAQ, a match only when the best FAQ is
// both strong enough and clearly ahead of the next one, and "off topic" when even the best is weak.
import type { FaqSearchResult } from '../../engine/types.ts';

export type Calibration = {
  /** Raw score at which the 0..1 score reaches 1 - 1/e (about 0.63). */
  scale: number;
  /** Smallest 0..1 score of the best FAQ for the bot to answer with it. */
  matchAt: number;
  /** Largest ratio second/best raw score for the bot to answer (a clear lead). */
  maxRatio: number;
  /** Below this 0..1 score of the best FAQ, the question is treated as unrelated. */
  offTopicBelow: number;
};

export const DEFAULT_CALIBRATION: Calibration = { scale: 12, matchAt: 0.5, maxRatio: 0.8, offTopicBelow: 0.25 };

/** `raw`: MiniSearch's score; `matched`: query terms it matched; `coverage`: share of the typed terms matched. */
export type Hit = { id: string; raw: number; matched: number; coverage: number };
export type QuestionStats = { terms: number; known: number };

export function judge(hits: readonly Hit[], _question: QuestionStats, c: Calibration): FaqSearchResult {
  const results = hits.map((h) => ({ id: h.id, score: round(1 - Math.exp(-h.raw / c.scale)) }));
  const best = hits[0];
  if (!best || results[0]!.score < c.offTopicBelow) return { match: null, results, offTopic: true };
  const second = hits[1]?.raw ?? 0;
  const clear = second / best.raw <= c.maxRatio;
  const match = results[0]!.score >= c.matchAt && clear ? best.id : null;
  return { match, results, offTopic: false };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

import { countAt, fBeta, pointScores, precisionRecall } from './point-metrics.ts';

export const ORACLE_PROTOCOL = 'threshold chosen on test labels (optimistic upper bound)';

export interface OracleSweep {
  /** Best F-beta and where it was reached; null when no threshold qualifies. */
  best: { fBeta: number; f1: number; precision: number; recall: number; threshold: number } | null;
  /** The kept thresholds (ascending) and the point metrics at each. */
  curves: { threshold: number[]; precision: number[]; recall: number[]; f: number[] };
  notes: string[];
}

/**
 * The reference's sweep (section 6): `steps` thresholds spaced logarithmically from 1 to
 * max(score), flagging `score > threshold`; thresholds where precision or recall is 0 are
 * dropped; the best F-beta wins (the first one on ties, i.e. the lowest threshold).
 */
export function oracleSweep(scores: Float32Array, labels: Uint8Array, from: number, beta = 1, steps = 1000): OracleSweep {
  const curves = { threshold: [] as number[], precision: [] as number[], recall: [] as number[], f: [] as number[] };
  const notes: string[] = [];
  let max = 0;
  for (let t = from; t < scores.length; t++) if (scores[t]! > max) max = scores[t]!;
  let positives = 0;
  for (let t = from; t < labels.length; t++) positives += labels[t]!;
  if (scores.length <= from) notes.push('no scored rows: the oracle sweep is undefined');
  else if (positives === 0) notes.push('no anomalous rows in the test labels: precision/recall are undefined');
  else if (max <= 1) notes.push(`max score ${max.toPrecision(4)} <= 1: the reference's threshold range [1, max] is empty`);
  let best: OracleSweep['best'] = null;
  if (positives > 0 && max > 1) {
    const logMax = Math.log10(max);
    for (let i = 0; i < steps; i++) {
      const threshold = 10 ** ((logMax * i) / (steps - 1));
      const counts = countAt(scores, labels, threshold, from);
      const { precision, recall } = precisionRecall(counts);
      if (precision === 0 || recall === 0) continue;
      const f = fBeta(precision, recall, beta);
      curves.threshold.push(threshold);
      curves.precision.push(precision);
      curves.recall.push(recall);
      curves.f.push(f);
      if (!best || f > best.fBeta) best = { fBeta: f, f1: pointScores(counts, 1).f!, precision, recall, threshold };
    }
    if (!best) notes.push('no threshold in [1, max score] gives non-zero precision and recall');
  }
  return { best, curves, notes };
}

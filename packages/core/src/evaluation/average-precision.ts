import { rankGroups, rankingDegeneracy, type RankingMetric } from './ranking.ts';

/**
 * AUC-PR as average precision, step-wise like scikit-learn's `average_precision_score`:
 * AP = sum_k (R_k - R_{k-1}) P_k over the distinct score thresholds k (highest first),
 * flagging `score >= threshold`. No interpolation (the trapezoid over PR points is
 * optimistic). Rows before `from` are not scored and left out.
 */
export function averagePrecision(scores: Float32Array, labels: Uint8Array, from = 0): RankingMetric {
  const groups = rankGroups(scores, labels, from);
  const note = rankingDegeneracy(groups, false);
  if (note) return { value: null, note: `AUC-PR undefined: ${note}` };
  let tp = 0, fp = 0, ap = 0;
  for (let k = 0; k < groups.positives.length; k++) {
    const gained = groups.positives[k]!;
    tp += gained;
    fp += groups.negatives[k]!;
    if (gained > 0) ap += (gained / groups.totalPositives) * (tp / (tp + fp));
  }
  // The sum of many rounded terms can land a hair above 1 (1.000000000000002 when every
  // row is anomalous); AP is a probability-weighted mean, so clamp it to [0, 1].
  return { value: Math.min(1, Math.max(0, ap)) };
}

import { rankGroups, rankingDegeneracy, type RankingMetric } from './ranking.ts';

/**
 * Area under the ROC curve by the trapezoid rule over the distinct score thresholds, so a
 * tie between a positive and a negative counts 1/2 (the Mann-Whitney U statistic over
 * positives x negatives), as scikit-learn's `roc_auc_score`.
 */
export function rocAuc(scores: Float32Array, labels: Uint8Array, from = 0): RankingMetric {
  const groups = rankGroups(scores, labels, from);
  const note = rankingDegeneracy(groups, true);
  if (note) return { value: null, note: `AUC-ROC undefined: ${note}` };
  let tp = 0, area = 0;
  for (let k = 0; k < groups.positives.length; k++) {
    const p = groups.positives[k]!;
    // Each negative in this group sees the positives above it fully, those tied with it half.
    area += groups.negatives[k]! * (tp + p / 2);
    tp += p;
  }
  // Fraction of (positive, negative) pairs with the positive ranked above (ties: 1/2).
  return { value: area / (groups.totalPositives * groups.totalNegatives) };
}

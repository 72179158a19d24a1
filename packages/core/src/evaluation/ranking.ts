/**
 * Shared preparation for threshold-free metrics: the scored rows sorted by descending
 * score, grouped into runs of equal scores (ties must move together: a threshold cannot
 * separate them).
 */
export interface RankedGroups {
  /** Positives and negatives per distinct score, highest score first. */
  positives: number[];
  negatives: number[];
  totalPositives: number;
  totalNegatives: number;
}

export function rankGroups(scores: Float32Array, labels: Uint8Array, from: number): RankedGroups {
  const n = Math.max(scores.length - from, 0);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = from + i;
  order.sort((a, b) => scores[b]! - scores[a]!);
  const positives: number[] = [];
  const negatives: number[] = [];
  let totalPositives = 0;
  for (let i = 0; i < n; i++) {
    const t = order[i]!;
    if (i === 0 || scores[t] !== scores[order[i - 1]!]) {
      positives.push(0);
      negatives.push(0);
    }
    if (labels[t]) {
      positives[positives.length - 1]!++;
      totalPositives++;
    } else negatives[negatives.length - 1]!++;
  }
  return { positives, negatives, totalPositives, totalNegatives: n - totalPositives };
}

/** A threshold-free metric's value, or null with the reason. */
export interface RankingMetric {
  value: number | null;
  note?: string;
}

/** The degenerate cases shared by AUC-PR and AUC-ROC; undefined when the metric is defined. */
export function rankingDegeneracy(groups: RankedGroups, needNegatives: boolean): string | undefined {
  if (groups.totalPositives + groups.totalNegatives === 0) return 'no scored rows';
  if (groups.totalPositives === 0) return 'no anomalous rows in the labels';
  if (needNegatives && groups.totalNegatives === 0) return 'every scored row is anomalous';
  if (groups.positives.length === 1) return 'all scores are equal: the ranking carries no information';
  return undefined;
}

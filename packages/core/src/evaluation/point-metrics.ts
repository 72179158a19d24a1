export interface PointCounts {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** Point-wise confusion counts of `score > threshold` against labels, from row `from`. */
export function countAt(scores: Float32Array, labels: Uint8Array, threshold: number, from = 0): PointCounts {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (let t = from; t < scores.length; t++) {
    const flagged = scores[t]! > threshold;
    if (labels[t]) flagged ? tp++ : fn++;
    else flagged ? fp++ : tn++;
  }
  return { tp, fp, fn, tn };
}

/** Precision and recall, 0 where undefined (the reference's sweep convention). */
export function precisionRecall({ tp, fp, fn }: PointCounts): { precision: number; recall: number } {
  return { precision: tp + fp > 0 ? tp / (tp + fp) : 0, recall: tp + fn > 0 ? tp / (tp + fn) : 0 };
}

export function fBeta(precision: number, recall: number, beta: number): number {
  const b2 = beta * beta;
  const denominator = b2 * precision + recall;
  return denominator > 0 ? ((1 + b2) * precision * recall) / denominator : 0;
}

/** Precision, recall and F-beta with null where a metric is undefined (never NaN). */
export interface PointScores {
  precision: number | null;
  recall: number | null;
  f: number | null;
}

/**
 * Point metrics for reporting: precision is null when nothing is flagged, recall when
 * there are no positives. F-beta is computed from counts,
 * (1+b^2) tp / ((1+b^2) tp + b^2 fn + fp), which is defined (0) when tp = 0 but something
 * is flagged or missed; null only when there is neither.
 */
export function pointScores({ tp, fp, fn }: PointCounts, beta = 1): PointScores {
  const b2 = beta * beta;
  const denominator = (1 + b2) * tp + b2 * fn + fp;
  return {
    precision: tp + fp > 0 ? tp / (tp + fp) : null,
    recall: tp + fn > 0 ? tp / (tp + fn) : null,
    f: denominator > 0 ? ((1 + b2) * tp) / denominator : null,
  };
}

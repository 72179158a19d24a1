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

export function precisionRecall({ tp, fp, fn }: PointCounts): { precision: number; recall: number } {
  return { precision: tp + fp > 0 ? tp / (tp + fp) : 0, recall: tp + fn > 0 ? tp / (tp + fn) : 0 };
}

export function fBeta(precision: number, recall: number, beta: number): number {
  const b2 = beta * beta;
  const denominator = b2 * precision + recall;
  return denominator > 0 ? ((1 + b2) * precision * recall) / denominator : 0;
}

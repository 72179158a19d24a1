import { binaryRanges } from './ranges.ts';

/**
 * PA%K of Kim et al. (AAAI 2022), as their `tadpak.pak`: a labelled range whose share of
 * flagged rows is strictly above K% is flagged entirely. K = 0 is the classic point
 * adjustment (one flagged row is enough); K = 100 leaves the flags unchanged.
 */
export function adjustPaK(labels: ArrayLike<number>, flags: ArrayLike<number>, k: number): Uint8Array {
  const adjusted = Uint8Array.from(flags, (f) => (f > 0 ? 1 : 0));
  for (const { start, end } of binaryRanges(labels)) {
    let flagged = 0;
    for (let t = start; t <= end; t++) flagged += adjusted[t]!;
    if (flagged > (k / 100) * (end - start + 1)) adjusted.fill(1, start, end + 1);
  }
  return adjusted;
}

/** Point-wise F1 of flags against labels (0 when nothing is flagged or nothing is labelled, as scikit-learn's f1_score). */
export function pointF1(labels: ArrayLike<number>, flags: ArrayLike<number>): number {
  let tp = 0, fp = 0, fn = 0;
  for (let t = 0; t < labels.length; t++) {
    const l = labels[t]! > 0, f = flags[t]! > 0;
    if (l && f) tp++;
    else if (f) fp++;
    else if (l) fn++;
  }
  const denominator = 2 * tp + fp + fn;
  return denominator > 0 ? (2 * tp) / denominator : 0;
}

export interface PaKResult {
  /** F1 after PA%K for each requested K. */
  f1: Record<number, number>;
  /** Area under F1_PA%K over K = 0, 1, ..., 100 (trapezoid, K scaled to [0, 1]). */
  auc: number;
}

/**
 * F1_PA%K at the given Ks and the area under the F1_PA%K curve over K = 0..100. Computed
 * from per-range counts (adjustment only changes rows inside labelled ranges), which equals
 * `pointF1(labels, adjustPaK(labels, flags, k))` for every K without rebuilding the flags.
 */
export function paKScores(labels: ArrayLike<number>, flags: ArrayLike<number>, ks: number[] = [0, 20, 50, 100]): PaKResult {
  const ranges = binaryRanges(labels).map(({ start, end }) => {
    let flagged = 0;
    for (let t = start; t <= end; t++) flagged += flags[t]! > 0 ? 1 : 0;
    return { length: end - start + 1, flagged };
  });
  let positives = 0, flaggedOutside = 0;
  for (let t = 0; t < labels.length; t++) {
    if (labels[t]! > 0) positives++;
    else if (flags[t]! > 0) flaggedOutside++;
  }
  const f1At = (k: number) => {
    let tp = 0;
    for (const r of ranges) tp += r.flagged > (k / 100) * r.length ? r.length : r.flagged;
    const denominator = 2 * tp + flaggedOutside + (positives - tp);
    return denominator > 0 ? (2 * tp) / denominator : 0;
  };
  const curve: number[] = [];
  for (let k = 0; k <= 100; k++) curve.push(f1At(k));
  let auc = 0;
  for (let k = 1; k <= 100; k++) auc += (curve[k - 1]! + curve[k]!) / 2 / 100;
  const f1: Record<number, number> = {};
  for (const k of ks) f1[k] = Number.isInteger(k) && k >= 0 && k <= 100 ? curve[k]! : f1At(k);
  return { f1, auc };
}

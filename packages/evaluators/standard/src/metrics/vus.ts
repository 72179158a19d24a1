import { binaryRanges, type InclusiveRange } from './ranges.ts';

/**
 * Range-AUC and the volume under the surface (VUS) of Paparrizos et al. (VLDB 2022),
 * computed as TSB-AD's `basic_metricor.RangeAUC_volume_opt` (TheDatumOrg/TSB-AD,
 * TSB_AD/evaluation/basic_metrics.py), including its quirks:
 * - thresholds are `sorted_desc[int(linspace(0, n-1, T))]` (T = 250), flagging `score >= thr`,
 *   so ties at a threshold are all flagged;
 * - labels get a buffer of `floor(w/2)` rows on each side with weight `sqrt(1 - d/w)` at
 *   distance d (overlapping buffers add up, capped at 1); the labelled rows keep weight 1;
 * - TP = flagged labelled rows + the weights of flagged buffer rows; P' = (P + P + that
 *   weight) / 2; recall = min(TP / P', 1) times the share of (buffer-merged) ranges with a
 *   flagged row; FPR = (flagged - TP) / (n - P'); precision = TP / flagged;
 * - ROC: trapezoid over (0,0), the T points, (1,1); PR: sum of (TPR_k - TPR_{k-1}) * precision_k.
 * The reference loops over every row for every threshold and window (O(n T w)); here the
 * flagged counts come from the sorted scores and the buffer weights from per-window sorted
 * prefix sums, O(n log n + w (B log B + T)) with B the buffer rows.
 */

export interface RangeAucAtWindow {
  window: number;
  /** Range-AUC-ROC at this buffer window. */
  rangeAucRoc: number;
  /** Range-AUC-PR at this buffer window. */
  rangeAucPr: number;
}

export interface VusResult {
  /** Mean of the range-AUC-ROC over windows 0..maxWindow. */
  vusRoc: number;
  /** Mean of the range-AUC-PR over windows 0..maxWindow. */
  vusPr: number;
  perWindow: RangeAucAtWindow[];
}

/** Why VUS is undefined for these labels, or undefined when it is defined. */
export function vusDegeneracy(labels: ArrayLike<number>): string | undefined {
  if (labels.length === 0) return 'no scored rows';
  let positives = 0;
  for (let t = 0; t < labels.length; t++) positives += labels[t]! > 0 ? 1 : 0;
  if (positives === 0) return 'no anomalous rows in the labels';
  if (positives === labels.length) return 'every row is anomalous';
  return undefined;
}

/** numpy's `np.linspace(0, n - 1, T).astype(int)`: the sorted-score positions of the thresholds. */
export function thresholdPositions(n: number, T: number): Int32Array {
  const positions = new Int32Array(T);
  const step = (n - 1) / (T - 1);
  for (let k = 0; k < T; k++) positions[k] = Math.trunc(k * step);
  positions[T - 1] = n - 1; // numpy sets the endpoint exactly
  return positions;
}

/** Count of `values` (sorted descending) that are >= each threshold (thresholds non-increasing). */
function countsAtLeast(sortedDesc: Float64Array, thresholds: Float64Array): Int32Array {
  const out = new Int32Array(thresholds.length);
  let i = 0;
  for (let k = 0; k < thresholds.length; k++) {
    while (i < sortedDesc.length && sortedDesc[i]! >= thresholds[k]!) i++;
    out[k] = i;
  }
  return out;
}

function sortDescending(values: Float64Array): Float64Array {
  return values.sort().reverse();
}

/** TSB-AD's `new_sequence`: the labelled ranges widened by floor(w/2), merged where they meet. */
function widenedSegments(seq: InclusiveRange[], half: number, n: number): InclusiveRange[] {
  const out: InclusiveRange[] = [];
  let a = Math.max(seq[0]!.start - half, 0);
  for (let i = 0; i < seq.length - 1; i++) {
    if (seq[i]!.end + half < seq[i + 1]!.start - half) {
      out.push({ start: a, end: seq[i]!.end + half });
      a = seq[i + 1]!.start - half;
    }
  }
  out.push({ start: a, end: Math.min(seq[seq.length - 1]!.end + half, n - 1) });
  return out;
}

interface Prepared {
  scores: ArrayLike<number>;
  labels: ArrayLike<number>;
  n: number;
  P: number;
  seq: InclusiveRange[];
  thresholds: Float64Array;
  /** Rows with score >= each threshold, and labelled rows among them. */
  flagged: Int32Array;
  flaggedAnomalies: Int32Array;
  /** Scratch: buffer weights of the current window (0 elsewhere). */
  weight: Float64Array;
}

function prepare(scores: ArrayLike<number>, labels: ArrayLike<number>, thresholdCount: number): Prepared {
  const degenerate = vusDegeneracy(labels);
  if (degenerate) throw new RangeError(`VUS undefined: ${degenerate}`);
  if (scores.length !== labels.length) throw new RangeError(`scores (${scores.length}) and labels (${labels.length}) differ in length`);
  if (!(Number.isInteger(thresholdCount) && thresholdCount >= 2)) throw new RangeError(`thresholds must be an integer >= 2, got ${thresholdCount}`);
  const n = scores.length;
  const T = thresholdCount;
  let P = 0;
  for (let t = 0; t < n; t++) if (labels[t]! > 0) P++;
  const sorted = sortDescending(Float64Array.from(scores));
  const positions = thresholdPositions(n, T);
  const thresholds = new Float64Array(T);
  for (let k = 0; k < T; k++) thresholds[k] = sorted[positions[k]!]!;
  const anomalyScores = new Float64Array(P);
  for (let t = 0, j = 0; t < n; t++) if (labels[t]! > 0) anomalyScores[j++] = scores[t]!;
  return {
    scores,
    labels,
    n,
    P,
    seq: binaryRanges(labels),
    thresholds,
    flagged: countsAtLeast(sorted, thresholds),
    flaggedAnomalies: countsAtLeast(sortDescending(anomalyScores), thresholds),
    weight: new Float64Array(n),
  };
}

function atWindow(prep: Prepared, w: number): RangeAucAtWindow {
  const { scores, labels, n, P, seq, thresholds, flagged, flaggedAnomalies, weight } = prep;
  const T = thresholds.length;
  const half = Math.floor(w / 2);
  // Buffer weights, in the reference's order (per range: after the end, then before the start).
  const touched: number[] = [];
  const add = (x: number, value: number) => {
    if (labels[x]! > 0) return; // labelled rows weigh 1 whatever the buffers add
    if (weight[x] === 0) touched.push(x);
    weight[x] = weight[x]! + value;
  };
  for (const { start: s, end: e } of seq) {
    for (let x = e + 1; x < Math.min(e + half + 1, n); x++) add(x, Math.sqrt(1 - (x - e) / w));
    for (let x = Math.max(s - half, 0); x < s; x++) add(x, Math.sqrt(1 - (s - x) / w));
  }
  const buffer = touched.map((x) => ({ score: scores[x]!, weight: Math.min(1, weight[x]!) })).sort((p, q) => q.score - p.score);
  for (const x of touched) weight[x] = 0;

  // A (buffer-merged) range exists at a threshold when its highest score is flagged.
  const segments = widenedSegments(seq, half, n);
  const segmentMax = new Float64Array(segments.length);
  segments.forEach(({ start, end }, i) => {
    let max = -Infinity;
    for (let x = start; x <= end; x++) if (scores[x]! > max) max = scores[x]!;
    segmentMax[i] = max;
  });
  const existing = countsAtLeast(sortDescending(segmentMax), thresholds);

  const tpr = new Float64Array(T + 2);
  const fpr = new Float64Array(T + 2);
  const precision = new Float64Array(T + 1);
  precision[0] = 1;
  let b = 0;
  let bufferWeight = 0;
  for (let k = 0; k < T; k++) {
    const thr = thresholds[k]!;
    while (b < buffer.length && buffer[b]!.score >= thr) bufferWeight += buffer[b++]!.weight;
    const tp = flaggedAnomalies[k]! + bufferWeight;
    const labelledWeight = P + bufferWeight;
    const pNew = (P + labelledWeight) / 2;
    const recall = Math.min(tp / pNew, 1);
    tpr[k + 1] = recall * (existing[k]! / segments.length);
    fpr[k + 1] = (flagged[k]! - tp) / (n - pNew);
    precision[k + 1] = tp / flagged[k]!;
  }
  tpr[T + 1] = 1; // the reference closes the ROC curve at (1, 1)
  fpr[T + 1] = 1;
  let roc = 0;
  for (let m = 0; m <= T; m++) roc += (fpr[m + 1]! - fpr[m]!) * ((tpr[m + 1]! + tpr[m]!) / 2);
  let pr = 0;
  for (let m = 1; m <= T; m++) pr += (tpr[m]! - tpr[m - 1]!) * precision[m]!;
  return { window: w, rangeAucRoc: roc, rangeAucPr: pr };
}

function checkWindow(window: number): void {
  if (!(Number.isInteger(window) && window >= 0)) throw new RangeError(`window must be an integer >= 0, got ${window}`);
}

/**
 * Range-AUC-ROC/PR at every window 0..maxWindow and their means (VUS). Throws on degenerate
 * labels (check `vusDegeneracy` first). Scores must be finite.
 */
export function rangeAucVolume(scores: ArrayLike<number>, labels: ArrayLike<number>, maxWindow: number, thresholdCount = 250): VusResult {
  checkWindow(maxWindow);
  const prep = prepare(scores, labels, thresholdCount);
  const perWindow: RangeAucAtWindow[] = [];
  for (let w = 0; w <= maxWindow; w++) perWindow.push(atWindow(prep, w));
  const mean = (key: 'rangeAucRoc' | 'rangeAucPr') => perWindow.reduce((sum, p) => sum + p[key], 0) / perWindow.length;
  return { vusRoc: mean('rangeAucRoc'), vusPr: mean('rangeAucPr'), perWindow };
}

/**
 * Range-AUC-ROC/PR at one buffer window: the slice of the volume at that window (the
 * quantity VUS averages). TSB-AD's standalone `RangeAUC` is not used: it divides by zero
 * for windows >= 4 (its `range_convers_new` finds no ranges in the buffered float labels).
 */
export function rangeAucAt(scores: ArrayLike<number>, labels: ArrayLike<number>, window: number, thresholdCount = 250): RangeAucAtWindow {
  checkWindow(window);
  return atWindow(prepare(scores, labels, thresholdCount), window);
}

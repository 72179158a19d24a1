import { binaryRanges, type InclusiveRange } from './ranges.ts';

/**
 * Range-based precision and recall of Tatbul et al. (NeurIPS 2018), computed as the prts
 * package (CompML/PRTS, `ts_precision` / `ts_recall`) that TimeEval wraps:
 *   Recall_i = alpha * Existence_i + (1 - alpha) * gamma(overlaps_i) * sum_j omega(R_i, R_i ∩ P_j)
 * averaged over real ranges R_i; precision swaps the roles (predicted ranges P_j against
 * the real ones). omega is the share of the range's positional-bias weight that the
 * overlap covers; gamma is 1 for one overlap, 1/k (reciprocal) or 1 (one) for k overlaps.
 * Ranges are runs of 1s, both ends inclusive.
 */

export type Cardinality = 'one' | 'reciprocal';
export type PositionalBias = 'flat' | 'front' | 'middle' | 'back';

export interface RangeScoreOptions {
  /** Weight of the existence reward, 0..1. */
  alpha: number;
  cardinality: Cardinality;
  bias: PositionalBias;
}

/** TimeEval's defaults (RangePrecision / RangeRecall): alpha 0, reciprocal cardinality, flat bias. */
export const RANGE_DEFAULTS: RangeScoreOptions = { alpha: 0, cardinality: 'reciprocal', bias: 'flat' };

/** prts' `_delta_select`: weight of position t (1-based) in a range of `length`. */
export function positionalBias(bias: PositionalBias, t: number, length: number): number {
  switch (bias) {
    case 'flat':
      return 1;
    case 'front':
      return length - t + 1;
    case 'middle':
      return t <= length / 2 ? t : length - t + 1;
    case 'back':
      return t;
  }
}

function gamma(cardinality: Cardinality, overlaps: number): number {
  return cardinality === 'reciprocal' && overlaps > 1 ? 1 / overlaps : 1;
}

/** prts' `_omega_function`: bias weight of `range` covered by [from, to] over its total. */
function omega(range: InclusiveRange, from: number, to: number, bias: PositionalBias): number {
  const length = range.end - range.start + 1;
  let mine = 0, max = 0;
  for (let i = 1; i <= length; i++) {
    const weight = positionalBias(bias, i, length);
    max += weight;
    const j = range.start + i - 1;
    if (j >= from && j <= to) mine += weight;
  }
  return max > 0 ? mine / max : 0;
}

/** Mean reward of each range of `own` against the ranges of `other` (both sorted, disjoint). */
function meanReward(own: InclusiveRange[], other: InclusiveRange[], options: RangeScoreOptions): number {
  if (own.length === 0) return 0; // prts: no ranges to score gives 0
  let total = 0;
  let first = 0; // ranges of `other` that end before the current one can be skipped for good
  for (const range of own) {
    while (first < other.length && other[first]!.end < range.start) first++;
    let overlaps = 0, reward = 0;
    for (let j = first; j < other.length && other[j]!.start <= range.end; j++) {
      overlaps++;
      reward += omega(range, Math.max(range.start, other[j]!.start), Math.min(range.end, other[j]!.end), options.bias);
    }
    const existence = overlaps > 0 ? 1 : 0;
    total += options.alpha * existence + (1 - options.alpha) * gamma(options.cardinality, overlaps) * reward;
  }
  return total / own.length;
}

export interface RangePrecisionRecall {
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Range-based precision, recall and F1 of predicted 0/1 flags against 0/1 labels. Precision
 * uses `precisionAlpha` (default 0: Tatbul et al. advise no existence reward for precision).
 * With no predicted range, precision is 0 (prts' `_update_precision`; prts itself asserts
 * that both 0 and 1 occur).
 */
export function rangePrecisionRecall(
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  options: Partial<RangeScoreOptions> & { precisionAlpha?: number } = {},
): RangePrecisionRecall {
  const o = { ...RANGE_DEFAULTS, ...options };
  const real = binaryRanges(labels);
  const pred = binaryRanges(predicted);
  const recall = meanReward(real, pred, o);
  const precision = meanReward(pred, real, { ...o, alpha: options.precisionAlpha ?? 0 });
  // prts' ts_fscore with beta = 1.
  const f1 = precision + recall !== 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

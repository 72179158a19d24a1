import { AnomalabError } from '../errors.ts';

/** How the deployable threshold is chosen (`evaluation.threshold` in the experiment). */
export interface ThresholdRule {
  /** `max-train`: the largest train score; `quantile`: that quantile of the train scores. */
  method: 'max-train' | 'quantile';
  /** For `quantile`, in (0, 1]. */
  quantile?: number;
}

export interface DeployableThreshold {
  threshold: number;
  /** Human label, e.g. `threshold = 0.99 quantile of train scores (no test labels used)`. */
  protocol: string;
}

export function describeRule(rule: ThresholdRule): string {
  return rule.method === 'max-train'
    ? 'threshold = max train score (no test labels used)'
    : `threshold = ${rule.quantile} quantile of train scores (no test labels used)`;
}

/**
 * A threshold chosen without test labels, from the train split's scores (rows before
 * `from` are unscored and left out). Quantiles interpolate linearly between order
 * statistics (numpy's default). Returns null when there are no train scores.
 */
export function deployableThreshold(trainScores: Float32Array | undefined, from: number, rule: ThresholdRule): DeployableThreshold | null {
  if (!trainScores || trainScores.length <= from) return null;
  const sorted = Float64Array.from(trainScores.subarray(from)).sort();
  let threshold: number;
  if (rule.method === 'max-train') threshold = sorted[sorted.length - 1]!;
  else {
    const q = rule.quantile ?? 0.99;
    if (!(q > 0 && q <= 1)) throw new AnomalabError('ANOMALAB_CONFIG_INVALID', `evaluation.threshold.quantile must be in (0, 1], got ${q}`);
    const position = q * (sorted.length - 1);
    const lo = Math.floor(position);
    const hi = Math.min(lo + 1, sorted.length - 1);
    threshold = sorted[lo]! + (position - lo) * (sorted[hi]! - sorted[lo]!);
  }
  return { threshold, protocol: describeRule(rule) };
}

import { channelOf, type PredictorStream, type Series } from '@anomalab/core';
import { nearestDistance } from './profile.ts';
import type { RowScore } from './rows.ts';
import { openSubsequenceStream, type SubsequenceScorer } from './subsequence-stream.ts';
import { subsequences, type Subsequences } from './subsequences.ts';

/**
 * Each row recomputes 1/REFRESH_ROWS of the sliding dot products directly (a rotating
 * slice), so every running sum restarts within about 2 x REFRESH_ROWS rows: bounded
 * rounding drift at an even O(train rows x m / REFRESH_ROWS) cost per row, no latency spike.
 */
const REFRESH_ROWS = 64;

/**
 * One channel's online AB-join against the train subsequences: when row r >= m - 1 arrives,
 * subsequence s = r - m + 1 is complete and gets its nearest-neighbour distance among the
 * train subsequences (the same definition and constant-subsequence convention as the batch
 * join, ./profile.ts). Dot products with every train subsequence slide by one row per push
 * (STAMPI-style), with a rotating slice recomputed directly (see REFRESH_ROWS).
 */
class ChannelJoin implements SubsequenceScorer {
  private readonly history: Float64Array;
  private readonly dots: Float64Array;
  private primed = false;
  /** First train subsequence of the next directly recomputed slice. */
  private refreshAt = 0;
  private rows = 0;
  /** The mean and inverse norm of the newest subsequence, computed as `subsequences()` does. */
  private readonly window: Float64Array;

  constructor(
    private readonly reference: Subsequences,
    private readonly m: number,
  ) {
    this.history = new Float64Array(m + 1);
    this.dots = new Float64Array(reference.count);
    this.window = new Float64Array(m);
  }

  /** Push one value; returns the distance of the subsequence it completes, if any. */
  push(value: number): number | undefined {
    const { m, history } = this;
    // history[(r) % (m + 1)] = x[r]: the newest m + 1 values (the slide needs the one that leaves).
    history[this.rows % (m + 1)] = value;
    this.rows++;
    if (this.rows < m) return undefined;
    const first = this.rows - m; // start of the newest subsequence
    for (let k = 0; k < m; k++) this.window[k] = history[(first + k) % (m + 1)]!;
    this.slideDots(first);
    return this.distance();
  }

  /** dots[j] = sum_k q[k] * T[j + k] for the newest subsequence q. */
  private slideDots(first: number): void {
    const { m, dots } = this;
    const n = this.reference.count;
    if (!this.primed) {
      for (let j = 0; j < n; j++) dots[j] = this.directDot(j);
      this.primed = true;
      return;
    }
    // q_new[k] = q_old[k + 1]: dots_new[j] = dots_old[j - 1] - x_leaving * T[j - 1] + x_new * T[j + m - 1].
    const T = this.reference.values;
    const leaving = this.history[(first - 1) % (m + 1)]!;
    const entering = this.window[m - 1]!;
    for (let j = n - 1; j >= 1; j--) dots[j] = dots[j - 1]! - leaving * T[j - 1]! + entering * T[j + m - 1]!;
    dots[0] = this.directDot(0);
    const end = Math.min(n, this.refreshAt + Math.ceil(n / REFRESH_ROWS));
    for (let j = this.refreshAt; j < end; j++) dots[j] = this.directDot(j);
    this.refreshAt = end >= n ? 0 : end;
  }

  private directDot(j: number): number {
    const { m, window: q } = this;
    const T = this.reference.values;
    let s = 0;
    for (let k = 0; k < m; k++) s += q[k]! * T[j + k]!;
    return s;
  }

  private distance(): number {
    const { m, window: q, dots } = this;
    const ref = this.reference;
    // Mean, constancy and inverse norm exactly as subsequences() computes them.
    let sum = 0;
    for (let k = 0; k < m; k++) sum += q[k]!;
    const mu = sum / m;
    let constant = true;
    for (let k = 1; k < m && constant; k++) constant = q[k] === q[0];
    let invNorm = 0;
    if (!constant) {
      let ss = 0;
      for (let k = 0; k < m; k++) ss += (q[k]! - mu) ** 2;
      invNorm = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    }
    // Largest Pearson correlation: (q . t_j - m mu_q mu_j) / (||q - mu_q|| ||t_j - mu_j||).
    let best = -Infinity;
    for (let j = 0; j < ref.count; j++) {
      const rho = (dots[j]! - m * mu * ref.mean[j]!) * invNorm * ref.invNorm[j]!;
      if (rho > best) best = rho;
    }
    return nearestDistance(m, best, constant, ref.constantCount > 0);
  }
}

/**
 * The `join: train` stream of a matrix-profile predictor: the same scores as `score()` on
 * the rows pushed so far (see ./subsequence-stream.ts for when rows settle).
 */
export function openTrainJoinStream(reference: Series, m: number, rule: RowScore): PredictorStream {
  const scorers = Array.from({ length: reference.channels }, (_, c) => new ChannelJoin(subsequences(channelOf(reference, c), m), m));
  return openSubsequenceStream(scorers, m, rule);
}

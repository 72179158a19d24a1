/**
 * Per-subsequence statistics of one channel for window m, in float64: what the diagonal
 * traversal needs (mean, inverse norm, the mpx update terms df / dg) and which
 * subsequences are constant.
 */
export interface Subsequences {
  /** Window length. */
  m: number;
  /** Number of subsequences: rows - m + 1. */
  count: number;
  /** The channel's values as float64 (rows of them). */
  values: Float64Array;
  mean: Float64Array;
  /** 1 / ||x_i - mean_i|| (the z-normalisation scale), 0 for constant subsequences. */
  invNorm: Float64Array;
  /** (x[i+m-1] - x[i-1]) / 2, 0 at i = 0. */
  df: Float64Array;
  /** (x[i+m-1] - mean[i]) + (x[i-1] - mean[i-1]), 0 at i = 0. */
  dg: Float64Array;
  /** 1 where all m values of the subsequence are equal (zero standard deviation). */
  constant: Uint8Array;
  constantCount: number;
}

/** Statistics of every length-m subsequence of `x` (needs at least m values). */
export function subsequences(x: ArrayLike<number>, m: number): Subsequences {
  const rows = x.length;
  const count = rows - m + 1;
  if (m < 2 || count < 1) throw new Error(`subsequences: window ${m} needs at least ${m} rows and m >= 2, got ${rows}`);
  const values = Float64Array.from(x);
  const mean = new Float64Array(count);
  const invNorm = new Float64Array(count);
  const df = new Float64Array(count);
  const dg = new Float64Array(count);
  const constant = new Uint8Array(count);
  // Length of the run of equal values ending at each row: exact, unlike a std near 0.
  let run = 0;
  let constantCount = 0;
  for (let t = 0; t < rows; t++) {
    run = t > 0 && values[t] === values[t - 1] ? run + 1 : 1;
    if (t >= m - 1 && run >= m) {
      constant[t - m + 1] = 1;
      constantCount++;
    }
  }
  for (let i = 0; i < count; i++) {
    // Two passes per window (O(rows * m), small next to the join) keep the statistics exact.
    let sum = 0;
    for (let k = 0; k < m; k++) sum += values[i + k]!;
    const mu = sum / m;
    mean[i] = mu;
    if (constant[i]) continue;
    let ss = 0;
    for (let k = 0; k < m; k++) ss += (values[i + k]! - mu) ** 2;
    invNorm[i] = ss > 0 ? 1 / Math.sqrt(ss) : 0;
  }
  for (let i = 1; i < count; i++) {
    df[i] = (values[i + m - 1]! - values[i - 1]!) / 2;
    dg[i] = values[i + m - 1]! - mean[i]! + (values[i - 1]! - mean[i - 1]!);
  }
  return { m, count, values, mean, invNorm, df, dg, constant, constantCount };
}

import { binaryRanges } from './ranges.ts';

/**
 * The VUS window (maximum buffer) rules.
 * - `period`: TSB-AD's `find_length_rank(data, rank=1)` (TSB_AD/utils/slidingWindows.py),
 *   the window its benchmark passes to VUS: the lag of the highest local maximum of the
 *   autocorrelation (lags 3..400, first 20,000 rows), or 125 when there is none in 3..300.
 *   For several channels TSB-AD uses the first channel.
 * - `median-range`: the median length of the labelled ranges, truncated to an integer
 *   (TimeEval's default buffer, `int(np.median(ends - starts))`).
 */
export type WindowRule = 'period' | 'median-range';

/** Autocorrelation at lags 0..maxLag (statsmodels `acf`, demeaned, biased denominator). */
export function autocorrelation(values: ArrayLike<number>, maxLag: number): Float64Array {
  const n = values.length;
  let mean = 0;
  for (let t = 0; t < n; t++) mean += values[t]!;
  mean /= n;
  const centred = Float64Array.from(values, (v) => v - mean);
  const out = new Float64Array(maxLag + 1);
  let c0 = 0;
  for (let t = 0; t < n; t++) c0 += centred[t]! * centred[t]!;
  for (let k = 0; k <= maxLag; k++) {
    let c = 0;
    for (let t = 0; t + k < n; t++) c += centred[t]! * centred[t + k]!;
    out[k] = c0 > 0 ? c / c0 : NaN;
  }
  return out;
}

/** TSB-AD's `find_length_rank(data, rank=1)` for one channel. */
export function seriesPeriod(values: ArrayLike<number>): number {
  const data = Array.prototype.slice.call(values, 0, Math.min(20000, values.length)) as number[];
  const base = 3;
  const maxLag = 400;
  if (data.length <= base + 2) return 125;
  const acf = autocorrelation(data, Math.min(maxLag, data.length - 1)).subarray(base);
  // scipy argrelextrema(acf, np.greater): strictly above both neighbours, borders excluded.
  let best = -1;
  for (let i = 1; i < acf.length - 1; i++) {
    if (acf[i]! > acf[i - 1]! && acf[i]! > acf[i + 1]! && (best < 0 || acf[i]! > acf[best]!)) best = i;
  }
  if (best < 0 || best < 3 || best > 300) return 125;
  return best + base;
}

/** The median labelled range length, truncated (0 without ranges). */
export function medianRangeLength(labels: ArrayLike<number>): number {
  const lengths = binaryRanges(labels).map((r) => r.end - r.start + 1).sort((a, b) => a - b);
  if (lengths.length === 0) return 0;
  const mid = lengths.length >> 1;
  return Math.trunc(lengths.length % 2 ? lengths[mid]! : (lengths[mid - 1]! + lengths[mid]!) / 2);
}

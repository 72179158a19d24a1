import type { Series } from '@anomalab/core';

/** Window used when the autocorrelation shows no usable period (TSB-AD's fallback). */
export const FALLBACK_WINDOW = 125;

/**
 * Subsequence length from the train split's autocorrelation, as TSB-AD's
 * `find_length_rank(data, rank=1)` (Liu & Paparrizos, NeurIPS 2024): the autocorrelation
 * (statsmodels `acf`, biased, demeaned) of the first 20,000 rows up to lag 400; among its
 * strict local maxima at lags 4..399 the highest one's lag; 125 when there is none or the
 * lag lies outside 6..303. Several channels: the mean of the channels' autocorrelations
 * (constant channels are left out).
 */
export function estimateWindow(series: Series): number {
  const rows = Math.min(series.rows, 20_000);
  const maxLag = Math.min(400, rows - 1);
  const acf = new Float64Array(maxLag + 1);
  let used = 0;
  for (let c = 0; c < series.channels; c++) {
    const x = new Float64Array(rows);
    let mean = 0;
    for (let t = 0; t < rows; t++) mean += x[t] = series.values[t * series.channels + c]!;
    mean /= rows;
    for (let t = 0; t < rows; t++) x[t]! -= mean;
    let c0 = 0;
    for (let t = 0; t < rows; t++) c0 += x[t]! * x[t]!;
    if (!(c0 > 0)) continue;
    used++;
    for (let lag = 0; lag <= maxLag; lag++) {
      let s = 0;
      for (let t = 0; t + lag < rows; t++) s += x[t]! * x[t + lag]!;
      acf[lag]! += s / c0;
    }
  }
  if (used === 0) return FALLBACK_WINDOW;
  // TSB-AD drops lags 0..2 and looks for local maxima of the rest (argrelextrema, np.greater).
  const base = 3;
  let best = -1;
  for (let i = 1; base + i + 1 <= maxLag; i++) {
    const v = acf[base + i]!;
    if (v > acf[base + i - 1]! && v > acf[base + i + 1]! && (best < 0 || v > acf[base + best]!)) best = i;
  }
  if (best < 3 || best > 300) return FALLBACK_WINDOW;
  return best + base;
}

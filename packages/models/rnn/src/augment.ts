import type { Random, Series } from '@anomalab/core';

/** Per-channel standard deviation (unbiased, n-1), as the reference's `std()`. */
export function channelStd(series: Series): Float64Array {
  const { rows, channels: C, values } = series;
  const std = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let mean = 0;
    for (let t = 0; t < rows; t++) mean += values[t * C + c]!;
    mean /= Math.max(1, rows);
    let ss = 0;
    for (let t = 0; t < rows; t++) ss += (values[t * C + c]! - mean) ** 2;
    std[c] = rows > 1 ? Math.sqrt(ss / (rows - 1)) : 0;
  }
  return std;
}

/**
 * How the noisy copies get their noise: `fresh` draws new noise for every copy (the
 * reference's intent); `reference` draws one noise sequence and adds it to every copy, at
 * most 100 copies (the reference's loop over arange(0, 0.05, 0.0005)), as the original does.
 */
export type NoiseMode = 'fresh' | 'reference';

/** The reference's number of noisy copies (its loop runs noise_ratio / noise_interval = 100 times). */
export const REFERENCE_COPIES = 100;

/**
 * Noise augmentation (reference section 1): the split itself, then copies of it with
 * Gaussian noise of `noise * std[c]` per channel appended until `length` rows, truncated.
 *
 * With `mode: 'fresh'` (the default) every copy gets new noise and only `length` limits the
 * result. With `mode: 'reference'` the reference's quirk: one noise sequence (rows x C) is
 * drawn and reused for every copy, so the "augmented" data holds only one distinct noisy
 * version of the series, and at most 100 copies are appended (a short split gives fewer
 * than `length` rows).
 */
export function augment(series: Series, std: ArrayLike<number>, noise: number, length: number, random: Pick<Random, 'normal'>, mode: NoiseMode = 'fresh'): Series {
  const { rows, channels: C, values } = series;
  if (rows === 0) return series;
  const total = mode === 'reference' ? Math.min(Math.max(rows, length), rows * (REFERENCE_COPIES + 1)) : Math.max(rows, length);
  const out = new Float32Array(total * C);
  out.set(values.subarray(0, Math.min(rows, total) * C));
  const scale = Array.from({ length: C }, (_, c) => noise * std[c]!);
  const once = mode === 'reference' ? Float64Array.from({ length: Math.min(rows, total - rows) * C }, () => random.normal()) : undefined;
  for (let i = rows * C; i < total * C; i++) {
    const c = i % C;
    const k = i % (rows * C);
    out[i] = values[k]! + scale[c]! * (once ? once[k]! : random.normal());
  }
  return { rows: total, channels: C, values: out };
}

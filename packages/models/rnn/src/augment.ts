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
 * Noise augmentation (reference section 1): the split itself, then copies of it with
 * Gaussian noise of `noise * std[c]` per channel appended until `length` rows, truncated.
 *
 * Deliberate difference from the reference: every copy gets FRESH noise (the reference
 * draws one noise sequence and reuses it for all copies, so its "augmented" data holds
 * only one distinct noisy version of the series). The reference also stops after 100
 * copies; here only `length` limits the result.
 */
export function augment(series: Series, std: ArrayLike<number>, noise: number, length: number, random: Random): Series {
  const { rows, channels: C, values } = series;
  if (rows === 0) return series;
  const total = Math.max(rows, length);
  const out = new Float32Array(total * C);
  out.set(values.subarray(0, Math.min(rows, total) * C));
  const scale = Array.from({ length: C }, (_, c) => noise * std[c]!);
  for (let i = rows * C; i < total * C; i++) {
    const c = i % C;
    out[i] = values[i % (rows * C)]! + scale[c]! * random.normal();
  }
  return { rows: total, channels: C, values: out };
}

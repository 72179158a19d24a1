import type { Series, Split } from '../contracts/series.ts';

export interface ChannelStats {
  mean: number[];
  std: number[];
}

/** Per-channel mean and unbiased (n-1) standard deviation, in float64. */
export function channelStats(series: Series): ChannelStats {
  const { rows, channels, values } = series;
  const mean = new Array<number>(channels).fill(0);
  const std = new Array<number>(channels).fill(0);
  for (let t = 0; t < rows; t++) for (let c = 0; c < channels; c++) mean[c]! += values[t * channels + c]!;
  for (let c = 0; c < channels; c++) mean[c] = mean[c]! / Math.max(rows, 1);
  for (let t = 0; t < rows; t++)
    for (let c = 0; c < channels; c++) {
      const d = values[t * channels + c]! - mean[c]!;
      std[c]! += d * d;
    }
  for (let c = 0; c < channels; c++) std[c] = Math.sqrt(std[c]! / Math.max(rows - 1, 1));
  return { mean, std };
}

/**
 * One row: `out[outAt + c] = (x[at + c] - mean_c) / std_c`, in float64 then stored (a
 * constant channel, std 0, is only centred). The one formula of the batch and the
 * streaming path.
 */
export function standardizeRow(x: ArrayLike<number>, at: number, stats: ChannelStats, out: Float32Array, outAt: number): void {
  for (let c = 0; c < stats.mean.length; c++) {
    const std = stats.std[c]! > 0 ? stats.std[c]! : 1;
    out[outAt + c] = (x[at + c]! - stats.mean[c]!) / std;
  }
}

/** (x - mean) / std per channel; a constant channel (std 0) is only centred. */
export function standardize<S extends Split>(split: S, stats: ChannelStats): S {
  const { rows, channels } = split;
  if (stats.mean.length !== channels) throw new Error(`standardize: statistics of ${stats.mean.length} channel(s) for a ${channels}-channel split`);
  const values = new Float32Array(split.values.length);
  for (let t = 0; t < rows; t++) standardizeRow(split.values, t * channels, stats, values, t * channels);
  return { ...split, values };
}

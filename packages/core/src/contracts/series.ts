/**
 * In-memory time series. Values are row-major `[rows, channels]` Float32Arrays so that
 * every plugin can hand them to tfjs or WebAssembly without copying.
 */
export interface Series {
  readonly rows: number;
  readonly channels: number;
  /** Row-major values, length rows * channels. */
  readonly values: Float32Array;
}

/** One split (train or test) of a loaded series. */
export interface Split extends Series {
  /** Index of this split's first row in the source file (rows are numbered from 0). */
  readonly offset: number;
  /** Per-row 0/1 anomaly labels, or undefined when the series is unlabelled. Never used for fitting. */
  readonly labels?: Uint8Array;
  /** Optional per-row timestamps (ms since epoch). */
  readonly timestamps?: Float64Array;
}

export function channelOf(series: Series, channel: number): Float32Array {
  const out = new Float32Array(series.rows);
  for (let t = 0; t < series.rows; t++) out[t] = series.values[t * series.channels + channel]!;
  return out;
}

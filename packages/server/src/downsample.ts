/** A series value; `null` where it is undefined (e.g. predictions before the first window). */
export type Value = number | null;

export interface Downsampled {
  /** Row indices of the kept points (shared by every series, as uPlot wants). */
  x: number[];
  /** One array per input series, aligned with `x`. */
  values: Value[][];
  /** Whether points were dropped. */
  downsampled: boolean;
}

/**
 * Min/max-bucket downsampling of several aligned series over rows `[from, to)`.
 *
 * The range is cut into `floor(maxPoints / 2)` buckets; each bucket becomes two points,
 * at its first and last row. Each series puts its bucket minimum and maximum on those two
 * points, in the order they occur, so every spike and dip survives (a plain stride would
 * drop the anomalies we are here to see) and the result never exceeds `maxPoints`.
 * `null`s and NaNs are skipped (and sent as `null`); a bucket with no number is `null` on both points.
 */
export function downsampleMinMax(series: ArrayLike<Value>[], from: number, to: number, maxPoints: number): Downsampled {
  const n = Math.max(0, to - from);
  if (n <= maxPoints) {
    const x = Array.from({ length: n }, (_, i) => from + i);
    const plain = (s: ArrayLike<Value>) => x.map((t) => (s[t] === null || s[t] === undefined || Number.isNaN(s[t]) ? null : s[t]));
    return { x, values: series.map(plain), downsampled: false };
  }
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const x: number[] = [];
  const values: Value[][] = series.map(() => []);
  for (let b = 0; b < buckets; b++) {
    const start = from + Math.floor((b * n) / buckets);
    const end = from + Math.floor(((b + 1) * n) / buckets); // exclusive
    if (end <= start) continue;
    x.push(start, end - 1);
    for (let k = 0; k < series.length; k++) {
      const s = series[k]!;
      let minI = -1;
      let maxI = -1;
      for (let t = start; t < end; t++) {
        const v = s[t];
        if (v === null || v === undefined || Number.isNaN(v)) continue;
        if (minI < 0 || v < s[minI]!) minI = t;
        if (maxI < 0 || v > s[maxI]!) maxI = t;
      }
      const out = values[k]!;
      if (minI < 0) out.push(null, null);
      else if (minI <= maxI) out.push(s[minI]!, s[maxI]!);
      else out.push(s[maxI]!, s[minI]!);
    }
  }
  return { x, values, downsampled: true };
}

/** `[start, end]` row ranges (inclusive) where `labels` is non-zero, clipped to `[from, to)`. */
export function labelRanges(labels: ArrayLike<number> | null | undefined, from: number, to: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  if (!labels) return ranges;
  let start = -1;
  for (let t = from; t < to; t++) {
    const on = Number(labels[t]) > 0;
    if (on && start < 0) start = t;
    if (!on && start >= 0) {
      ranges.push([start, t - 1]);
      start = -1;
    }
  }
  if (start >= 0) ranges.push([start, to - 1]);
  return ranges;
}

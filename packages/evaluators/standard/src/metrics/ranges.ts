/** A run of consecutive flagged (or labelled) rows, both ends inclusive: rows `start..end`. */
export interface InclusiveRange {
  start: number;
  end: number;
}

/**
 * The runs of non-zero entries of a 0/1 vector, both ends inclusive, in order
 * (TSB-AD's `range_convers_new` and prts' `_prepare_data` on binary input).
 */
export function binaryRanges(values: ArrayLike<number>): InclusiveRange[] {
  const ranges: InclusiveRange[] = [];
  let start = -1;
  for (let t = 0; t < values.length; t++) {
    if (values[t]! > 0) {
      if (start < 0) start = t;
    } else if (start >= 0) {
      ranges.push({ start, end: t - 1 });
      start = -1;
    }
  }
  if (start >= 0) ranges.push({ start, end: values.length - 1 });
  return ranges;
}

/** Flags of `score > threshold` (anomalab's flagging rule, as the point metrics). */
export function flagAbove(scores: ArrayLike<number>, threshold: number): Uint8Array {
  const flags = new Uint8Array(scores.length);
  for (let t = 0; t < scores.length; t++) flags[t] = scores[t]! > threshold ? 1 : 0;
  return flags;
}

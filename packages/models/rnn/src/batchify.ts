/**
 * The reference's batchify: trim the series to a multiple of `lanes` rows and cut it into
 * `lanes` contiguous pieces, laid out time-major as [steps, lanes, C] (lane b holds rows
 * b*steps .. (b+1)*steps - 1).
 */
export function batchify(values: Float32Array, rows: number, channels: number, lanes: number): { data: Float32Array; steps: number } {
  const steps = Math.floor(rows / lanes);
  const data = new Float32Array(steps * lanes * channels);
  for (let b = 0; b < lanes; b++) {
    for (let s = 0; s < steps; s++) {
      const from = (b * steps + s) * channels;
      data.set(values.subarray(from, from + channels), (s * lanes + b) * channels);
    }
  }
  return { data, steps };
}

/** A truncated-BPTT window: inputs are steps [start, start+length), targets one step later. */
export interface BpttWindow {
  start: number;
  length: number;
}

/** Windows over `steps` batchified steps, as the reference's `range(0, steps - 1, bptt)`. */
export function bpttWindows(steps: number, bptt: number): BpttWindow[] {
  const windows: BpttWindow[] = [];
  for (let start = 0; start < steps - 1; start += bptt) windows.push({ start, length: Math.min(bptt, steps - 1 - start) });
  return windows;
}

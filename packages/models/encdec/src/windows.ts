import type { ErrorSeries, Random, Series } from '@anomalab/core';

/** Start rows of the windows of length L every `stride` rows (the last one ends at or before the last row). */
export function windowStarts(rows: number, length: number, stride: number): number[] {
  const starts: number[] = [];
  for (let s = 0; s + length <= rows; s += stride) starts.push(s);
  return starts;
}

/** Fisher-Yates shuffle into a new array. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * The rows of a batch of windows, time-major: `steps[p]` is `[B, C]` with row `starts[b] + p`
 * of every window b. One small array per step because tfjs then gets one tensor per step
 * straight from JS memory (slicing one big tensor per step is slower on wasm).
 */
export function batchSteps(series: Series, starts: readonly number[], length: number): Float32Array[] {
  const { channels: C, values } = series;
  const B = starts.length;
  return Array.from({ length }, (_, p) => {
    const step = new Float32Array(B * C);
    for (let b = 0; b < B; b++) step.set(values.subarray((starts[b]! + p) * C, (starts[b]! + p + 1) * C), b * C);
    return step;
  });
}

/**
 * Builds the ErrorSeries of a series from the reconstructions of all its windows (stride 1).
 *
 * Row t's vector (per channel, dim W) holds the errors of x_t as reconstructed by the W
 * windows that end at rows t, t+1, ..., t+W-1: entry j comes from the window in which x_t
 * sits j rows before the end. The decoder reconstructs in reverse order, so entry 0 is the
 * first value it emits and entry W-1 the W-th. Rows before L-1 lack the window ending at
 * them (firstValid = L-1, scored 0 like the first W rows of a forecast). At the end of the
 * series, where windows ending after the last row do not exist, the last window's error is
 * repeated: the vector stays complete, all its entries are still errors of x_t.
 */
export class ErrorAssembler {
  readonly values: Float32Array;
  private readonly lastStart: number;

  constructor(
    private readonly series: Series,
    private readonly length: number,
    private readonly window: number,
    private readonly mode: 'absolute' | 'signed',
  ) {
    this.values = new Float32Array(series.rows * series.channels * window);
    this.lastStart = series.rows - length;
  }

  /**
   * Add the reconstructions of a batch of windows.
   * @param reconstruction `[L, B, C]` in decoder order: index q holds position L-1-q of each window.
   */
  add(starts: readonly number[], reconstruction: Float32Array): void {
    const { channels: C, values: x } = this.series;
    const { length: L, window: W } = this;
    const B = starts.length;
    for (let b = 0; b < B; b++) {
      const s = starts[b]!;
      // Position p is reconstructed at decoder step q = L-1-p, which is also j (rows to the window end).
      for (let j = 0; j < L; j++) {
        const t = s + L - 1 - j;
        // Entries j' >= j of the last window stand in for the windows past the end of the series.
        const until = s === this.lastStart ? W : Math.min(j + 1, W);
        if (j >= until) continue;
        for (let c = 0; c < C; c++) {
          const diff = reconstruction[(j * B + b) * C + c]! - x[t * C + c]!;
          const e = this.mode === 'absolute' ? Math.abs(diff) : diff;
          const base = (t * C + c) * W;
          for (let k = j; k < until; k++) this.values[base + k] = e;
        }
      }
    }
  }

  finish(): ErrorSeries {
    const { rows, channels } = this.series;
    return { rows, channels, dim: this.window, firstValid: Math.min(this.length - 1, rows), values: this.values };
  }
}

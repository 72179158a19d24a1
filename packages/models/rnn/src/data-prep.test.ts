import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@anomalab/core';
import { augment, channelStd } from './augment.ts';
import { batchify, bpttWindows } from './batchify.ts';

describe('augment', () => {
  const series = { rows: 4, channels: 2, values: Float32Array.from([0, 10, 1, 20, 2, 30, 3, 40]) };

  it('keeps the split, then appends noisy copies with fresh noise per copy, truncated to the length', () => {
    const std = channelStd(series);
    expect(Array.from(std).map((s) => s.toFixed(4))).toEqual([Math.sqrt(5 / 3), Math.sqrt(500 / 3)].map((s) => s.toFixed(4)));
    const out = augment(series, std, 0.05, 10, new SeededRandom(1));
    expect(out.rows).toBe(10);
    expect(Array.from(out.values.subarray(0, 8))).toEqual(Array.from(series.values));
    const noise1 = Array.from(out.values.subarray(8, 16), (v, i) => v - series.values[i]!);
    const noise2 = Array.from(out.values.subarray(16, 20), (v, i) => v - series.values[i]!);
    expect(noise1.every((n) => n !== 0)).toBe(true);
    expect(noise2).not.toEqual(noise1.slice(0, 4)); // fresh noise, unlike the reference
    // Noise scales with each channel's std.
    const big = augment(series, std, 0.05, 4000, new SeededRandom(2));
    const spread = [0, 1].map((c) => {
      let ss = 0;
      let n = 0;
      for (let t = 4; t < big.rows; t++) ss += (big.values[t * 2 + c]! - series.values[(t % 4) * 2 + c]!) ** 2, n++;
      return Math.sqrt(ss / n) / (0.05 * std[c]!);
    });
    for (const s of spread) expect(s).toBeCloseTo(1, 1);
  });

  it("with noise_mode reference reuses one noise sequence for every copy and stops after 100 copies, as the original", () => {
    const std = channelStd(series);
    const out = augment(series, std, 0.05, 10, new SeededRandom(1), 'reference');
    expect(out.rows).toBe(10);
    const noise = (copy: number, n: number) => Array.from(out.values.subarray(copy * 8, copy * 8 + n), (v, i) => v - series.values[i]!);
    expect(noise(1, 8).every((n) => n !== 0)).toBe(true);
    expect(noise(2, 4)).toEqual(noise(1, 4)); // the same draw again (float32 rounding is identical too)
    // 4 rows x 101 = 404 rows at most, whatever the length asked for.
    const long = augment(series, std, 0.05, 100_000, new SeededRandom(1), 'reference');
    expect(long.rows).toBe(404);
    expect(Array.from(long.values.subarray(400 * 2))).toEqual(Array.from(long.values.subarray(8, 16)));
    // The default draws fresh noise and fills the length.
    expect(augment(series, std, 0.05, 1000, new SeededRandom(1)).rows).toBe(1000);
  });

  it('is deterministic for a seed', () => {
    const a = augment(series, [1, 1], 0.05, 50, new SeededRandom(3));
    const b = augment(series, [1, 1], 0.05, 50, new SeededRandom(3));
    expect(a.values).toEqual(b.values);
  });
});

describe('batchify', () => {
  it('cuts the trimmed series into contiguous lanes, time-major', () => {
    // 7 rows, 1 channel, 3 lanes -> 2 steps; row 6 trimmed.
    const { data, steps } = batchify(Float32Array.from([0, 1, 2, 3, 4, 5, 6]), 7, 1, 3);
    expect(steps).toBe(2);
    expect(Array.from(data)).toEqual([0, 2, 4, 1, 3, 5]);
  });

  it('gives the reference window count (100000 rows, 64 lanes, bptt 50: 32 windows, the last shorter)', () => {
    const windows = bpttWindows(Math.floor(100000 / 64), 50);
    expect(windows).toHaveLength(32);
    expect(windows[31]).toEqual({ start: 1550, length: 11 });
    expect(bpttWindows(10, 3)).toEqual([{ start: 0, length: 3 }, { start: 3, length: 3 }, { start: 6, length: 3 }]);
  });
});

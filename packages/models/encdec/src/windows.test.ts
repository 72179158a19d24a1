import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@anomalab/core';
import { batchSteps, ErrorAssembler, shuffled, windowStarts } from './windows.ts';

/** A 2-channel series whose values encode their position: x[t][c] = 10 t + c. */
const series = (rows: number) => ({ rows, channels: 2, values: Float32Array.from({ length: rows * 2 }, (_, i) => 10 * Math.floor(i / 2) + (i % 2)) });

describe('windows', () => {
  it('starts every stride rows, last window inside the series', () => {
    expect(windowStarts(10, 4, 1)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(windowStarts(10, 4, 3)).toEqual([0, 3, 6]);
    expect(windowStarts(3, 4, 1)).toEqual([]);
  });

  it('lays a batch out time-major [L][B, C]', () => {
    const steps = batchSteps(series(10), [0, 5], 3);
    expect(steps.map((s) => Array.from(s))).toEqual([
      [0, 1, 50, 51],
      [10, 11, 60, 61],
      [20, 21, 70, 71],
    ]);
  });

  it('shuffles deterministically from the seed, as a permutation', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const a = shuffled(items, new SeededRandom(1).fork('x'));
    expect(shuffled(items, new SeededRandom(1).fork('x'))).toEqual(a);
    expect([...a].sort((x, y) => x - y)).toEqual(items);
    expect(a).not.toEqual(items);
  });
});

describe('ErrorAssembler', () => {
  // Reconstruction = truth + (window start) + 0.5 * (decoder step q): entry j of row t must
  // then be (t - L + 1 + j) + 0.5 j, i.e. it identifies the window (ending at t + j) and the step.
  const L = 4;
  const W = 3;
  const rows = 9;
  const s = series(rows);
  const reconstruct = (starts: number[]) => {
    const out = new Float32Array(L * starts.length * 2);
    starts.forEach((start, b) => {
      for (let q = 0; q < L; q++) for (let c = 0; c < 2; c++) out[(q * starts.length + b) * 2 + c] = s.values[(start + L - 1 - q) * 2 + c]! + start + 0.5 * q;
    });
    return out;
  };

  it('collects x_t from the W windows ending at t..t+W-1, repeating the last window at the end', () => {
    const assembler = new ErrorAssembler(s, L, W, 'signed');
    const starts = windowStarts(rows, L, 1);
    // Two batches in reverse order: the result must not depend on batching.
    assembler.add(starts.slice(3), reconstruct(starts.slice(3)));
    assembler.add(starts.slice(0, 3), reconstruct(starts.slice(0, 3)));
    const e = assembler.finish();
    expect({ rows: e.rows, channels: e.channels, dim: e.dim, firstValid: e.firstValid }).toEqual({ rows, channels: 2, dim: W, firstValid: L - 1 });
    const vector = (t: number, c: number) => Array.from(e.values.subarray((t * 2 + c) * W, (t * 2 + c + 1) * W));
    const lastStart = rows - L;
    for (let t = L - 1; t < rows; t++) {
      const expected = Array.from({ length: W }, (_, j) => {
        const start = Math.min(t + j - L + 1, lastStart);
        const q = start + L - 1 - t;
        return start + 0.5 * q;
      });
      expect(vector(t, 0), `row ${t}`).toEqual(expected);
      expect(vector(t, 1), `row ${t}`).toEqual(expected);
    }
  });

  it('takes absolute values in absolute mode', () => {
    const assembler = new ErrorAssembler(s, L, W, 'absolute');
    const starts = windowStarts(rows, L, 1);
    const recon = reconstruct(starts).map((v) => v - 100);
    assembler.add(starts, recon);
    const e = assembler.finish();
    expect(e.values.subarray((L - 1) * 2 * W).every((v) => v > 0)).toBe(true);
  });
});

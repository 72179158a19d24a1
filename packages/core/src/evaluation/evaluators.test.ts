import { describe, expect, it } from 'vitest';
import { oracleSweep } from './oracle-threshold.ts';
import { deployableThreshold } from './deployable-threshold.ts';
import { countAt, pointScores } from './point-metrics.ts';

describe('oracle threshold sweep (reference section 6)', () => {
  it('finds the best F1 over log-spaced thresholds in [1, max] with its precision and recall', () => {
    // 10 rows, anomalies at 6..9. Scores separate them except one false positive (row 2, score 50).
    const scores = Float32Array.from([0, 0.5, 50, 2, 3, 60, 80, 100, 40, 90]);
    const labels = Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    const { best, curves } = oracleSweep(scores, labels, 0, 1);
    // Best: threshold in [60, 80) flags 80, 100, 90 -> P 1, R 0.75, F1 0.857; or in [3, 40) flags
    // rows 2, 5, 6-9 -> P 4/6, R 1, F1 0.8. The sweep must pick the first.
    expect(best!.fBeta).toBeCloseTo(6 / 7, 6);
    expect(best!.precision).toBe(1);
    expect(best!.recall).toBe(0.75);
    expect(best!.threshold).toBeGreaterThanOrEqual(60);
    expect(best!.threshold).toBeLessThan(80);
    expect(curves.threshold.length).toBeGreaterThan(100);
  });

  it('says why when there are no anomalies', () => {
    const sweep = oracleSweep(Float32Array.from([5, 6]), new Uint8Array(2), 0, 1);
    expect(sweep.best).toBeNull();
    expect(sweep.notes[0]).toMatch(/no anomalous rows/);
  });
});

describe('deployable threshold (max train score)', () => {
  it('flags test rows above the largest train score', () => {
    const chosen = deployableThreshold(Float32Array.from([2, 10, 4]), 0, { method: 'max-train' })!;
    expect(chosen.threshold).toBe(10);
    const counts = countAt(Float32Array.from([1, 5, 11, 12, 3]), Uint8Array.from([0, 0, 1, 0, 1]), chosen.threshold);
    expect(counts).toMatchObject({ tp: 1, fp: 1, fn: 1 });
    expect(pointScores(counts, 1)).toEqual({ precision: 0.5, recall: 0.5, f: 0.5 });
  });
});

import { describe, expect, it } from 'vitest';
import { averagePrecision } from './average-precision.ts';
import { rocAuc } from './roc-auc.ts';
import { countAt, pointScores } from './point-metrics.ts';

// Issue 15's known values for the core's threshold-free metrics, computed with the
// references: scikit-learn 1.2 average_precision_score / roc_auc_score (as TSB-AD's
// metric_PR / metric_ROC call them).

/** n = 100, label[40:50] = 1, score[i] = max(0, 10 - |i - 45|) + 0.001 i, optionally np.roll(score, roll). */
function peakFixture(roll = 0) {
  const n = 100;
  const labels = new Uint8Array(n).fill(1, 40, 50);
  const base = Array.from({ length: n }, (_, i) => Math.max(0, 10 - Math.abs(i - 45)) + 0.001 * i);
  return { labels, scores: Float32Array.from(base, (_, i) => base[(i - roll + n) % n]!) };
}

describe('known values (issue 15)', () => {
  it('AUC-ROC 0.998889 and AUC-PR 0.990909 on the peak fixture; AUC-PR 0.191056 rolled by 8', () => {
    const { scores, labels } = peakFixture();
    expect(rocAuc(scores, labels).value!).toBeCloseTo(0.998889, 6);
    expect(averagePrecision(scores, labels).value!).toBeCloseTo(0.990909, 6);
    const rolled = peakFixture(8);
    expect(averagePrecision(rolled.scores, rolled.labels).value!).toBeCloseTo(0.191056, 6);
  });

  it('point-wise P / R / F1 = 0.333 / 0.444 / 0.381 for the range-based example', () => {
    const labels = new Uint8Array(60);
    for (const [s, e] of [[20, 21], [25, 27], [44, 47]] as const) labels.fill(1, s, e + 1);
    const flags = new Float32Array(60);
    for (const [s, e] of [[19, 20], [23, 30], [37, 37], [49, 49]] as const) flags.fill(1, s, e + 1);
    const p = pointScores(countAt(flags, labels, 0.5), 1);
    expect(p.precision!).toBeCloseTo(4 / 12, 12);
    expect(p.recall!).toBeCloseTo(4 / 9, 12);
    expect(p.f!).toBeCloseTo(0.380952, 6);
  });
});

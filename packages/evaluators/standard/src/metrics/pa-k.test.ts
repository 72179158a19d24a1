import { describe, expect, it } from 'vitest';
import { adjustPaK, paKScores, pointF1 } from './pa-k.ts';

// Expected values from the reference tadpak (tuslkkk/tadpak, `pak(scores, targets, thres, k)`)
// with scikit-learn's f1_score; the area uses numpy.trapz over K = 0..100 with dx = 0.01.

const labels = [0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
const scores = [0, 0.9, 0.2, 0.1, 0.3, 0.1, 0.8, 0, 0.1, 0.7, 0.9, 0.2, 0.6, 0.1, 0.1, 0.1, 0.1, 0.1, 0, 0.6];
const flags = scores.map((s) => (s > 0.5 ? 1 : 0)); // tadpak flags score > thres

describe('PA%K (Kim et al., as tadpak)', () => {
  it('matches tadpak at K = 0, 20, 50, 100 and the area under F1_PA%K', () => {
    const r = paKScores(labels, flags);
    expect(r.f1[0]).toBeCloseTo(0.9375, 9);
    expect(r.f1[20]).toBeCloseTo(0.7857142857142856, 9);
    expect(r.f1[50]).toBeCloseTo(0.3809523809523809, 9);
    expect(r.f1[100]).toBeCloseTo(0.3809523809523809, 9);
    expect(r.auc).toBeCloseTo(0.5299553571428572, 9);
  });

  it('hand-worked: K = 0 is point adjustment, K = 100 leaves the flags alone', () => {
    // Range 1..5: 1 of 5 flagged (20%); range 8..17: 3 of 10 flagged (30%).
    expect(Array.from(adjustPaK(labels, flags, 0)).slice(1, 6)).toEqual([1, 1, 1, 1, 1]);
    expect(Array.from(adjustPaK(labels, flags, 20)).slice(1, 6)).toEqual([1, 0, 0, 0, 0]); // 20% is not > 20%
    expect(Array.from(adjustPaK(labels, flags, 25)).slice(8, 18)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(adjustPaK(labels, flags, 100))).toEqual(flags);
    expect(pointF1(labels, flags)).toBeCloseTo((2 * 4) / (2 * 4 + 2 + 11), 12);
  });

  it('the per-range computation equals rebuilding the adjusted flags for every K', () => {
    const r = paKScores(labels, flags, [0, 5, 20, 25, 30, 33, 50, 99, 100]);
    for (const k of [0, 5, 20, 25, 30, 33, 50, 99, 100]) expect(r.f1[k]).toBeCloseTo(pointF1(labels, adjustPaK(labels, flags, k)), 12);
  });
});

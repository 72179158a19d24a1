import { describe, expect, it } from 'vitest';
import { rangePrecisionRecall } from './range-pr.ts';
import { pointF1 } from './pa-k.ts';

// Expected values computed with the reference prts (CompML/PRTS, ts_precision / ts_recall /
// ts_fscore), the implementation TimeEval's RangePrecision/RangeRecall wrap.

function vector(n: number, ranges: [number, number][]): Uint8Array {
  const v = new Uint8Array(n);
  for (const [s, e] of ranges) v.fill(1, s, e + 1); // inclusive ends
  return v;
}

const real = vector(60, [[20, 21], [25, 27], [44, 47]]);
const predicted = vector(60, [[19, 20], [23, 30], [37, 37], [49, 49]]);

describe('range-based precision / recall (Tatbul et al., as prts)', () => {
  it('reproduces the known values of issue 15 (reciprocal cardinality, flat bias, alpha 0)', () => {
    const r = rangePrecisionRecall(real, predicted);
    expect(r.recall).toBeCloseTo(0.5, 6);
    expect(r.precision).toBeCloseTo(0.21875, 6);
    expect(r.f1).toBeCloseTo(0.304348, 6);
    // Point-wise on the same flags: P 4/12, R 4/9, F1 8/21.
    expect(pointF1(real, predicted)).toBeCloseTo(0.380952, 6);
    expect(rangePrecisionRecall(Uint8Array.from([1, 1, 1, 0, 0]), Uint8Array.from([0, 1, 0, 0, 0])).f1).toBeCloseTo(0.5, 6);
  });

  it('matches prts for every bias and for an existence reward (alpha 0.5 on recall)', () => {
    const expected: Record<string, [number, number]> = {
      'flat/0': [0.5, 0.21875],
      'flat/0.5': [0.5833333333333334, 0.21875],
      'front/0': [0.5555555555555555, 0.1875],
      'front/0.5': [0.611111111111111, 0.1875],
      'middle/0': [0.5, 0.2625],
      'middle/0.5': [0.5833333333333334, 0.2625],
      'back/0': [0.4444444444444444, 0.25],
      'back/0.5': [0.5555555555555555, 0.25],
    };
    for (const [key, [recall, precision]] of Object.entries(expected)) {
      const [bias, alpha] = key.split('/') as ['flat' | 'front' | 'middle' | 'back', string];
      for (const cardinality of ['one', 'reciprocal'] as const) {
        const r = rangePrecisionRecall(real, predicted, { bias, alpha: Number(alpha), cardinality });
        expect(r.recall, `${key} ${cardinality} recall`).toBeCloseTo(recall, 6);
        expect(r.precision, `${key} ${cardinality} precision`).toBeCloseTo(precision, 6);
      }
    }
  });

  it('the cardinality factor divides by the number of overlaps (a prediction spanning two real ranges)', () => {
    const r2 = Uint8Array.from([0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0]);
    const p2 = Uint8Array.from([0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0]);
    expect(rangePrecisionRecall(r2, p2, { cardinality: 'one' })).toMatchObject({ recall: expect.closeTo(0.611111111111111, 6), precision: expect.closeTo(0.375, 6), f1: expect.closeTo(0.46478873239436613, 6) });
    expect(rangePrecisionRecall(r2, p2, { cardinality: 'reciprocal' })).toMatchObject({ recall: expect.closeTo(0.611111111111111, 6), precision: expect.closeTo(0.25, 6), f1: expect.closeTo(0.3548387096774193, 6) });
  });

  it('hand-worked: nothing flagged gives 0, a perfect match gives 1', () => {
    expect(rangePrecisionRecall(real, new Uint8Array(60))).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(rangePrecisionRecall(real, real)).toEqual({ precision: 1, recall: 1, f1: 1 });
    // One real range of 4 rows, half flagged in one run: recall 0.5, precision 1, F1 2/3.
    expect(rangePrecisionRecall(vector(10, [[2, 5]]), vector(10, [[2, 3]])).f1).toBeCloseTo(2 / 3, 12);
  });
});

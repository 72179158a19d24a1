import { describe, expect, it } from 'vitest';
import { rangeAucAt, rangeAucVolume, thresholdPositions, vusDegeneracy } from './vus.ts';

// Expected values computed with the reference, TheDatumOrg/TSB-AD (commit 8763009)
// TSB_AD/evaluation/basic_metrics.py `basic_metricor().RangeAUC_volume_opt(label, score, w)`
// (numpy 1.24, scikit-learn 1.2), to 1e-6.

/** Issue 15's fixture: n = 100, label[40:50] = 1, score[i] = max(0, 10 - |i - 45|) + 0.001 i. */
function peakFixture(roll = 0) {
  const n = 100;
  const labels = new Uint8Array(n).fill(1, 40, 50);
  const base = Array.from({ length: n }, (_, i) => Math.max(0, 10 - Math.abs(i - 45)) + 0.001 * i);
  const scores = base.map((_, i) => base[(i - roll + n) % n]!); // np.roll(score, roll)
  return { scores, labels };
}

/** Ranges at both borders, two ranges whose buffers overlap, tied scores and a tied block of false alarms. */
function borderFixture() {
  const n = 300;
  const labels = new Uint8Array(n);
  for (const [s, e] of [[0, 4], [100, 109], [118, 125], [290, 299]] as const) labels.fill(1, s, e + 1);
  const scores = Array.from({ length: n }, (_, i) => ((i * 37) % 101) / 8 + (labels[i] ? 3 : 0));
  scores.fill(14, 150, 160);
  return { scores, labels };
}

describe('VUS-PR / VUS-ROC (TSB-AD RangeAUC_volume_opt)', () => {
  it('reproduces the known values of issue 15 on the peak fixture', () => {
    const { scores, labels } = peakFixture();
    expect(rangeAucVolume(scores, labels, 0).vusPr).toBeCloseTo(0.990909, 6);
    expect(rangeAucVolume(scores, labels, 0).vusRoc).toBeCloseTo(0.998889, 6); // = AUC-ROC at window 0
    expect(rangeAucVolume(scores, labels, 5).vusPr).toBeCloseTo(0.995839, 6);
    const w10 = rangeAucVolume(scores, labels, 10);
    expect(w10.vusPr).toBeCloseTo(0.997441, 6);
    expect(w10.vusRoc).toBeCloseTo(0.999715, 6);
    expect(rangeAucVolume(scores, labels, 20).vusPr).toBeCloseTo(0.998505, 6);
    expect(w10.perWindow.map((p) => p.window)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('reproduces the known values on the same scores rolled right by 8 rows', () => {
    const { scores, labels } = peakFixture(8);
    const w10 = rangeAucVolume(scores, labels, 10);
    expect(w10.vusPr).toBeCloseTo(0.314675, 6);
    expect(w10.vusRoc).toBeCloseTo(0.760355, 6);
    expect(rangeAucVolume(scores, labels, 20).vusPr).toBeCloseTo(0.516448, 6);
    // Window 0 has no buffer: range-AUC-PR equals average precision (0.191056) there.
    expect(rangeAucAt(scores, labels, 0).rangeAucPr).toBeCloseTo(0.191056, 6);
  });

  it('matches the reference with ranges at the borders, overlapping buffers and ties', () => {
    const { scores, labels } = borderFixture();
    const expected: Record<number, [number, number]> = {
      0: [0.6615594143684032, 0.24956478897368228],
      1: [0.6615594143684032, 0.24956478897368228], // floor(1/2) = 0: no buffer yet
      2: [0.6714602538200704, 0.2544104077475042],
      3: [0.6775059279306044, 0.25740842767222727],
      7: [0.7040786923134947, 0.2706099768843054],
      16: [0.7454120575293853, 0.29494604915513706],
      30: [0.7837094975335959, 0.32740761180539824],
    };
    for (const [w, [roc, pr]] of Object.entries(expected)) {
      const result = rangeAucVolume(scores, labels, Number(w));
      expect(result.vusRoc, `VUS-ROC at ${w}`).toBeCloseTo(roc, 6);
      expect(result.vusPr, `VUS-PR at ${w}`).toBeCloseTo(pr, 6);
    }
    // Slices of the volume (range-AUC at a fixed buffer).
    expect(rangeAucAt(scores, labels, 4)).toMatchObject({ rangeAucRoc: expect.closeTo(0.7200991090264426, 6), rangeAucPr: expect.closeTo(0.27800827966001007, 6) });
    expect(rangeAucAt(scores, labels, 10)).toMatchObject({ rangeAucRoc: expect.closeTo(0.774209979592846, 6), rangeAucPr: expect.closeTo(0.30610800007488853, 6) });
    expect(rangeAucVolume(scores, labels, 30).perWindow[30]).toMatchObject({ rangeAucRoc: expect.closeTo(0.8547314565532182, 6), rangeAucPr: expect.closeTo(0.39772626714974013, 6) });
    // thre = 50 instead of 250.
    expect(rangeAucVolume(scores, labels, 10, 50)).toMatchObject({ vusRoc: expect.closeTo(0.7200970709938058, 6), vusPr: expect.closeTo(0.23164376615115775, 6) });
  });

  it('takes the thresholds at numpy linspace(0, n-1, T).astype(int) positions', () => {
    expect(Array.from(thresholdPositions(100, 250)).slice(0, 6)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(thresholdPositions(100, 250)[249]).toBe(99);
    expect(Array.from(thresholdPositions(5, 3))).toEqual([0, 2, 4]);
  });

  it('a perfect ranking scores 1 at every window; reversed scores score far lower', () => {
    const labels = new Uint8Array(200).fill(1, 80, 100);
    const perfect = Array.from(labels, (l) => l);
    const result = rangeAucVolume(perfect, labels, 8);
    expect(result.perWindow[0]!.rangeAucPr).toBeCloseTo(1, 12);
    expect(result.perWindow[0]!.rangeAucRoc).toBeCloseTo(1, 12);
    const reversed = rangeAucVolume(Array.from(labels, (l) => 1 - l), labels, 8);
    expect(reversed.vusPr).toBeLessThan(0.2);
  });

  it('names degenerate labels instead of dividing by zero', () => {
    expect(vusDegeneracy(new Uint8Array(5))).toMatch(/no anomalous rows/);
    expect(vusDegeneracy(new Uint8Array(5).fill(1))).toMatch(/every row/);
    expect(vusDegeneracy(new Uint8Array(0))).toMatch(/no scored rows/);
    expect(() => rangeAucVolume([1, 2], new Uint8Array(2), 2)).toThrow(/no anomalous rows/);
    expect(() => rangeAucVolume([1, 2], Uint8Array.from([0, 1]), -1)).toThrow(/window/);
  });
});

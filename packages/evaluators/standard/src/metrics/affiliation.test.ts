import { describe, expect, it } from 'vitest';
import { affiliationFromEvents, affiliationScores, vectorToEvents } from './affiliation.ts';

// Expected values from the reference ahstat/affiliation-metrics-py (`pr_from_events`) and its
// tests/test_metrics.py.

describe('affiliation precision / recall (Huet et al., as ahstat/affiliation-metrics-py)', () => {
  it('reproduces the known values of issue 15 (half-open events on [0, 10))', () => {
    const flags = [0, 0, 0, 0, 1, 0, 0, 0, 1, 0];
    const labels = [0, 0, 0, 1, 0, 0, 0, 1, 1, 1];
    expect(vectorToEvents(labels)).toEqual([[3, 4], [7, 10]]);
    const r = affiliationScores(labels, flags);
    expect(r.precision!).toBeCloseTo(0.8181818, 6);
    expect(r.recall).toBeCloseTo(0.8442761, 6);
    expect(r.f1!).toBeCloseTo((2 * 0.8181818181818181 * 0.8442760942760943) / (0.8181818181818181 + 0.8442760942760943), 9);
    const detail = affiliationFromEvents(vectorToEvents(flags), vectorToEvents(labels), [0, 10]);
    expect(detail.individualPrecisionProbabilities).toEqual([expect.closeTo(0.6363636363636364, 9), 1]);
    expect(detail.individualRecallProbabilities).toEqual([expect.closeTo(0.8181818181818181, 9), expect.closeTo(0.8703703703703703, 9)]);
  });

  it('reproduces the paper example (tests/test_metrics.py test_paper)', () => {
    const gt = [[0, 600], [3000, 4200], [10200, 10500]] as [number, number][];
    const pred = [[300, 360], [420, 600], [660, 720], [2400, 3600], [6900, 7800], [8100, 8400], [9900, 10200]] as [number, number][];
    const r = affiliationFromEvents(pred, gt, [0, 10800]);
    expect(r.individualPrecisionDistances.map((d) => Number(d.toFixed(9)))).toEqual([18, 690, 1875]);
    expect(r.individualRecallDistances.map((d) => Number(d.toFixed(9)))).toEqual([76.5, 150, 150]);
    expect(r.individualPrecisionProbabilities[1]).toBeCloseTo(0.672222222, 8);
    expect(r.individualRecallProbabilities[1]).toBeCloseTo(0.944444444, 8);
    expect(r.precision).toBeCloseTo(0.6394907407407407, 9);
    expect(r.recall).toBeCloseTo(0.9323148148148147, 9);
  });

  it('reproduces the distance examples and the coherence check of the reference tests', () => {
    const pred = [[1, 3], [6, 18], [25, 26]] as [number, number][];
    const gt = [[1, 8], [16, 17], [25, 28], [29, 31]] as [number, number][];
    const a = affiliationFromEvents(pred, gt, [1, 31]);
    expect(a.individualPrecisionDistances.slice(0, 3)).toEqual([8 / 8, 8.5 / 6, 0]);
    expect(a.individualPrecisionDistances[3]).toBeNaN();
    expect(a.individualRecallDistances).toEqual([2.25 / 7, 0, 2 / 3, Infinity]);
    const b = affiliationFromEvents(pred, gt, [1, 40]);
    expect(b.individualPrecisionProbabilities[2]).toBe(1);
    expect(b.individualPrecisionProbabilities[3]).toBeNaN();
    expect(b.individualRecallProbabilities[3]).toBe(0);
    expect(b.individualRecallProbabilities[1]).toBe(1);
    expect(b.precision).toBeCloseTo(0.7278338945005611, 9);
    expect(b.recall).toBeCloseTo(0.697195165945166, 9);
    expect(affiliationFromEvents([[1, 3], [5, 10]], [[1, 8], [16, 17]], [1, 31]).individualPrecisionDistances[0]).toBe((0 + 2 ** 2 / 2) / 7);
    expect(affiliationFromEvents([[1, 3]], [[1, 8], [16, 17]], [1, 31]).individualRecallDistances).toEqual([(5 ** 2 / 2) / 7, Infinity]);
  });

  it('nothing predicted: recall 0, precision undefined (null), as test_empty', () => {
    const r = affiliationFromEvents([], [[1, 10]], [1, 10]);
    expect(r.precision).toBeNaN();
    expect(r.recall).toBe(0);
    expect(affiliationScores([0, 1, 1, 0], [0, 0, 0, 0])).toEqual({ precision: null, recall: 0, f1: null });
  });

  it('rejects malformed events as the reference does', () => {
    expect(() => affiliationFromEvents([[4, 6], [6, 7]], [[1, 2]], [0, 10])).toThrow(/disjoint/);
    expect(() => affiliationFromEvents([[1, 3]], [], [0, 10])).toThrow(/at least one/);
    expect(() => affiliationFromEvents([[1, 3]], [[2, 12]], [0, 10])).toThrow(/Trange/);
  });

  it('hand-worked: flags equal to the labels give precision = recall = 1', () => {
    const labels = [0, 1, 1, 0, 0, 0, 1, 0];
    expect(affiliationScores(labels, labels)).toEqual({ precision: 1, recall: 1, f1: 1 });
  });
});

import { describe, expect, it } from 'vitest';
import { averagePrecision } from './average-precision.ts';
import { rocAuc } from './roc-auc.ts';
import { evaluateEvents, runsWhere } from './events.ts';
import { deployableThreshold } from './deployable-threshold.ts';
import { evaluateChannel, type EvaluationSettings } from './evaluate-channel.ts';
import { pointScores } from './point-metrics.ts';

const f32 = (xs: number[]) => Float32Array.from(xs);
const u8 = (xs: number[]) => Uint8Array.from(xs);
const settings: EvaluationSettings = { beta: 1, threshold: { method: 'max-train' } };

/** Every number anywhere in `value` is finite or null (no NaN, no Infinity). */
function expectNoNaN(value: unknown): void {
  JSON.stringify(value, (_key, v) => {
    if (typeof v === 'number') expect(Number.isFinite(v), `${v}`).toBe(true);
    return v;
  });
}

describe('average precision (step-wise, as sklearn)', () => {
  it('matches the hand-computed value', () => {
    // Ranked: 0.8 (+), 0.4 (-), 0.35 (+), 0.1 (-): AP = 0.5 * 1 + 0.5 * 2/3.
    expect(averagePrecision(f32([0.1, 0.4, 0.35, 0.8]), u8([0, 0, 1, 1])).value).toBeCloseTo(5 / 6, 12);
  });
  it('moves tied scores together', () => {
    // Groups: {1: +}, {0.5: +, -, -}: AP = 0.5 * 1 + 0.5 * 2/4.
    expect(averagePrecision(f32([0.5, 0.5, 0.5, 1]), u8([1, 0, 0, 1])).value).toBeCloseTo(0.75, 12);
  });
  it('skips the rows before firstValid', () => {
    expect(averagePrecision(f32([100, 100, 0.1, 0.4, 0.35, 0.8]), u8([0, 0, 0, 0, 1, 1]), 2).value).toBeCloseTo(5 / 6, 12);
  });
  it('is exactly 1, not 1.0000000000000002, when every row is anomalous', () => {
    // Nine distinct scores, all anomalous: the unclamped sum of 9 x 1/9 is 1.0000000000000002.
    expect(averagePrecision(f32([1, 2, 3, 4, 5, 6, 7, 8, 9]), u8([1, 1, 1, 1, 1, 1, 1, 1, 1])).value).toBe(1);
  });
  it('is null with a reason when undefined', () => {
    expect(averagePrecision(f32([1, 2]), u8([0, 0]))).toEqual({ value: null, note: 'AUC-PR undefined: no anomalous rows in the labels' });
    expect(averagePrecision(f32([3, 3, 3]), u8([0, 1, 0])).note).toMatch(/all scores are equal/);
    expect(averagePrecision(f32([]), u8([])).note).toMatch(/no scored rows/);
  });
});

describe('AUC-ROC', () => {
  it('matches the hand-computed value', () => {
    // Pairs (+, -): (0.35 vs 0.1) ok, (0.35 vs 0.4) wrong, (0.8 vs both) ok: 3/4.
    expect(rocAuc(f32([0.1, 0.4, 0.35, 0.8]), u8([0, 0, 1, 1])).value).toBeCloseTo(0.75, 12);
  });
  it('counts a tie between a positive and a negative as 1/2', () => {
    // Pairs: (1 vs 0.5) x2 ok, (0.5 vs 0.5) x2 ties: (2 + 1) / 4.
    expect(rocAuc(f32([0.5, 0.5, 0.5, 1]), u8([1, 0, 0, 1])).value).toBeCloseTo(0.75, 12);
    expect(rocAuc(f32([1, 0]), u8([1, 0])).value).toBe(1);
    expect(rocAuc(f32([0, 1]), u8([1, 0])).value).toBe(0);
  });
  it('is null when there are no positives, no negatives or constant scores', () => {
    expect(rocAuc(f32([1, 2]), u8([0, 0])).value).toBeNull();
    expect(rocAuc(f32([1, 2]), u8([1, 1])).note).toMatch(/every scored row is anomalous/);
    expect(rocAuc(f32([2, 2, 2]), u8([1, 0, 0])).note).toMatch(/all scores are equal/);
  });
});

describe('point metrics', () => {
  it('gives null instead of NaN where undefined', () => {
    expect(pointScores({ tp: 0, fp: 0, fn: 3, tn: 5 })).toEqual({ precision: null, recall: 0, f: 0 });
    expect(pointScores({ tp: 0, fp: 2, fn: 0, tn: 5 })).toEqual({ precision: 0, recall: null, f: 0 });
    expect(pointScores({ tp: 0, fp: 0, fn: 0, tn: 5 })).toEqual({ precision: null, recall: null, f: null });
    expect(pointScores({ tp: 1, fp: 1, fn: 1, tn: 0 }, 2).f).toBeCloseTo((5 * 0.5 * 0.5) / (4 * 0.5 + 0.5), 12);
  });
});

describe('events', () => {
  // Labelled ranges [1,4) and [7,9); flagged runs [2,3), [5,7), [9,10).
  const labels = u8([0, 1, 1, 1, 0, 0, 0, 1, 1, 0]);
  const scores = f32([0, 0, 5, 0, 0, 5, 5, 0, 0, 5]);

  it('finds runs', () => {
    expect(runsWhere(10, 0, (t) => labels[t] === 1)).toEqual([{ start: 1, end: 4 }, { start: 7, end: 9 }]);
    expect(runsWhere(10, 2, (t) => labels[t] === 1)).toEqual([{ start: 2, end: 4 }, { start: 7, end: 9 }]);
  });

  it('counts detected and missed ranges, false alarms, point and point-adjusted F1', () => {
    const e = evaluateEvents(scores, labels, 1);
    expect(e.ranges).toEqual([
      { start: 1, end: 4, detected: true, delay: 1 },
      { start: 7, end: 9, detected: false, delay: null },
    ]);
    expect(e.falseAlarms).toEqual([{ start: 5, end: 7 }, { start: 9, end: 10 }]);
    expect(e.flaggedEvents).toBe(3);
    // Point: tp 1, fp 3, fn 4. Adjusted: the detected range's 3 rows all count: tp 3, fp 3, fn 2.
    expect(e.point).toEqual({ precision: 0.25, recall: 0.2, f: 2 / 9 });
    expect(e.pointAdjusted).toEqual({ precision: 0.5, recall: 0.6, f: 6 / 11 });
  });

  it('handles no flags and no ranges', () => {
    const none = evaluateEvents(scores, labels, 10);
    expect(none.ranges.every((r) => !r.detected)).toBe(true);
    expect(none.point).toEqual({ precision: null, recall: 0, f: 0 });
    const clean = evaluateEvents(scores, new Uint8Array(10), 1);
    expect(clean.ranges).toEqual([]);
    expect(clean.falseAlarms).toHaveLength(3);
    expect(clean.point).toEqual({ precision: 0, recall: null, f: 0 });
  });
});

describe('deployable threshold', () => {
  it('takes the max or an interpolated quantile of the train scores after firstValid', () => {
    const train = f32([99, 1, 2, 3, 4, 5]);
    expect(deployableThreshold(train, 1, { method: 'max-train' })).toEqual({ threshold: 5, protocol: 'threshold = max train score (no test labels used)' });
    expect(deployableThreshold(train, 1, { method: 'quantile', quantile: 0.5 })!.threshold).toBe(3);
    expect(deployableThreshold(train, 1, { method: 'quantile', quantile: 0.9 })!.threshold).toBeCloseTo(4.6, 6);
    expect(deployableThreshold(train, 6, { method: 'max-train' })).toBeNull();
    expect(deployableThreshold(undefined, 0, { method: 'max-train' })).toBeNull();
    expect(() => deployableThreshold(train, 0, { method: 'quantile', quantile: 1.5 })).toThrow(/quantile must be in \(0, 1\]/);
  });
});

describe('evaluateChannel', () => {
  it('computes every metric on a small labelled case', () => {
    // Rows 0-1 unscored. Anomalous range [6, 9); train max 10.
    const scores = f32([0, 0, 2, 3, 50, 4, 80, 100, 40, 3, 20]);
    const labels = u8([0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0]);
    const { metrics, curves, events } = evaluateChannel({ scores, labels, trainScores: f32([0, 0, 5, 10, 2]), firstValid: 2 }, settings);
    // Oracle: threshold in [50, 80) flags 80, 100 -> P 1, R 2/3, F1 0.8; in [40, 50): flags 50, 80, 100 -> 2/3, 2/3;
    // in [20, 40): 50, 80, 100, 40 -> P 3/4, R 1, F1 6/7 (best).
    expect(metrics.oracle).toMatchObject({ f1: 6 / 7, precision: 0.75, recall: 1, beta: 1, fBeta: 6 / 7 });
    expect(metrics.oracle.threshold!).toBeGreaterThanOrEqual(20);
    expect(metrics.oracle.threshold!).toBeLessThan(40);
    expect(metrics.oracle.protocol).toMatch(/test labels/);
    // Ranked: 100+, 80+, 50-, 40+, 20-, 4-, 3-, 3-, 2-: AP = (1 + 1 + 3/4) / 3; ROC: 3 positives x 6 negatives,
    // wrong pairs: (40 < 50) only -> 17/18.
    expect(metrics.aucPr).toBeCloseTo(2.75 / 3, 6);
    expect(metrics.aucRoc).toBeCloseTo(17 / 18, 6);
    // Deployable: threshold 10 flags 50, 80, 100, 40, 20: tp 3, fp 2 -> P 0.6, R 1, F1 0.75.
    expect(metrics.deployable).toMatchObject({ threshold: 10, method: 'max-train', precision: 0.6, recall: 1, f1: 0.75, flaggedRows: 5 });
    expect(metrics.deployable.protocol).toMatch(/no test labels used/);
    // Events at 10: flagged runs [4,5) false alarm, [6,9) hits the range, [10,11) false alarm.
    expect(metrics.events.deployable).toEqual({ threshold: 10, ranges: 1, detected: 1, missed: 0, falseAlarms: 2, flaggedEvents: 3, pointF1: 0.75, pointAdjustedF1: 0.75 });
    expect(metrics.events.oracle).toMatchObject({ ranges: 1, detected: 1, falseAlarms: 1 });
    expect(events.deployable!.ranges).toEqual([{ start: 6, end: 9, detected: true, delay: 0 }]);
    expect(metrics).toMatchObject({ scoredRows: 9, anomalousRows: 3, notes: [] });
    expect(curves.threshold.length).toBe(curves.f.length);
    expectNoNaN(metrics);
  });

  const degenerate = {
    'an empty split': { scores: f32([0, 0]), labels: u8([0, 1]), trainScores: f32([0, 0, 5]), firstValid: 2, note: /no scored rows/ },
    'no anomalies': { scores: f32([0, 3, 9, 2]), labels: u8([0, 0, 0, 0]), trainScores: f32([0, 5]), firstValid: 1, note: /no anomalous rows in the test labels/ },
    'constant scores': { scores: f32([0, 7, 7, 7, 7]), labels: u8([0, 0, 1, 1, 0]), trainScores: f32([0, 5]), firstValid: 1, note: /all 4 scores are equal/ },
    'no threshold with P and R > 0': { scores: f32([0, 10, 10, 0, 0.5]), labels: u8([0, 0, 0, 1, 1]), trainScores: f32([0, 5]), firstValid: 1, note: /no threshold in \[1, max score\] gives non-zero precision and recall/ },
    'scores never above 1': { scores: f32([0, 0.2, 0.9, 0.5]), labels: u8([0, 0, 1, 0]), trainScores: f32([0, 0.3]), firstValid: 1, note: /max score 0.9000 <= 1/ },
  };
  for (const [name, c] of Object.entries(degenerate)) {
    it(`gives null oracle metrics and a note for ${name}, never NaN`, () => {
      const { metrics } = evaluateChannel(c, settings);
      expect(metrics.oracle).toMatchObject({ f1: null, precision: null, recall: null, threshold: null });
      expect(metrics.events.oracle).toBeNull();
      expect(metrics.notes.join('\n')).toMatch(c.note);
      expectNoNaN(metrics);
    });
  }

  it('keeps AUCs when only the oracle sweep is degenerate', () => {
    const { metrics } = evaluateChannel(degenerate['no threshold with P and R > 0'], settings);
    expect(metrics.aucRoc).toBe(0); // every anomaly scores below every normal row
    expect(metrics.deployable).toMatchObject({ threshold: 5, precision: 0, recall: 0, f1: 0 });
  });

  it('nulls the AUCs and deployable P/R/F without anomalies, but counts flags', () => {
    const { metrics } = evaluateChannel(degenerate['no anomalies'], settings);
    expect(metrics).toMatchObject({ aucPr: null, aucRoc: null, anomalousRows: 0 });
    expect(metrics.deployable).toMatchObject({ threshold: 5, flaggedRows: 1, precision: null, recall: null, f1: null });
  });

  it('says why the deployable precision is undefined when nothing is flagged', () => {
    const { metrics } = evaluateChannel({ scores: f32([0, 1, 2, 3]), labels: u8([0, 0, 1, 0]), trainScores: f32([0, 50]), firstValid: 1 }, settings);
    expect(metrics.deployable).toMatchObject({ threshold: 50, flaggedRows: 0, precision: null, recall: 0, f1: 0 });
    expect(metrics.notes.join('\n')).toMatch(/no test row is above the threshold/);
  });

  it('handles unlabelled series and missing train scores', () => {
    const { metrics } = evaluateChannel({ scores: f32([0, 1, 9, 3]), firstValid: 1, fixedThreshold: { threshold: 2, protocol: 'threshold from run x' } }, settings);
    expect(metrics).toMatchObject({ aucPr: null, aucRoc: null, anomalousRows: null, events: { deployable: null, oracle: null } });
    expect(metrics.deployable).toMatchObject({ threshold: 2, flaggedRows: 2, protocol: 'threshold from run x', f1: null });
    expect(metrics.notes[0]).toMatch(/unlabelled/);
    const noTrain = evaluateChannel({ scores: f32([0, 1, 9, 3]), labels: u8([0, 0, 1, 0]), firstValid: 1 }, settings).metrics;
    expect(noTrain.deployable.threshold).toBeNull();
    expect(noTrain.notes.join('\n')).toMatch(/no train scores/);
    expectNoNaN(noTrain);
  });

  it('uses the quantile rule when configured', () => {
    const { metrics } = evaluateChannel(
      { scores: f32([0, 1, 9, 3]), labels: u8([0, 0, 1, 0]), trainScores: f32([0, 1, 2, 3, 4, 5]), firstValid: 1 },
      { beta: 1, threshold: { method: 'quantile', quantile: 0.5 } },
    );
    expect(metrics.deployable).toMatchObject({ threshold: 3, method: 'quantile', quantile: 0.5, precision: 1, recall: 1, f1: 1 });
    expect(metrics.deployable.protocol).toBe('threshold = 0.5 quantile of train scores (no test labels used)');
  });
});

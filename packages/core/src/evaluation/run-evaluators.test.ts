import { describe, expect, it } from 'vitest';
import type { EvaluatorPlugin } from '../contracts/evaluator.ts';
import { evaluateChannel, type EvaluationSettings } from './evaluate-channel.ts';

const settings: EvaluationSettings = { beta: 1, threshold: { method: 'max-train' } };
// Rows 0..1 unscored; anomalies at 6..8.
const scores = Float32Array.from([0, 0, 1, 2, 1.5, 2, 30, 40, 35, 3]);
const labels = Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 0]);
const trainScores = Float32Array.from([0, 0, 1, 3, 2, 1, 2, 1, 2, 2.5]);

/** Records what it was given and reports the flagged count at each threshold. */
function probe(seen: unknown[]): EvaluatorPlugin {
  return {
    kind: 'evaluator',
    name: 'probe',
    description: 'test probe',
    metrics: [{ key: 'rows', label: 'rows', description: '', thresholded: false }, { key: 'flagged', label: 'flagged', description: '', thresholded: true }],
    evaluate(input) {
      seen.push(input);
      const atThreshold = Object.fromEntries(input.thresholds.map((t) => [t.name, { flagged: input.scores.filter((s) => s > t.threshold).length }]));
      return { metrics: { rows: input.scores.length, odd: NaN }, atThreshold, parameters: { p: 1 } };
    },
  };
}

describe('evaluator plugins in evaluateChannel', () => {
  it('get the scored rows only and both thresholds, and are stored with each threshold\'s protocol', () => {
    const seen: any[] = [];
    const { metrics, curves } = evaluateChannel({ scores, labels, trainScores, firstValid: 2 }, settings, [{ plugin: probe(seen), options: {} }]);
    expect(seen[0].scores).toEqual(scores.subarray(2));
    expect(seen[0].labels).toEqual(labels.subarray(2));
    expect(seen[0].thresholds.map((t: any) => t.name)).toEqual(['oracle', 'deployable']);
    const entry = metrics.evaluators!.probe!;
    expect(entry.metrics).toEqual({ rows: 8, odd: null });
    expect(entry.notes).toEqual(['odd is NaN: reported as null']);
    expect(entry.deployable).toEqual({ threshold: 3, protocol: 'threshold = max train score (no test labels used)', metrics: { flagged: 3 } });
    expect(entry.oracle!.protocol).toMatch(/test labels/);
    expect(entry.oracle!.metrics.flagged).toBe(3);
    expect(entry.parameters).toEqual({ p: 1 });
    expect(curves.threshold.length).toBeGreaterThan(0);
  });

  it('a throwing evaluator leaves null metrics and a note; unlabelled or anomaly-free channels run none', () => {
    const broken: EvaluatorPlugin = { ...probe([]), evaluate: () => { throw new Error('boom'); } };
    const entry = evaluateChannel({ scores, labels, trainScores, firstValid: 2 }, settings, [{ plugin: broken, options: {} }]).metrics.evaluators!.probe!;
    expect(entry.metrics).toEqual({ rows: null });
    expect(entry.deployable!.metrics).toEqual({ flagged: null });
    expect(entry.notes).toEqual(['evaluator "probe" failed: boom']);
    const seen: unknown[] = [];
    expect(evaluateChannel({ scores, trainScores, firstValid: 2 }, settings, [{ plugin: probe(seen), options: {} }]).metrics.evaluators).toEqual({});
    expect(evaluateChannel({ scores, labels: new Uint8Array(10), trainScores, firstValid: 2 }, settings, [{ plugin: probe(seen), options: {} }]).metrics.evaluators).toEqual({});
    expect(seen).toHaveLength(0);
  });

  it('rejects NaN or infinite scores before ranking, naming the channel and row', () => {
    const bad = Float32Array.from(scores);
    bad[7] = NaN;
    expect(() => evaluateChannel({ scores: bad, labels, trainScores, firstValid: 2, source: { channel: 'lead 1', split: 'test', offset: 100 } }, settings)).toThrow(
      'test scores of channel "lead 1" are NaN at row 7 of the split (file row 107)',
    );
    const badTrain = Float32Array.from(trainScores);
    badTrain[3] = Infinity;
    expect(() => evaluateChannel({ scores, labels, trainScores: badTrain, firstValid: 2, source: { channel: 'joint', split: 'test' } }, settings)).toThrow(/train scores of channel "joint" are Infinity at row 3/);
  });
});

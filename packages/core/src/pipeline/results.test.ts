import { afterAll, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '../testing/temp-dir.ts';
import { GaussianDetector } from '../detection/gaussian-detector.ts';
import { packArrays, readSeriesFolder, unpackArray } from './series-files.ts';
import { buildSeriesFiles, evaluateScores, headlineMetrics, writeResults, type RunResults, type ScoredSplit } from './results.ts';
import { formatMetricsSummary } from './summary.ts';

const temp = makeTempDir('anomalab-results-');
afterAll(() => temp.cleanup());

describe('binary series files', () => {
  it('packs named arrays as little-endian float32 and reads them back (NaN included)', () => {
    const { bytes, table } = packArrays({ a: [1, 2.5, NaN], b: Float32Array.from([-3]) });
    expect(bytes.byteLength).toBe(16);
    expect(table).toEqual({ a: { offset: 0, length: 3 }, b: { offset: 3, length: 1 } });
    expect(new DataView(bytes.buffer).getFloat32(4, true)).toBe(2.5);
    expect(Array.from(unpackArray(bytes, table.a!))).toEqual([1, 2.5, NaN]);
    expect(Array.from(unpackArray(bytes, table.b!))).toEqual([-3]);
  });
});

/** A 2-channel split of 8 rows, W = 2, forecast of x_{t+k} made at t = 10t + k. */
function scoredSplit(labelled: boolean): ScoredSplit {
  const rows = 8, C = 2, H = 2;
  const values = new Float32Array(rows * C).map((_, i) => i);
  const forecast = new Float32Array(rows * H * C);
  for (let t = 0; t < rows; t++) for (let k = 1; k <= H; k++) for (let c = 0; c < C; c++) forecast[(t * H + k - 1) * C + c] = 10 * t + k + 100 * c;
  const score = (xs: number[]) => Float32Array.from(xs);
  return {
    split: { rows, channels: C, values, offset: 40, labels: labelled ? Uint8Array.from([0, 0, 0, 0, 1, 1, 0, 0]) : undefined },
    splitName: 'test',
    channelNames: ['x', 'y'],
    scores: { channels: [score([0, 0, 1, 2, 30, 20, 3, 2]), score([0, 0, 5, 5, 5, 5, 5, 5])], joint: score([0, 0, 2, 3, 40, 30, 2, 1]) },
    trainScores: { channels: [score([0, 0, 4, 2]), score([0, 0, 5, 1])], joint: score([0, 0, 9, 1]) },
    forecast: { rows, channels: C, horizon: H, values: forecast },
    firstValid: 2,
  };
}

function resultsOf(input: ScoredSplit): RunResults {
  const evaluated = evaluateScores(input, { beta: 1, threshold: { method: 'max-train' } });
  return {
    format: 'anomalab-results/2', dataset: 'd/s', labelled: Boolean(input.split.labels), split: 'test', offset: 40, rows: 8, window: 2, weights: 'final', scoredEpoch: 3,
    detector: {}, evaluation: { beta: 1, threshold: { method: 'max-train' } },
    channels: evaluated.channels.map((e, c) => ({ channel: input.channelNames[c]!, metrics: e.metrics, events: e.events })),
    joint: evaluated.joint && { channel: 'joint', metrics: evaluated.joint.metrics, events: evaluated.joint.events },
    standardization: { mean: [0, 0], std: [1, 1] }, notes: [],
  };
}

describe('results and series files', () => {
  it('writes results.json and series/ that read back with predictions, scores, labels and curves', async () => {
    const input = scoredSplit(true);
    const evaluated = evaluateScores(input, { beta: 1, threshold: { method: 'max-train' } });
    const results = resultsOf(input);
    const series = buildSeriesFiles(input, { channels: evaluated.channels.map((e) => e.curves), joint: evaluated.joint!.curves }, 2);
    const dir = join(temp.dir, 'run');
    await writeResults(async (path, content) => {
      await mkdir(join(dir, path, '..'), { recursive: true });
      await writeFile(join(dir, path), content instanceof Uint8Array ? content : JSON.stringify(content));
    }, results, series);
    const { index, entries } = await readSeriesFolder(join(dir, 'series'));
    expect(index).toMatchObject({ format: 'anomalab-series/1', offset: 40, rows: 8, window: 2 });
    expect(index.entries.map((e) => [e.name, e.kind, e.file])).toEqual([['x', 'channel', 'channel-0.f32'], ['y', 'channel', 'channel-1.f32'], ['joint', 'joint', 'joint.f32']]);
    const y = entries.y!;
    expect(Array.from(y.target!)).toEqual([1, 3, 5, 7, 9, 11, 13, 15]);
    // Row 5, channel y: made at 4 (k=1): 141; at 3 (k=2): 132.
    expect(y.prediction1![5]).toBe(141);
    expect(y.predictionW![5]).toBe(132);
    expect(y.predictionMean![5]).toBe(136.5);
    expect(Number.isNaN(y.prediction1![0]!)).toBe(true);
    expect(Number.isNaN(y.predictionMean![1]!)).toBe(true);
    expect(Array.from(entries.joint!.label!)).toEqual([0, 0, 0, 0, 1, 1, 0, 0]);
    expect(Object.keys(entries.joint!)).toEqual(['score', 'label', 'curve.threshold', 'curve.precision', 'curve.recall', 'curve.f']);
    expect(entries.x!['curve.f']!.length).toBe(evaluated.channels[0]!.curves.f.length);
  });

  it('summarises labelled results in one table, with notes for degenerate channels', () => {
    const results = resultsOf(scoredSplit(true));
    const lines = formatMetricsSummary(results);
    expect(lines[0]).toBe('metrics (d/s, test rows 8, W=2, final weights of epoch 3):');
    expect(lines[1]).toMatch(/ORACLE F1 +P +R +AUC-PR +AUC-ROC +DEPLOY F1 +PA-F1 +P +R +RANGES +FALSE ALARMS/);
    expect(lines[2]).toMatch(/^ {2}x +1\.000 +1\.000 +1\.000 +1\.000 +1\.000 +1\.000 +1\.000 +1\.000 +1\.000 +1\/1 +0$/);
    expect(lines[3]).toMatch(/^ {2}y +- +- +- +- +- /); // constant scores
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}note \(y\): all 6 scores are equal/));
    expect(lines.length).toBeLessThan(12);
    expect(headlineMetrics(results).x!.oracle.f1).toBe(1);
  });

  it('summarises unlabelled results as thresholds and flagged rows', () => {
    const lines = formatMetricsSummary(resultsOf(scoredSplit(false)));
    expect(lines[1]).toMatch(/THRESHOLD +FLAGGED ROWS +SCORED ROWS/);
    expect(lines[2]).toMatch(/^ {2}x +4\.0000 +2 +6$/);
  });
});

describe('Gaussian detector state', () => {
  it('round-trips through getState/setState (what the checkpoint stores) with identical scores', () => {
    const values = Float32Array.from({ length: 3 * 50 * 2 }, (_, i) => Math.sin(i * 1.7) + (i % 7) * 0.1);
    const errors = { rows: 50, channels: 3, dim: 2, firstValid: 0, values };
    const a = new GaussianDetector({ joint: true });
    a.fit(errors);
    const b = new GaussianDetector({ joint: true });
    b.setState(JSON.parse(JSON.stringify(a.getState())));
    expect(b.score(errors)).toEqual(a.score(errors));
    expect(b.describe()).toMatchObject({ ridge: [0, 0, 0], jointRidge: 0, trainVectors: 50 });
  });
});

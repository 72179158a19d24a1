// The join: train stream against the batch score() of the same predictor: real ECG rows,
// both row rules, a stream shorter than m, constant stretches, and a long stream (drift).
import { describe, expect, it } from 'vitest';
import type { DirectScores, Series, StreamRowScores } from '@anomalab/core';
import { MatrixProfilePredictor } from './mp-predictor.ts';
import type { RowScore } from './rows.ts';
import { channelOf, channelStats, loadSeries, standardize } from './test-support.ts';

/** A predictor restored with a train split as its reference (what a run's checkpoint holds). */
async function predictorFor(train: Series, m: number, rule: RowScore): Promise<MatrixProfilePredictor> {
  const p = new MatrixProfilePredictor({ join: 'train', window: m, row_score: rule, discords: 0 }, train.channels);
  await p.setState({ format: 'matrix-profile/1', tensors: { reference: { shape: [train.rows, train.channels], data: train.values } }, json: { window: m, channels: train.channels, join: 'train' } });
  return p;
}

/** Every row of `series` pushed, then finish(); one entry per row. */
async function streamed(p: MatrixProfilePredictor, series: Series): Promise<StreamRowScores[]> {
  const stream = await p.openStream!();
  const out: StreamRowScores[] = [];
  const settledAfter: number[] = [];
  for (let t = 0; t < series.rows; t++) {
    const step = stream.push(series.values.subarray(t * series.channels, (t + 1) * series.channels));
    for (const s of step.scored ?? []) (out.push(s), settledAfter.push(t));
  }
  out.push(...(stream.finish!().scored ?? []));
  stream.dispose();
  expect(out.map((s) => s.row)).toEqual(Array.from({ length: series.rows }, (_, t) => t));
  // Row t settles when row t + m - 1 arrives (all its covering subsequences), not before.
  const m = Number((await p.getState()).json.window);
  settledAfter.forEach((after, t) => expect(after).toBe(t + m - 1));
  return out;
}

/** Largest difference relative to max(|batch|, 1), channels and joint. */
function worst(stream: StreamRowScores[], batch: DirectScores): number {
  let max = 0;
  for (const s of stream) {
    s.channels.forEach((v, c) => (max = Math.max(max, Math.abs(v - batch.channels[c]![s.row]!) / Math.max(1, Math.abs(batch.channels[c]![s.row]!)))));
    if (batch.joint) max = Math.max(max, Math.abs(Math.fround(s.joint!) - batch.joint[s.row]!) / Math.max(1, batch.joint[s.row]!));
  }
  return max;
}

describe('matrix-profile join: train stream', () => {
  it('equals the batch scores on ECG (both row rules) and on a long stream (power demand, 10,000 rows: no drift)', async () => {
    const ecg = await loadSeries('ecg', 'chfdb_chf13_45590');
    const stats = channelStats(ecg.train);
    const train = standardize(ecg.train, stats);
    const test = standardize(ecg.test, stats);
    for (const rule of ['max', 'mean'] as const) {
      const p = await predictorFor(train, 50, rule);
      expect(worst(await streamed(p, test), await p.score(test, { trainSplit: false }))).toBeLessThanOrEqual(1e-6);
    }
    const power = await loadSeries('power_demand', 'power_data');
    const pStats = channelStats(power.train);
    const pTrain = standardize({ ...power.train, rows: 3000, values: power.train.values.subarray(0, 3000) }, pStats);
    const pTest = standardize({ ...power.test, rows: 10_000, values: power.test.values.subarray(0, 10_000), labels: undefined }, pStats);
    const p = await predictorFor(pTrain, 96, 'max');
    expect(worst(await streamed(p, pTest), await p.score(pTest, { trainSplit: false }))).toBeLessThanOrEqual(1e-5);
  });

  it('constant stretches and a stream shorter than m score as the batch path', async () => {
    const wave = (t: number) => Math.sin(t / 3) + 0.3 * Math.sin(t / 7);
    const train: Series = { rows: 300, channels: 2, values: Float32Array.from({ length: 600 }, (_, i) => (i % 2 === 0 ? wave(i >> 1) : Math.floor(i / 2) % 50 < 25 ? 1 : wave(i))) };
    const test: Series = { rows: 120, channels: 2, values: Float32Array.from({ length: 240 }, (_, i) => ((i >> 1) > 40 && (i >> 1) < 70 ? 2 : wave(i + 5))) };
    const p = await predictorFor(train, 12, 'max');
    expect(worst(await streamed(p, test), await p.score(test, { trainSplit: false }))).toBeLessThanOrEqual(1e-6);
    expect(channelOf(test, 0).subarray(45, 60).every((v) => v === 2)).toBe(true); // the constant stretch is there
    // Fewer rows than m: every row 0 at finish(), as the batch path.
    const short: Series = { rows: 5, channels: 2, values: test.values.slice(0, 10) };
    const stream = await p.openStream!();
    for (let t = 0; t < 5; t++) expect(stream.push(short.values.subarray(2 * t, 2 * t + 2)).scored ?? []).toEqual([]);
    expect(stream.finish!().scored).toEqual(Array.from({ length: 5 }, (_, t) => ({ row: t, channels: [0, 0], joint: 0 })));
    expect((await p.score(short, { trainSplit: false })).channels[0]).toEqual(new Float32Array(5));
  });

  it('join: self does not stream', () => {
    const p = new MatrixProfilePredictor({ join: 'self', window: 12, row_score: 'max', discords: 0 }, 1);
    expect(p.openStream).toBeUndefined();
  });
});

// Online scoring on real data: a run trained on an ECG record (benchmark mirror), its test
// split pushed row by row through openRunStream, compared with the scores the run stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { AnomalabError, createAnomalab, openRunStream, readSeriesFolder, type Anomalab, type LoadedSeries, type RunResults, type StreamScore } from '@anomalab/core';
import { makeTempDir } from '@anomalab/core/testing';
import { findTestMirror } from '@anomalab/datasets/testing';

const mirror = findTestMirror();
const temp = makeTempDir('anomalab-streaming-');
afterAll(() => temp.cleanup());

const SERIES = 'chfdb_chf13_45590';
let app: Anomalab;
let ecg: LoadedSeries;

/** Train a run of `model` on the ECG record; returns its id and results. */
async function train(model: string, options: Record<string, unknown>, extra = ''): Promise<{ id: string; results: RunResults }> {
  const text = `name: stream-${model}\nseed: 1111\ndataset: {name: ecg, series: ${SERIES}}\nmodel: {name: ${model}, options: ${JSON.stringify(options)}}\ntraining: {epochs: 1}\ndetector: {name: gaussian, window: 10}\n${extra}`;
  const outcome = await app.run(await app.load({ text }), { quiet: true });
  expect(outcome.run.status).toBe('completed');
  return { id: outcome.run.id, results: outcome.results };
}

/** Every raw test row through a fresh session of the run, then finish(): one push per row, or pushRows() batches of the given sizes (cycled). */
async function streamTestSplit(id: string, batches?: number[]): Promise<StreamScore[]> {
  const session = await openRunStream(app.registry, app.runs, id);
  const { rows, channels, values } = ecg.test;
  const row = (t: number) => Array.from(values.subarray(t * channels, (t + 1) * channels));
  const out: StreamScore[] = [];
  try {
    if (!batches) for (let t = 0; t < rows; t++) out.push(...session.push(row(t)));
    else {
      for (let t = 0, b = 0; t < rows; b++) {
        const n = Math.min(batches[b % batches.length]!, rows - t);
        out.push(...session.pushRows(Array.from({ length: n }, (_, i) => row(t + i))));
        t += n;
      }
    }
    out.push(...session.finish());
  } finally {
    session.dispose();
  }
  return out;
}

describe('openRunStream on ecg/chfdb_chf13_45590', () => {
  beforeAll(async () => {
    if (!mirror.dir) throw new Error(mirror.reason);
    app = await createAnomalab({ runsDir: join(temp.dir, 'runs'), dataMirror: mirror.dir });
    ecg = await app.loadSeries({ dataset: 'ecg', series: SERIES });
  });

  it.each([
    ['baselines', { method: 'seasonal-naive' }],
    ['baselines', { method: 'last-value' }],
    // rnn at its default size and engine (fused), trained briefly; both engines' streams equal their batch forecasts in packages/models/rnn/src/forecast-stream.test.ts.
    ['rnn', { augment_length: 800, batch_size: 16, bptt: 25 }],
    // Direct-score models: rows settle once their covering subsequences have arrived (m = 143 estimated here).
    ['matrix-profile', { join: 'train' }],
    ['kmeans', {}],
  ])('%s %j: the streamed test split reproduces the run\'s stored scores and deployable alarms', async (model, options) => {
    const { id, results } = await train(model, options);
    const streamed = await streamTestSplit(id);
    expect(streamed.map((s) => s.row)).toEqual(Array.from({ length: ecg.test.rows }, (_, t) => t));
    const { entries } = await readSeriesFolder(join(app.runs.dirOf(id), 'series'));
    const names = ['lead1', 'lead2'];
    expect(results.channels.map((c) => c.channel)).toEqual(names);
    const batch = [...names.map((n) => entries[n]!.score!), entries.joint!.score!];
    const thresholds = [...results.channels.map((c) => c.metrics.deployable.threshold!), results.joint!.metrics.deployable.threshold!];
    let worst = 0;
    let alarms = 0;
    // Prediction models: the first W rows have no error vector. Direct-score models here score every row.
    const unscored = results.detector.none ? 0 : results.window;
    for (const s of streamed) {
      if (s.row < unscored) {
        // No score (the batch path stores 0 and leaves the row out of evaluation).
        expect(s).toEqual({ row: s.row, scores: [null, null], joint: null, alarm: false, alarms: [false, false] });
        continue;
      }
      const values = [...s.scores, s.joint] as number[];
      values.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - batch[i]![s.row]!) / Math.abs(batch[i]![s.row]!))));
      expect(s.alarms).toEqual([0, 1].map((c) => batch[c]![s.row]! > thresholds[c]!));
      expect(s.alarm).toBe(batch[2]![s.row]! > thresholds[2]!); // a joint score: the joint alarm
      if (s.alarm) alarms++;
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
    // Some rows cross the run's threshold, so the alarm comparison above is not vacuous.
    expect(alarms).toBeGreaterThan(0);
    // Batches (the rnn's fused stream runs them together; the others push row by row): the same scores, exactly.
    expect(await streamTestSplit(id, [1, 7, 1000, 64])).toEqual(streamed);
  });

  it('refuses a run whose model cannot stream (matrix-profile join: self), naming the model', async () => {
    const { id } = await train('matrix-profile', { join: 'self', window: 100 });
    const error = await openRunStream(app.registry, app.runs, id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnomalabError);
    expect((error as AnomalabError).code).toBe('ANOMALAB_USAGE');
    expect((error as Error).message).toBe(`run ${id}: model "matrix-profile" cannot stream (it does not implement Predictor.openStream); score whole series with \`anomalab score ${id} --series <dataset>/<series>\` instead`);
  });

  it('refuses bad rows with the row number, the channel and what was expected; the session stays usable', async () => {
    const { id } = await train('baselines', { method: 'last-value' });
    const session = await openRunStream(app.registry, app.runs, id);
    try {
      expect(session.channelNames).toEqual(['lead1', 'lead2']);
      expect(session.push([0.1, 0.2])).toHaveLength(1);
      const refused = (row: unknown) => {
        try {
          session.push(row as number[]);
        } catch (error) {
          expect(error).toBeInstanceOf(AnomalabError);
          expect((error as AnomalabError).code).toBe('ANOMALAB_DATA_INVALID');
          return (error as Error).message;
        }
        throw new Error(`row ${JSON.stringify(row)} was accepted`);
      };
      expect(refused([1])).toBe('row 1: expected 2 value(s) (lead1, lead2), got 1');
      expect(refused([1, Number.NaN])).toBe('row 1, channel lead2: expected a finite number, got NaN');
      expect(refused(['1', 2])).toBe('row 1, channel lead1: expected a finite number, got "1"');
      expect(refused([1, 1e39])).toBe('row 1, channel lead2: 1e+39 is outside the float32 range the models compute in');
      expect(refused(null)).toMatch(/^row 1: expected an array of 2 number\(s\)/);
      expect(session.rowsPushed).toBe(1);
      // A batch with one bad row is refused whole, naming that row: nothing of it is pushed.
      expect(() => session.pushRows([[0.1, 0.2], [0.3, Number.POSITIVE_INFINITY]])).toThrow('row 2, channel lead2: expected a finite number, got Infinity');
      expect(session.rowsPushed).toBe(1);
      expect(session.push([0.1, 0.2])[0]!.row).toBe(1);
      expect(session.finish()).toEqual([]);
      expect(() => session.push([0, 0])).toThrow(/finished/);
    } finally {
      session.dispose();
    }
  });
});

// "Must show" (issue 17, model level): pushing the rows of a series one at a time into
// openStream gives exactly the rows of forecast(series, W), from the same (zero) state, on
// both engines; several streams on one predictor and batch forecasts in between do not
// disturb each other.
import { describe, expect, it } from 'vitest';
import type { PredictorStream, Series } from '@anomalab/core';
import type { Engine } from './config.ts';
import { WEIGHTS_CHANGED } from './forecast-stream.ts';
import { createPredictor, ecgSeries, ECG_FILE, testServices, trainContext } from './test-support.ts';

/** Max over elements of |a - b| / max(|b|, 1e-3) (as ./forecast.test.ts). */
function maxRelativeError(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), 1e-3));
  return worst;
}

function rowsOf(series: Series, from: number, to: number): Float32Array[] {
  const C = series.channels;
  return Array.from({ length: to - from }, (_, i) => series.values.slice((from + i) * C, (from + i + 1) * C));
}

/** Pushes rows, collecting the forecasts into `into` (one Forecast.values row per pushed row). */
function pushAll(stream: PredictorStream, rows: Float32Array[], into: Float32Array[]): void {
  for (const row of rows) into.push(stream.push(row).forecast!);
}

const concat = (parts: Float32Array[]) => {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
};

// ECG chfdb_chf13_45590 (2 leads) from the data mirror: train on the first 400 rows, stream the next 200.
const ecg = ecgSeries(600);
const W = 10;

describe.each(['fused', 'tfjs'] satisfies Engine[])('rnn openStream (engine %s)', (engine) => {
  it(`streams reproduce forecast(series, ${W}) on ECG (${ECG_FILE}), with several streams open and a batch forecast in between`, async () => {
    expect(ecg, `the ECG series of the data mirror (${ECG_FILE})`).toBeDefined();
    const C = ecg!.channels;
    const train: Series = { rows: 400, channels: C, values: ecg!.values.slice(0, 400 * C) };
    const test: Series = { rows: 200, channels: C, values: ecg!.values.slice(400 * C) };
    const services = testServices();
    // The rnn default size (E = H = 32, 2 LSTM layers), trained briefly on a short augmented series.
    const predictor = await createPredictor({ engine, augment_length: 800, batch_size: 16, bptt: 25 }, C, 1111, services);
    await predictor.train({ train }, trainContext(1, services).context);
    const batch = (await predictor.forecast(test, W)).values;
    const rows = rowsOf(test, 0, test.rows);

    const a = await predictor.openStream({ horizon: W });
    const outA: Float32Array[] = [];
    pushAll(a, rows.slice(0, 120), outA);
    // A batch forecast of another series while `a` is half-way, then a second stream from the start, interleaved with `a`.
    const trainBatch = (await predictor.forecast(train, W)).values;
    const b = await predictor.openStream({ horizon: W });
    const outB: Float32Array[] = [];
    for (let t = 0; t < rows.length; t++) {
      pushAll(b, [rows[t]!], outB);
      if (t + 120 < rows.length) pushAll(a, [rows[t + 120]!], outA);
    }
    // A stream on another horizon shares nothing it could disturb.
    const c = await predictor.openStream({ horizon: 3 });
    const outC: Float32Array[] = [];
    pushAll(c, rows.slice(0, 50), outC);

    expect(outA).toHaveLength(test.rows);
    expect(outA[0]).toHaveLength(W * C);
    expect(maxRelativeError(concat(outA), batch)).toBeLessThanOrEqual(1e-5);
    expect(maxRelativeError(concat(outB), batch)).toBeLessThanOrEqual(1e-5);
    const short = (await predictor.forecast({ rows: 50, channels: C, values: test.values.slice(0, 50 * C) }, 3)).values;
    expect(maxRelativeError(concat(outC), short)).toBeLessThanOrEqual(1e-5);
    // The batch path is unaffected by the open streams.
    expect((await predictor.forecast(test, W)).values).toEqual(batch);
    expect((await predictor.forecast(train, W)).values).toEqual(trainBatch);
    // The returned forecasts are the caller's: the next push does not overwrite them.
    expect(outA[0]).toEqual(batch.slice(0, W * C));

    for (const s of [a, b, c]) s.dispose();
    predictor.dispose();
  });

  it('refuses rows of the wrong width, pushes after dispose, and rows after the weights changed', async () => {
    const predictor = await createPredictor({ engine, embedding: 4, hidden: 4, layers: 1 }, 2);
    const tensorsBefore = predictor.net.tf.memory().numTensors;
    const stream = await predictor.openStream({ horizon: 4 });
    expect(() => stream.push(new Float32Array(3))).toThrow('rnn: a row has 2 value(s) (channels), got 3');
    expect(stream.push(new Float32Array([0.5, -0.5])).forecast).toHaveLength(8);
    stream.dispose();
    expect(() => stream.push(new Float32Array(2))).toThrow('rnn: push on a disposed stream');
    // tfjs: the stream's weight views and state are freed by dispose().
    expect(predictor.net.tf.memory().numTensors).toBe(tensorsBefore);

    const open = await predictor.openStream({ horizon: 4 });
    await predictor.setState(await predictor.getState()); // new parameter tensor (same values)
    expect(() => open.push(new Float32Array(2))).toThrow(WEIGHTS_CHANGED);
    const fresh = await predictor.openStream({ horizon: 4 });
    expect(fresh.push(new Float32Array(2)).forecast).toHaveLength(8);
    await expect(predictor.openStream({ horizon: 0 })).rejects.toThrow('rnn: forecast horizon must be an integer >= 1, got 0');
    open.dispose();
    fresh.dispose();
    predictor.dispose();
  });
});

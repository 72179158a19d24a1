import { describe, expect, it } from 'vitest';
import type { Forecast, Series } from '@anomalab/core';
import { forecastBatched, forecastNaive } from './forecast.ts';
import { createPredictor, ecgSeries, ECG_FILE, syntheticSplits, testServices, trainContext, TINY } from './test-support.ts';
import type { RnnOptions } from './config.ts';

/** Max over elements of |a - b| / max(|b|, 1e-3): relative error, guarded near zero. */
function maxRelativeError(a: Forecast, b: Forecast): number {
  let worst = 0;
  for (let i = 0; i < b.values.length; i++) worst = Math.max(worst, Math.abs(a.values[i]! - b.values[i]!) / Math.max(Math.abs(b.values[i]!), 1e-3));
  return worst;
}

async function trainedPredictor(options: Partial<RnnOptions>, series: Series) {
  const services = testServices();
  const predictor = await createPredictor(options, series.channels, 1111, services);
  const { context } = trainContext(1, services);
  await predictor.train({ train: series }, context);
  return predictor;
}

const ecg = ecgSeries(160);

describe('batched forecast', () => {
  it.skipIf(!ecg)(`equals the reference's row-by-row loop on ECG (${ECG_FILE}, first 160 rows, W=10)`, async () => {
    // The tfjs reference path (forecastBatched); the fused engine's forecast is compared with it in src/fused/.
    const predictor = await trainedPredictor({ ...TINY, augment_length: 640, engine: 'tfjs' }, ecg!);
    const naive = forecastNaive(predictor.net, ecg!, 10);
    // Small chunks: the state is carried across chunk boundaries too.
    const batched = forecastBatched(predictor.net, ecg!, 10, 48);
    expect(batched.rows).toBe(160);
    expect(batched.channels).toBe(2);
    expect(batched.horizon).toBe(10);
    expect(maxRelativeError(batched, naive)).toBeLessThanOrEqual(1e-5);
    expect((await predictor.forecast(ecg!, 10)).values).toEqual(batched.values);
    predictor.dispose();
  });
  if (!ecg) it('ECG mirror absent: the ECG equality test was skipped', () => console.warn(`skipped: ${ECG_FILE} not found`));

  it('equals the row-by-row loop for GRU with residual on synthetic data', async () => {
    const { test } = syntheticSplits(240, 2);
    const predictor = await trainedPredictor({ ...TINY, cell: 'GRU', residual: true, embedding: 6, augment_length: 640, engine: 'tfjs' }, test);
    const naive = forecastNaive(predictor.net, test, 5);
    const batched = forecastBatched(predictor.net, test, 5, 50);
    expect(maxRelativeError(batched, naive)).toBeLessThanOrEqual(1e-5);
    predictor.dispose();
  });
});

// The two-thread forecast (./forecast-threads.ts) gives ForecastKernel's numbers bit for bit:
// the free-running steps of any row range equal those of the whole chunk (the kernel's
// exports, directly), and streams on a ThreadedForecastKernel, interleaved, with odd push
// sizes and pushes over the chunk size, equal streams on a single-thread kernel exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Series } from '@anomalab/core';
import { createPredictor, ecgSeries, ECG_FILE, testServices, trainContext } from '../test-support.ts';
import { CELL_CODES, ForecastKernel, type FusedExports } from './forecast-kernel.ts';
import { ThreadedForecastKernel } from './forecast-threads.ts';
import { fusedModule } from './kernel.ts';
import type { RnnPredictor } from '../rnn-predictor.ts';
import type { Architecture } from '../rnn-model.ts';

const W = 10;
const ecg = ecgSeries(3749);

/** The number of positions where a and b differ (0: the same bits, NaN-free here). */
function differing(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** Rows [from, from + count) of the series, cycling. */
function rowsAt(series: Series, from: number, count: number): Float32Array {
  const C = series.channels;
  const out = new Float32Array(count * C);
  for (let i = 0; i < count; i++) out.set(series.values.subarray(((from + i) % series.rows) * C, (((from + i) % series.rows) + 1) * C), i * C);
  return out;
}

describe('two-thread forecast', () => {
  // The rnn default size (E = H = 32, 2 LSTM layers, forecast_threads: 2) trained briefly on ECG.
  let predictor: RnnPredictor;
  let arch: Architecture;
  let params: Float32Array;
  let C: number;
  beforeAll(async () => {
    expect(ecg, `the ECG series of the data mirror (${ECG_FILE})`).toBeDefined();
    C = ecg!.channels;
    const services = testServices();
    predictor = await createPredictor({ augment_length: 800, batch_size: 16, bptt: 25 }, C, 1111, services);
    await predictor.train({ train: { rows: 400, channels: C, values: ecg!.values.slice(0, 400 * C) } }, trainContext(1, services).context);
    arch = predictor.net.arch;
    params = (predictor.net.params.dataSync() as Float32Array).slice();
  }, 60_000);
  afterAll(() => predictor?.dispose());

  it('free-running steps of any row range give the bits of the whole chunk (kernel exports)', () => {
    const n = 203;
    const run = (ranges: [number, number][]) => {
      const x = new WebAssembly.Instance(fusedModule(), {}).exports as unknown as FusedExports;
      x.init(C, arch.embedding, arch.hidden, arch.layers, CELL_CODES[arch.cell], arch.residual, 1, 1);
      const out = x.forecastInit(256, W);
      new Float32Array(x.memory.buffer, x.paramsPtr(), params.length).set(params);
      x.prepare();
      new Float32Array(x.memory.buffer, x.forecastInputPtr(), n * C).set(rowsAt(ecg!, 500, n));
      if (ranges.length === 0) x.forecastChunk(n);
      else {
        x.forecastTeacherPass(n);
        for (const [from, to] of ranges) x.forecastFreeRows(from, to);
      }
      return new Float32Array(x.memory.buffer, out, n * W * C).slice();
    };
    const whole = run([]);
    expect(whole.some((v) => v !== 0)).toBe(true);
    for (const ranges of [[[0, n]], [[0, 1], [1, 5], [5, 6], [6, 103], [103, 203]], [[150, 203], [3, 150], [0, 3]], [[0, 101], [101, 202], [202, 203]]] as [number, number][][]) {
      expect(differing(run(ranges), whole), JSON.stringify(ranges)).toBe(0);
    }
  });

  it('interleaved streams with pushes of 1 to 3,001 rows (over the 2,048-row chunk) equal the single-thread kernel exactly; kernels share one helper thread, which ends with the last dispose', async () => {
    const single = new ForecastKernel(new WebAssembly.Instance(fusedModule(), {}), arch, W);
    const threaded = new ThreadedForecastKernel(fusedModule(), arch, W, undefined, { minRows: 2, adaptive: false });
    single.load(params);
    threaded.load(params);
    threaded.start();
    expect(await threaded.ready()).toBe(true);
    const streams = [0, 1].map(() => ({ single: single.openStream(), threaded: threaded.openStream(), at: 0 }));
    const sizes = [1, 2, 3, 64, 65, 999, 1000, 2048, 2049, 3001, 7, 4097];
    for (const [i, count] of sizes.entries()) {
      // Alternate the streams: each keeps its own state on the shared kernels.
      const s = streams[i % 2]!;
      const rows = rowsAt(ecg!, s.at, count);
      s.at += count;
      const a = s.single.pushRows!(rows, count);
      const b = s.threaded.pushRows!(rows, count);
      const fa = new Float32Array(count * W * C);
      const fb = new Float32Array(count * W * C);
      a.forEach((step, r) => fa.set(step.forecast!, r * W * C));
      b.forEach((step, r) => fb.set(step.forecast!, r * W * C));
      expect(differing(fb, fa), `push ${i} of ${count} rows`).toBe(0);
    }
    // Batch forecasts too (they start the worker from minBatchRows rows; it is running here).
    const series: Series = { rows: 2500, channels: C, values: rowsAt(ecg!, 100, 2500) };
    expect(differing(threaded.forecast(series.values, series.rows), single.forecast(series.values, series.rows))).toBe(0);
    // Every push of >= 2 rows was split, the worker took rows of each.
    expect(threaded.stats.splitChunks).toBeGreaterThanOrEqual(sizes.filter((n) => n >= 2).length + 2);
    expect(threaded.stats.workerRows).toBeGreaterThan(0);
    expect(threaded.stats.mainRows).toBeGreaterThan(0);

    // A second kernel (another horizon) shares the helper thread; the thread ends with the last of them.
    const other = new ThreadedForecastKernel(fusedModule(), arch, 3, undefined, { minRows: 2, adaptive: false });
    const otherSingle = new ForecastKernel(new WebAssembly.Instance(fusedModule(), {}), arch, 3);
    other.load(params);
    otherSingle.load(params);
    other.start();
    expect(await other.ready()).toBe(true);
    const rows500 = rowsAt(ecg!, 0, 500);
    expect(differing(other.forecast(rows500, 500), otherSingle.forecast(rows500, 500))).toBe(0);
    expect(other.stats.splitChunks).toBe(1);
    expect(threaded.liveThreads).toHaveLength(1);
    expect(other.liveThreads).toEqual(threaded.liveThreads);
    await threaded.dispose();
    expect(other.liveThreads).toHaveLength(1);
    await other.dispose();
    expect(threaded.liveThreads).toEqual([]);
    expect(other.liveThreads).toEqual([]);
    expect(threaded.threaded).toBe(false);
    // Still usable, on the calling thread alone.
    const split = threaded.stats.splitChunks;
    const rows = rowsAt(ecg!, 0, 300);
    expect(differing(threaded.forecast(rows, 300), single.forecast(rows, 300))).toBe(0);
    expect(threaded.stats.splitChunks).toBe(split);
  });

  it('the fused engine streams on two threads with forecast_threads: 2 (the default) and predictor.dispose() ends the helper thread', async () => {
    const stream = await predictor.openStream({ horizon: W });
    const kernels = predictor.fused!.threadedForecastKernels;
    expect(kernels).toHaveLength(1);
    expect(kernels[0]!.liveThreads).toEqual([]); // not before a push of >= 64 rows
    const rows = rowsAt(ecg!, 0, 2000);
    const got = new Float32Array(2000 * W * C);
    // The first push starts the worker and runs on this thread; the second finds it ready.
    for (const [from, to] of [[0, 1000], [1000, 2000]]) {
      if (from > 0) expect(await kernels[0]!.ready()).toBe(true);
      const steps = stream.pushRows!(rows.subarray(from * C, to * C), to - from);
      steps.forEach((step, r) => got.set(step.forecast!, (from + r) * W * C));
    }
    const kernel = new ForecastKernel(new WebAssembly.Instance(fusedModule(), {}), arch, W);
    kernel.load(params);
    expect(differing(got, kernel.forecast(rows, 2000))).toBe(0);
    expect(kernels[0]!.stats.splitChunks).toBe(1);
    expect(kernels[0]!.liveThreads).toHaveLength(1);
    stream.dispose();
    predictor.dispose();
    await kernels[0]!.dispose(); // already disposed: waits for the exit
    expect(kernels[0]!.liveThreads).toEqual([]);
  });
});

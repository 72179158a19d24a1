// Scoring time of the rnn model: batched forecast (what the pipeline uses) vs the
// reference's row-by-row loop, on the ECG chfdb_chf13_45590 test split and the
// power_demand/power_data test split, with the speed-up and the largest relative
// difference between the two.
//
// Run: npm run bench:score [-- --naive-rows N] [--full] [--epochs N]
// Data: ANOMALAB_DATA_MIRROR (default ../shared/datasets beside the repository, else the download cache). The model is trained briefly
// (1 epoch on a short augmented series by default): timing does not depend on the weights.
// The naive loop is O(rows x W) single-row steps; on long splits it is timed on the first
// --naive-rows rows (default 2000) and extrapolated linearly (it is exactly linear in rows),
// unless --full is given.
import { findTestMirror } from '@anomalab/datasets/testing';
import { parseArgs } from 'node:util';
import { channelStats, standardize, type LoadedSeries, type Series } from '@anomalab/core';
import { BENCHMARKS, loadBenchmarkSeries } from '@anomalab/datasets';
// This package's internals (not part of its plugin API): the model and the naive loop.
import { createPredictor, testServices, trainContext } from '../src/test-support.ts';
import { forecastNaive } from '../src/forecast.ts';

const { values: args } = parseArgs({
  options: {
    'naive-rows': { type: 'string', default: '2000' },
    full: { type: 'boolean', default: false },
    epochs: { type: 'string', default: '1' },
    window: { type: 'string', default: '10' },
  },
});
const W = Number(args.window);
const naiveCap = args.full ? Infinity : Number(args['naive-rows']);
// Benchmark data: ANOMALAB_DATA_MIRROR, else ../shared/datasets beside the repository when it
// exists, else the datasets' download cache.
const mirror = findTestMirror();
if (!process.env.ANOMALAB_DATA_MIRROR && mirror.dir) process.env.ANOMALAB_DATA_MIRROR = mirror.dir;

const targets = [
  { dataset: 'ecg', series: 'chfdb_chf13_45590' },
  { dataset: 'power_demand', series: 'power_data' },
];

function head(series: Series, rows: number): Series {
  return { rows, channels: series.channels, values: series.values.subarray(0, rows * series.channels) };
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ result: T; wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await fn();
  return { result, wallMs: performance.now() - started, cpuMs: cpuMs(cpu) };
}

const rowsOut: string[][] = [['SERIES', 'TEST ROWS', 'BATCHED', 'NAIVE', 'SPEED-UP', 'MAX REL DIFF']];
let backend = '?';
for (const { dataset, series } of targets) {
  const entry = BENCHMARKS.find((d) => d.name === dataset)!;
  const loaded: LoadedSeries = await loadBenchmarkSeries(entry, series);
  const stats = channelStats(loaded.train);
  const train = standardize(loaded.train, stats);
  const test = standardize(loaded.test, stats);
  const services = testServices();
  const predictor = await createPredictor({ augment_length: Math.min(20_000, train.rows * 2) }, test.channels, 1111, services);
  backend = predictor.describe().engine;
  await predictor.train({ train }, trainContext(Number(args.epochs), services).context);

  // Warm-up (kernel compilation) on a few rows, then the timed runs.
  await predictor.forecast(head(test, 64), W);
  forecastNaive(predictor.net, head(test, 8), W);
  const batched = await timed(() => predictor.forecast(test, W));
  const naiveRows = Math.min(test.rows, naiveCap);
  const naive = await timed(() => forecastNaive(predictor.net, head(test, naiveRows), W));
  const scale = test.rows / naiveRows;
  const naiveWall = naive.wallMs * scale;

  let worst = 0;
  const n = naive.result.values.length;
  for (let i = 0; i < n; i++) {
    const b = naive.result.values[i]!;
    worst = Math.max(worst, Math.abs(batched.result.values[i]! - b) / Math.max(Math.abs(b), 1e-3));
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(2)}s`;
  rowsOut.push([
    `${dataset}/${series}`,
    String(test.rows),
    `${s(batched.wallMs)} (cpu ${s(batched.cpuMs)})`,
    `${s(naiveWall)}${scale > 1 ? ` (extrapolated from ${naiveRows} rows)` : ''} (cpu ${s(naive.cpuMs * scale)})`,
    `${(naiveWall / batched.wallMs).toFixed(1)}x`,
    worst.toExponential(2),
  ]);
  predictor.dispose();
}

const widths = rowsOut[0]!.map((_, i) => Math.max(...rowsOut.map((r) => r[i]!.length)));
console.log(`scoring (multi-step forecast, W=${W}) of the test split, rnn with the reference defaults, engine ${backend}:`);
for (const r of rowsOut) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
console.log('batched: one teacher-forced pass + W-1 free-running steps for all rows at once (in chunks); naive: the reference\'s row-by-row loop. Wall times on a shared machine; CPU times alongside.');

// Online forecasting (openStream) of the rnn model, in-process: per-row latency once warm
// (p50 / p99 / max wall time per push, and CPU time per row over the timed loop) for the
// fused and tfjs engines at the rnn default size, for the model's stream alone and for the
// core's full StreamSession (standardisation, error vector, Gaussian detector, thresholds),
// beside the batched forecast's rows/s and the largest relative difference between the
// streamed and the batched forecast.
//
// Run: npm run bench:stream [-- --rows N] [--tfjs-rows N] [--warmup N] [--window W] [--epochs N]
// Data: the ECG chfdb_chf13_45590 test split (ANOMALAB_DATA_MIRROR, default ../shared/datasets
// beside the repository, else the download cache), standardised with its train statistics.
// The model is trained briefly (timing does not depend on the weights).
import { findTestMirror } from '@anomalab/datasets/testing';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { channelStats, errorsFromForecast, GaussianDetector, standardize, StreamSession, type PredictorStream, type Series } from '@anomalab/core';
import { BENCHMARKS, loadBenchmarkSeries } from '@anomalab/datasets';
import { ForecastKernel } from '../src/fused/forecast-kernel.ts';
import { fusedModule } from '../src/fused/kernel.ts';
import type { RnnPredictor } from '../src/rnn-predictor.ts';
import { createPredictor, testServices, trainContext } from '../src/test-support.ts';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '20000' },
    'tfjs-rows': { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '500' },
    window: { type: 'string', default: '10' },
    epochs: { type: 'string', default: '1' },
  },
});
const W = Number(args.window);
const mirror = findTestMirror();
if (!process.env.ANOMALAB_DATA_MIRROR && mirror.dir) process.env.ANOMALAB_DATA_MIRROR = mirror.dir;

const entry = BENCHMARKS.find((d) => d.name === 'ecg')!;
const loaded = await loadBenchmarkSeries(entry, 'chfdb_chf13_45590');
const stats = channelStats(loaded.train);
const train = standardize(loaded.train, stats);
const test = standardize(loaded.test, stats);
const C = test.channels;

function row(series: Series, t: number): Float32Array {
  const i = t % series.rows;
  return series.values.subarray(i * C, (i + 1) * C);
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

interface Latency {
  p50: number;
  p99: number;
  max: number;
  /** Percentiles of the process CPU time per push (robust to a loaded machine's preemption). */
  cpuP50: number;
  cpuP99: number;
  cpuPerRow: number;
  rows: number;
}

/** Times `push` per row after `warmup` untimed rows (rows cycle through the test split). */
function timePushes(push: (row: Float32Array) => void, rows: number, warmup: number): Latency {
  for (let t = 0; t < warmup; t++) push(row(test, t));
  const times = new Float64Array(rows);
  const cpuTimes = new Float64Array(rows);
  const cpu = process.cpuUsage();
  for (let t = 0; t < rows; t++) {
    const r = row(test, warmup + t);
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    push(r);
    times[t] = performance.now() - started;
    const c = process.cpuUsage(cpuStart);
    cpuTimes[t] = (c.user + c.system) / 1000;
  }
  const used = process.cpuUsage(cpu);
  times.sort();
  cpuTimes.sort();
  return {
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    max: times[rows - 1]!,
    cpuP50: percentile(cpuTimes, 0.5),
    cpuP99: percentile(cpuTimes, 0.99),
    cpuPerRow: (used.user + used.system) / 1000 / rows,
    rows,
  };
}

function maxRelDiff(streamed: Float32Array, batched: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < streamed.length; i++) worst = Math.max(worst, Math.abs(streamed[i]! - batched[i]!) / Math.max(Math.abs(batched[i]!), 1e-3));
  return worst;
}

/** Streams the first rows of the test split and compares them with the batched forecast. */
async function agreement(predictor: RnnPredictor, rows: number): Promise<number> {
  const head: Series = { rows, channels: C, values: test.values.subarray(0, rows * C) };
  const batched = (await predictor.forecast(head, W)).values;
  const stream = await predictor.openStream({ horizon: W });
  const streamed = new Float32Array(rows * W * C);
  for (let t = 0; t < rows; t++) streamed.set(stream.push(row(test, t)).forecast!, t * W * C);
  stream.dispose();
  return maxRelDiff(streamed, batched);
}

const ms = (x: number) => x.toFixed(3);
const table: string[][] = [['ENGINE', 'PATH', 'ROWS TIMED', 'P50 MS', 'P99 MS', 'MAX MS', 'CPU P50 MS', 'CPU P99 MS', 'CPU MS/ROW', 'ROWS/S', 'MAX REL DIFF VS BATCH']];
let params = 0;
for (const engine of ['fused', 'tfjs'] as const) {
  const services = testServices();
  const predictor = await createPredictor({ engine, augment_length: 4000 }, C, 1111, services);
  await predictor.train({ train }, trainContext(Number(args.epochs), services).context);
  params = predictor.describe().parameters ?? 0;
  const name = predictor.describe().engine;
  const rows = engine === 'fused' ? Number(args.rows) : Number(args['tfjs-rows']);

  const stream: PredictorStream = await predictor.openStream({ horizon: W });
  const push = timePushes((r) => void stream.push(r), rows, Number(args.warmup));
  stream.dispose();
  const diff = await agreement(predictor, Math.min(test.rows, 2000));
  const path = engine === 'fused' ? 'stream.push (shared instance, state swap)' : 'stream.push';
  table.push([name, path, String(push.rows), ms(push.p50), ms(push.p99), ms(push.max), ms(push.cpuP50), ms(push.cpuP99), ms(push.cpuPerRow), (1000 / push.cpuPerRow).toFixed(0) + ' (cpu)', diff.toExponential(2)]);

  // The core's full session per row: standardise the raw row, push, error vector, Gaussian
  // detector (per channel + joint), thresholds and alarms.
  const detector = new GaussianDetector({ joint: true });
  detector.fit(errorsFromForecast(await predictor.forecast(train, W), train, W));
  const session = new StreamSession({
    stream: await predictor.openStream({ horizon: W }),
    detector,
    standardization: stats,
    window: W,
    thresholds: { channels: [50, 50], joint: 100 },
    channelNames: ['lead1', 'lead2'],
    hasJoint: true,
    model: 'rnn',
  });
  const raw = (t: number) => loaded.test.values.subarray((t % test.rows) * C, ((t % test.rows) + 1) * C);
  let at = 0;
  const full = timePushes(() => void session.push(raw(at++)), rows, Number(args.warmup));
  session.dispose();
  table.push([name, 'StreamSession.push (standardise, forecast, errors, Gaussian, alarms)', String(full.rows), ms(full.p50), ms(full.p99), ms(full.max), ms(full.cpuP50), ms(full.cpuP99), ms(full.cpuPerRow), (1000 / full.cpuPerRow).toFixed(0) + ' (cpu)', '']);

  if (engine === 'fused') {
    // The alternative design: one instance per stream (no state save/restore), chunk 1.
    const own = await ForecastKernel.instantiate(fusedModule(), predictor.net.arch, W, 1);
    own.load(predictor.net.params.dataSync() as Float32Array);
    const state = new Float32Array(own.stateLength);
    const out = new Float32Array(W * C);
    const step = timePushes((r) => own.step(r, state, out), rows, Number(args.warmup));
    table.push([name, `kernel step, own instance (${(own.memoryBytes / 1024).toFixed(0)} KiB)`, String(step.rows), ms(step.p50), ms(step.p99), ms(step.max), ms(step.cpuP50), ms(step.cpuP99), ms(step.cpuPerRow), (1000 / step.cpuPerRow).toFixed(0) + ' (cpu)', '']);
  }

  // Batched forecast of the whole test split (warm), for comparison.
  await predictor.forecast({ rows: 64, channels: C, values: test.values.subarray(0, 64 * C) }, W);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await predictor.forecast(test, W);
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  table.push([name, 'batched forecast(test split)', String(test.rows), '', '', '', '', '', ms(cpuMs / test.rows), `${(test.rows / (wall / 1000)).toFixed(0)} (wall)`, '']);
  predictor.dispose();
}

const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
console.log(`rnn online forecast (W=${W}), default size (2-layer LSTM, E=H=32, ${params} parameters, C=${C}), ECG chfdb_chf13_45590 test split (${test.rows} rows, cycled):`);
for (const r of table) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
console.log(`Per-push wall and process CPU times once warm (after --warmup rows); CPU ms/row over the timed loop. Load average during the run: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores (wall percentiles include preemption on a shared machine: prefer the CPU columns).`);

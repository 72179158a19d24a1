// Benchmark harness (`npm run bench` at the repository root): training speed of the rnn model per engine, scoring
// (forecast) wall time, peak RSS, the commit. Each (case, engine) runs in its own child
// process so peak RSS is per case. Not part of the test suite; a few minutes in total.
//
//   npm run bench                                   all cases, engines fused and tfjs
//   npm run bench -- --cases train-default,score-ecg --engines fused --json out.json
//   npm run bench -- --windows 20 --full            more windows; tfjs epochs at E=H=128 too
//   npm run bench:train -- --rng counter            the counter dropout stream instead of rng: torch (the default)
//
// Cases: train-default (ECG chfdb_chf13_45590, default config: 2-layer LSTM 32, E=32,
// batch 64, bptt 50), train-128 (same with embedding = hidden = 128), train-default-2t and
// train-128-2t (the same with the fused engine's `threads: 2`; fused only), score-ecg (forecast
// W=10 over the ECG test split), score-power (power_demand/power_data test split).
// Data: ANOMALAB_DATA_MIRROR (default ../shared/datasets beside the repository, else the download cache) through @anomalab/datasets.
import { findTestMirror } from '@anomalab/datasets/testing';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { channelStats, mixSeed, SeededRandom, standardize, type Series } from '@anomalab/core';
import { loadTensorRuntime } from '@anomalab/tfjs';
import { BENCHMARKS, loadBenchmarkSeries } from '@anomalab/datasets';
import { augment, channelStd } from '../src/augment.ts';
import { resolveOptions, type RngKind, type RnnOptions } from '../src/config.ts';
import { FusedEngine } from '../src/fused/engine.ts';
import { RnnNetwork } from '../src/network.ts';
import { zeroState } from '../src/rnn-model.ts';
import { trainWindow, upload, windowTensors } from '../src/train-loop.ts';
import { TorchGenerator } from '../src/torch-random.ts';
import { createPredictor, testServices, trainContext } from '../src/test-support.ts';

const CASES = ['train-default', 'train-128', 'train-default-2t', 'train-128-2t', 'score-ecg', 'score-power'] as const;
type CaseName = (typeof CASES)[number];
type EngineName = 'fused' | 'tfjs';

const { values: args } = parseArgs({
  options: {
    cases: { type: 'string', default: CASES.join(',') },
    engines: { type: 'string', default: 'fused,tfjs' },
    json: { type: 'string' },
    windows: { type: 'string', default: '12' },
    full: { type: 'boolean', default: false },
    child: { type: 'string' },
    engine: { type: 'string' },
    rng: { type: 'string', default: 'torch' },
  },
});
// Checked once here, before any case is spawned (each child would otherwise fail on its own).
if (args.rng !== 'torch' && args.rng !== 'counter') throw new Error(`bench: --rng expects torch or counter, got ${args.rng}`);
const rng: RngKind = args.rng;
// Benchmark data: ANOMALAB_DATA_MIRROR, else ../shared/datasets beside the repository when it
// exists, else the datasets' download cache.
const mirror = findTestMirror();
if (!process.env.ANOMALAB_DATA_MIRROR && mirror.dir) process.env.ANOMALAB_DATA_MIRROR = mirror.dir;

interface Result {
  case: CaseName;
  engine: string;
  backend: string;
  config: string;
  ms_per_batch?: number;
  cpu_ms_per_batch?: number;
  s_per_epoch?: number;
  cpu_s_per_epoch?: number;
  batches_per_epoch?: number;
  score_s?: number;
  cpu_score_s?: number;
  score_rows?: number;
  peak_rss_mb: number;
  note?: string;
}

async function loadSplits(dataset: string, series: string): Promise<{ train: Series; test: Series }> {
  const entry = BENCHMARKS.find((d) => d.name === dataset);
  if (!entry) throw new Error(`unknown data set ${dataset}`);
  const loaded = await loadBenchmarkSeries(entry, series);
  const stats = channelStats(loaded.train);
  return { train: standardize(loaded.train, stats), test: standardize(loaded.test, stats) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpuMs = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

async function trainCase(name: CaseName, engine: EngineName): Promise<Omit<Result, 'peak_rss_mb'>> {
  const overrides: Partial<RnnOptions> = name.startsWith('train-128') ? { embedding: 128, hidden: 128 } : {};
  const threads = name.endsWith('-2t') ? 2 : 1;
  const options = resolveOptions({ ...overrides, engine, threads, rng });
  const { train, test } = await loadSplits('ecg', 'chfdb_chf13_45590');
  const { tf, backend } = await loadTensorRuntime();
  const config = `ecg/chfdb_chf13_45590 ${options.layers}x${options.cell} E=${options.embedding} H=${options.hidden} batch ${options.batch_size} bptt ${options.bptt} threads ${threads} rng ${options.rng}`;
  // 1. Median per training batch (window), after 2 warm-up windows.
  const net = new RnnNetwork(tf, backend, options, train.channels, 1111);
  // rng: torch: the masks continue a PyTorch generator (training would start it after the noise and weights).
  if (options.rng === 'torch') net.torchState = new TorchGenerator(1111).state();
  const batched = upload(net, augment(train, channelStd(train), options.noise, options.augment_length, new SeededRandom(1111).fork('bench')), options.batch_size, 'train');
  const windows = Number(args.windows) / (engine === 'tfjs' && name.startsWith('train-128') ? 3 : 1);
  const wall: number[] = [];
  const cpu: number[] = [];
  if (engine === 'fused') {
    const fused = new FusedEngine(net);
    const kernel = fused.trainer();
    fused.syncIn();
    const seq = kernel.loadSeries('train', batched.data);
    kernel.resetState();
    for (let i = 0; i < windows + 2; i++) {
      const w = batched.windows[i % batched.windows.length]!;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      kernel.trainWindow(seq, w.start, w.length, options.dropout, mixSeed(1111, i), fused.adam(), i + 1);
      if (i >= 2) {
        wall.push(performance.now() - t0);
        cpu.push(cpuMs(c0)); // process-wide: includes the worker threads
      }
    }
    fused.dispose();
  } else {
    let state = zeroState(tf, net.arch, options.batch_size);
    for (let i = 0; i < windows + 2; i++) {
      const w = batched.windows[i % batched.windows.length]!;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const { inputs, targets, dispose } = windowTensors(net, batched, w);
      const r = trainWindow(net, inputs, targets, state);
      dispose();
      tf.dispose(state.flat());
      state = r.state;
      if (i >= 2) {
        wall.push(performance.now() - t0);
        cpu.push(cpuMs(c0));
      }
    }
    tf.dispose(state.flat());
  }
  net.dispose();
  // 2. One full epoch through the predictor (training windows + validation on the augmented test split).
  let sPerEpoch: number | undefined;
  let cpuSPerEpoch: number | undefined;
  let note: string | undefined;
  if (engine === 'fused' || name === 'train-default' || args.full) {
    const services = testServices();
    const predictor = await createPredictor(options, train.channels, 1111, services);
    const { context, reports } = trainContext(1, services);
    const c0 = process.cpuUsage();
    await predictor.train({ train, validation: test }, context);
    cpuSPerEpoch = cpuMs(c0) / 1000; // includes augmentation and batchify (once per train() call)
    sPerEpoch = reports[0]!.durationMs / 1000;
    predictor.dispose();
  } else {
    note = 'epoch not run (tfjs, E=H=128: minutes; --full runs it)';
  }
  return {
    case: name,
    engine: engine === 'fused' ? `fused-wasm-simd${threads === 2 ? ' x2 threads' : ''}` : `tfjs-${backend}`,
    backend,
    config,
    ms_per_batch: median(wall),
    cpu_ms_per_batch: median(cpu),
    s_per_epoch: sPerEpoch,
    cpu_s_per_epoch: cpuSPerEpoch,
    batches_per_epoch: batched.windows.length,
    note,
  };
}

async function scoreCase(name: CaseName, engine: EngineName): Promise<Omit<Result, 'peak_rss_mb'>> {
  const [dataset, series] = name === 'score-ecg' ? ['ecg', 'chfdb_chf13_45590'] : ['power_demand', 'power_data'];
  const { test } = await loadSplits(dataset!, series!);
  const services = testServices();
  const predictor = await createPredictor({ engine }, test.channels, 1111, services);
  const W = 10;
  // Scoring time does not depend on the weights: the initial ones are used. Warm-up on 64 rows.
  await predictor.forecast({ rows: 64, channels: test.channels, values: test.values.subarray(0, 64 * test.channels) }, W);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await predictor.forecast(test, W);
  const seconds = (performance.now() - t0) / 1000;
  const cpuSeconds = cpuMs(c0) / 1000;
  const { engine: engineName } = predictor.describe();
  predictor.dispose();
  return {
    case: name,
    engine: engineName,
    backend: (await loadTensorRuntime()).backend,
    config: `${dataset}/${series} test split, ${test.channels} channel(s), forecast W=${W} (all channels at once)`,
    score_s: seconds,
    cpu_score_s: cpuSeconds,
    score_rows: test.rows,
  };
}

async function child(name: CaseName, engine: EngineName): Promise<void> {
  const result = name.startsWith('train') ? await trainCase(name, engine) : await scoreCase(name, engine);
  const peak = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`\n@@RESULT ${JSON.stringify({ ...result, peak_rss_mb: Math.round(peak) })}\n`);
}

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', join(import.meta.dirname, '..')], { encoding: 'utf8' }).trim();
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  if (args.child) return child(args.child as CaseName, args.engine as EngineName);
  const cases = args.cases!.split(',').map((c) => c.trim()).filter(Boolean) as CaseName[];
  for (const c of cases) if (!CASES.includes(c)) throw new Error(`unknown case ${c} (cases: ${CASES.join(', ')})`);
  const engines = args.engines!.split(',').map((e) => e.trim()) as EngineName[];
  const commit = gitCommit();
  const started = new Date().toISOString();
  const load = loadavg()[0]!.toFixed(2);
  console.log(`anomalab bench | commit ${commit} | ${cpus().length} cores, load ${load} | node ${process.version}`);
  const results: Result[] = [];
  for (const c of cases) {
    for (const engine of engines) {
      if (c.endsWith('-2t') && engine !== 'fused') continue; // threads: fused engine only
      const extra = ['--windows', args.windows!, '--rng', args.rng!, ...(args.full ? ['--full'] : [])];
      const run = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--child', c, '--engine', engine, ...extra], { encoding: 'utf8', maxBuffer: 64 << 20 });
      const line = run.stdout.split('\n').find((l) => l.startsWith('@@RESULT '));
      if (!line) {
        console.error(`${c} ${engine}: failed (exit ${run.status})\n${run.stderr.slice(-2000)}`);
        continue;
      }
      const result = JSON.parse(line.slice('@@RESULT '.length)) as Result;
      results.push(result);
      console.log(`  done: ${c} ${result.engine}`);
    }
  }
  const fmt = (x: number | undefined, digits: number) => (x === undefined ? '-' : x.toFixed(digits));
  const rows = [
    ['CASE', 'ENGINE', 'TFJS BACKEND', 'MS/BATCH', 'CPU MS/BATCH', 'S/EPOCH', 'CPU S/EPOCH', 'SCORE S', 'CPU SCORE S', 'PEAK RSS MB'],
    ...results.map((r) => [r.case, r.engine, r.backend, fmt(r.ms_per_batch, 1), fmt(r.cpu_ms_per_batch, 1), fmt(r.s_per_epoch, 2), fmt(r.cpu_s_per_epoch, 2), fmt(r.score_s, 3), fmt(r.cpu_score_s, 3), String(r.peak_rss_mb)]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));
  for (const r of results) if (r.note) console.log(`note: ${r.case} ${r.engine}: ${r.note}`);
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (shared machine: medians; CPU time is less sensitive to load than wall time)`);
  if (args.json) {
    writeFileSync(args.json, `${JSON.stringify({ commit, started, cores: cpus().length, load_average_start: Number(load), node: process.version, results }, null, 2)}\n`);
    console.log(`wrote ${args.json}`);
  }
}

await main();

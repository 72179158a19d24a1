// Step-by-step replay of the rnn model against the PyTorch original (README.md beside this
// file). Not part of the test suite.
//
//   npm run bench:replay -- --original /work/ref/rnn-original
//   npm run bench:replay -- --original DIR --series ecg/chfdb_chf01_275 --epochs 3 --engines fused
//   npm run bench:replay -- --original DIR --clip 0.05 --weight-decay 0.01   (both sides)
//   npm run bench:replay -- --original DIR --cell GRU --residual             (both sides)
//   npm run bench:replay -- --original DIR --set lr=0.001          (anomalab's model.options only)
//   --keep DIR keeps the original's output there (--reuse: use it instead of running again),
//   --trace prints every training window's loss on both sides, --json FILE writes the rows.
//
// Per series: original.py runs the original (dropout 0, noise 0) and writes what it saw;
// then anomalab's real RnnPredictor (both engines) starts from the original's initial
// weights and trains on the same series with the same options through its own train()
// (observed step by step), then forecasts, fits the core's Gaussian detector on the train
// split and scores the test split. A table per series and engine: max abs / rel
// differences of every quantity.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { channelStats, errorsFromForecast, GaussianDetector, oracleSweep, standardize, type EpochPlan, type Series, type TrainData } from '@anomalab/core';
import { findBenchmark, loadBenchmarkSeries } from '@anomalab/datasets';
import { loadTensorRuntime, type Tf } from '@anomalab/tfjs';
import { batchify, type BpttWindow } from '../../src/batchify.ts';
import { DEFAULT_OPTIONS, resolveOptions, rnnOptionsSchema, type RnnOptions } from '../../src/config.ts';
import { parameterLayout } from '../../src/rnn-model.ts';
import { RnnPredictor } from '../../src/rnn-predictor.ts';
import { testServices, trainContext } from '../../src/test-support.ts';
import { prepareTrainingData } from '../../src/train-loop.ts';
import { fromTorch, type TorchTensor } from '../../src/torch-layout.ts';

const { values: args } = parseArgs({
  options: {
    original: { type: 'string' },
    series: { type: 'string', default: 'ecg/chfdb_chf13_45590,ecg/chfdb_chf01_275' },
    engines: { type: 'string', default: 'fused,tfjs' },
    epochs: { type: 'string', default: '2' },
    'record-steps': { type: 'string', default: '64' },
    window: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1111' },
    clip: { type: 'string' },
    'weight-decay': { type: 'string' },
    cell: { type: 'string' },
    residual: { type: 'boolean', default: false },
    python: { type: 'string', default: '/usr/bin/python3' },
    set: { type: 'string', multiple: true, default: [] },
    keep: { type: 'string' },
    json: { type: 'string' },
    trace: { type: 'boolean', default: false },
    reuse: { type: 'boolean', default: false },
    'shared-masks': { type: 'string' },
    'original-noise': { type: 'boolean', default: false },
    'torch-rng': { type: 'string' },
  },
});

if (!args.original) {
  console.error('replay: --original <checkout of chickenbestlover/RNN-Time-series-Anomaly-Detection> is required');
  process.exit(2);
}
const epochs = Number(args.epochs);
const recordSteps = Number(args['record-steps']);
const W = Number(args.window);
const seed = Number(args.seed);
/** Dropout on both sides with one set of masks: anomalab's stream, which original.py feeds into the original's three dropout sites. */
const sharedMasks = args['shared-masks'] ? Number(args['shared-masks']) : 0;
if (!(sharedMasks >= 0 && sharedMasks < 1)) throw new Error(`replay: --shared-masks expects a dropout rate in [0, 1), got ${args['shared-masks']}`);
const dropoutLabel = sharedMasks > 0 ? `dropout ${sharedMasks} (shared masks)` : 'dropout 0';
/** Noise on both sides from the original's draw: it keeps its augmentation, anomalab trains on the series it wrote (noise 0 on top). */
const originalNoise = args['original-noise']!;
/**
 * Nothing shared: each side draws its own initial weights, noise and dropout masks at rate
 * RATE, the original from PyTorch's generator, anomalab with rng: torch (noise_mode:
 * reference, its default noise), which should draw the same numbers.
 */
const torchRng = args['torch-rng'] ? Number(args['torch-rng']) : undefined;
if (torchRng !== undefined && !(torchRng >= 0 && torchRng < 1)) throw new Error(`replay: --torch-rng expects a dropout rate in [0, 1), got ${args['torch-rng']}`);
if (torchRng !== undefined && (sharedMasks > 0 || originalNoise)) throw new Error('replay: --torch-rng (each side its own draws) excludes --shared-masks and --original-noise');
const noiseLabel = originalNoise ? "the original's noise" : 'noise 0';
const randomLabel = torchRng !== undefined ? `each side its own draws (anomalab rng: torch), dropout ${torchRng}, the original's noise` : `${dropoutLabel}, ${noiseLabel}`;

/** `--set key=value` model options (JSON values, else strings), checked against the schema's names. */
function extraOptions(): Partial<RnnOptions> {
  const out: Record<string, unknown> = {};
  for (const kv of args.set!) {
    const eq = kv.indexOf('=');
    const key = kv.slice(0, eq);
    if (eq < 0 || !(key in (rnnOptionsSchema.properties as object))) throw new Error(`replay: --set ${kv}: expected <model option>=<value>`);
    const raw = kv.slice(eq + 1);
    try {
      out[key] = JSON.parse(raw);
    } catch {
      out[key] = raw;
    }
  }
  return out as Partial<RnnOptions>;
}

/** Options given to both sides: the original's command line and anomalab's model.options. */
const bothSides = {
  python: [
    ...(args.clip ? ['--clip', args.clip] : []),
    ...(args['weight-decay'] ? ['--weight-decay', args['weight-decay']] : []),
    ...(args.cell ? ['--model', args.cell] : []),
    ...(args.residual ? ['--res-connection'] : []),
    ...(sharedMasks > 0 ? ['--shared-masks', String(sharedMasks)] : []),
    ...(originalNoise ? ['--noise'] : []),
    ...(torchRng !== undefined ? ['--dropout', String(torchRng), '--noise'] : []),
  ],
  options: {
    ...(args.clip ? { clip: Number(args.clip) } : {}),
    ...(args['weight-decay'] ? { weight_decay: Number(args['weight-decay']) } : {}),
    ...(args.cell ? { cell: args.cell } : {}),
    ...(args.residual ? { residual: true } : {}),
    // original.py feeds the counter stream's masks (SharedMasks) into the original.
    ...(sharedMasks > 0 ? { dropout: sharedMasks, rng: 'counter' } : {}),
    ...(torchRng !== undefined ? { rng: 'torch', noise_mode: 'reference', noise: DEFAULT_OPTIONS.noise, dropout: torchRng } : {}),
  } as Partial<RnnOptions>,
};

// ---------------------------------------------------------------- the original's side

interface Manifest {
  epochs: number;
  steps_per_epoch: number;
  recorded_steps: number;
  parameters: [string, number[]][];
  train_terms: number[][];
  grad_norms: number[];
  validation: { loss: number; windows: number[][] }[];
  channels: { mean: string; cov: string; score: string; errors: string; score64?: string; cov_condition?: number; f1?: number; f1_64?: number }[];
  files: Record<string, number[]>;
  options: Record<string, unknown>;
  torch: string;
}

function runOriginal(series: string, out: string): Manifest {
  const script = join(import.meta.dirname, 'original.py');
  const py = spawnSync(args.python!, [script, '--original', args.original!, '--series', series, '--epochs', String(epochs), '--record-steps', String(recordSteps), '--window', String(W), '--seed', String(seed), ...bothSides.python, '--out', out], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (py.status !== 0) throw new Error(`replay: ${args.python} original.py failed (exit ${py.status}):\n${py.stdout}`);
  return JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
}

function readF32(dir: string, name: string): Float32Array {
  const b = readFileSync(join(dir, name));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function torchTensors(dir: string, m: Manifest, prefix: string): Map<string, TorchTensor> {
  return new Map(m.parameters.map(([name, shape]) => [name, { shape, data: readF32(dir, `${prefix}.${name}.bin`) }]));
}

// ---------------------------------------------------------------- anomalab's side

interface StepRecord {
  terms: number[];
  grad?: Float32Array;
  weights?: Float32Array;
}

/**
 * The real predictor, observed: its own training plan and engine, with each training step's
 * loss terms, raw (unclipped) gradient and the weights after the step recorded.
 */
class ObservedPredictor extends RnnPredictor {
  readonly steps: StepRecord[] = [];

  protected override planTraining(data: TrainData): EpochPlan<BpttWindow> {
    const plan = super.planTraining(data) as EpochPlan<BpttWindow>;
    let lastGrad: Float32Array | undefined;
    if (!this.fused) {
      const adam = this.net.adam;
      const update = adam.update.bind(adam);
      adam.update = (params, grad) => {
        lastGrad = (grad.dataSync() as Float32Array).slice();
        return update(params, grad);
      };
    }
    return {
      ...plan,
      trainStep: (step, index) => {
        const terms = plan.trainStep(step, index);
        const record: StepRecord = { terms: Array.from(terms as ArrayLike<number>) };
        if (this.steps.length < recordSteps) {
          if (this.fused) {
            const kernel = this.fused.kernel();
            record.grad = kernel.grad.slice();
            record.weights = kernel.params.slice();
          } else {
            record.grad = lastGrad;
            record.weights = (this.net.params.dataSync() as Float32Array).slice();
          }
        }
        this.steps.push(record);
        return terms;
      },
    };
  }
}

// ---------------------------------------------------------------- comparison

interface Row {
  quantity: string;
  n: number;
  maxAbs: number;
  maxRel: number;
  /** Median of the elementwise (or per-vector) relative differences. */
  medianRel: number;
  /** What maxRel is relative to. */
  rel: 'elementwise' | 'vector max';
}

/** |a - b| / |b| per element (scalar sequences: losses, scores). */
function elementwise(quantity: string, a: ArrayLike<number>, b: ArrayLike<number>): Row {
  let maxAbs = 0;
  const rels: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    maxAbs = Math.max(maxAbs, d);
    rels.push(b[i] === 0 ? (d === 0 ? 0 : Infinity) : d / Math.abs(b[i]!));
  }
  if (a.length !== b.length) quantity += ` (LENGTH ${a.length} vs ${b.length})`;
  return { quantity, n: b.length, maxAbs, maxRel: Math.max(0, ...rels), medianRel: median(rels), rel: 'elementwise' };
}

/** max |a - b| / max |b| per vector, the worst over the vectors (gradients, weights, covariances). */
function vectors(quantity: string, pairs: [ArrayLike<number>, ArrayLike<number>][]): Row {
  let maxAbs = 0;
  let maxRel = 0;
  let n = 0;
  const rels: number[] = [];
  for (const [a, b] of pairs) {
    let d = 0;
    let s = 0;
    for (let i = 0; i < b.length; i++) {
      d = Math.max(d, Math.abs(a[i]! - b[i]!));
      s = Math.max(s, Math.abs(b[i]!));
    }
    maxAbs = Math.max(maxAbs, d);
    maxRel = Math.max(maxRel, d / (s || 1));
    rels.push(d / (s || 1));
    n += b.length;
  }
  return { quantity, n, maxAbs, maxRel, medianRel: median(rels), rel: 'vector max' };
}

const median = (xs: number[]) => (xs.length ? [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]! : 0);
const fmt = (x: number) => (x === 0 ? '0' : Number.isFinite(x) ? x.toExponential(2) : String(x));

function printTable(title: string, rows: Row[]): void {
  const width = Math.max(...rows.map((r) => r.quantity.length), 8);
  console.log(`\n${title}\n`);
  console.log(`| ${'quantity'.padEnd(width)} | ${'n'.padStart(9)} | max abs diff | max rel diff | median rel | rel to      |`);
  console.log(`|${'-'.repeat(width + 2)}|${'-'.repeat(11)}|--------------|--------------|------------|-------------|`);
  for (const r of rows) console.log(`| ${r.quantity.padEnd(width)} | ${String(r.n).padStart(9)} | ${fmt(r.maxAbs).padStart(12)} | ${fmt(r.maxRel).padStart(12)} | ${fmt(r.medianRel).padStart(10)} | ${r.rel.padEnd(11)} |`);
}

// ---------------------------------------------------------------- one series x engine

/** The core's oracle F1 (the evaluator of every run and of reference-seeds' compare.ts), rows from W on. */
const oracleF1 = (scores: Float32Array, labels: Uint8Array) => oracleSweep(scores, labels, W).best?.f1 ?? 0;

/**
 * Fit on the train split and score the test split with the core's error vectors and Gaussian
 * detector; rows against the original's. Adds to `f1Lines` each channel's oracle F1 from
 * anomalab's scores next to the same F1 of the original's scores (float32 printed, float64).
 */
async function scoringRows(predictor: RnnPredictor, dir: string, m: Manifest, train: Series, test: Series, labels: Uint8Array, label: string, f1Lines: string[]): Promise<Row[]> {
  const rows: Row[] = [];
  const trainErrors = errorsFromForecast(await predictor.forecast(train, W), train, W);
  const detector = new GaussianDetector({ joint: false });
  detector.fit(trainErrors);
  const fits = detector.getState().perChannel as { mean: number[]; factor: number[]; ridge: number }[];
  const testErrors = errorsFromForecast(await predictor.forecast(test, W), test, W);
  const scores = detector.score(testErrors).channels;
  for (let c = 0; c < train.channels; c++) {
    const ch = m.channels[c]!;
    const fit = fits[c]!;
    const cov = new Float64Array(W * W);
    for (let i = 0; i < W; i++)
      for (let j = 0; j < W; j++) {
        let sum = 0;
        for (let k = 0; k < W; k++) sum += fit.factor[i * W + k]! * fit.factor[j * W + k]!;
        cov[i * W + j] = sum - (i === j ? fit.ridge : 0);
      }
    const p = `${label}channel ${c}: `;
    rows.push(vectors(`${p}fitted mean`, [[fit.mean, readF32(dir, ch.mean)]]));
    rows.push(vectors(`${p}fitted covariance`, [[cov, readF32(dir, ch.cov)]]));
    const ours = new Float32Array(test.rows * W);
    for (let t = 0; t < test.rows; t++) for (let j = 0; j < W; j++) ours[t * W + j] = testErrors.values[(t * test.channels + c) * W + j]!;
    rows.push(vectors(`${p}test error vectors (t >= W)`, [[ours.subarray(W * W), readF32(dir, ch.errors).subarray(W * W)]]));
    const theirs = readF32(dir, ch.score);
    rows.push(elementwise(`${p}test scores (t >= W)`, scores[c]!.subarray(W), theirs.subarray(W)));
    rows.push(vectors(`${p}test scores (t >= W)`, [[scores[c]!.subarray(W), theirs.subarray(W)]]));
    rows.push(elementwise(`${p}test scores (t < W)`, scores[c]!.subarray(0, W), theirs.subarray(0, W)));
    const theirs64 = ch.score64 ? readF32(dir, ch.score64) : undefined;
    if (theirs64) rows.push(elementwise(`${p}test scores vs its code in float64 (t >= W; cond ${ch.cov_condition!.toExponential(1)})`, scores[c]!.subarray(W), theirs64.subarray(W)));
    const f1 = (xs: Float32Array) => oracleF1(xs, labels).toFixed(4);
    f1Lines.push(`${p}oracle F1 (core's oracleSweep) of anomalab's scores ${f1(scores[c]!)}, of the original's float32 scores ${f1(theirs)}${theirs64 ? `, of its code in float64 ${f1(theirs64)}` : ''}`);
  }
  return rows;
}

/** Replace the predictor's weights (Adam moments zero, step 0). */
async function setWeights(predictor: RnnPredictor, flat: Float32Array): Promise<void> {
  const state = await predictor.getState();
  for (const slot of parameterLayout(predictor.net.arch)) {
    state.tensors[`weights/${slot.name}`] = { shape: slot.shape, data: flat.slice(slot.offset, slot.offset + slot.size) };
    state.tensors[`adam_m/${slot.name}`] = { shape: slot.shape, data: new Float32Array(slot.size) };
    state.tensors[`adam_v/${slot.name}`] = { shape: slot.shape, data: new Float32Array(slot.size) };
  }
  state.json.step = 0;
  // An untrained rng: torch model's state says its weights are still to be drawn (at the
  // start of training, after the noise); these are given, so training must start from them.
  delete state.json.torch_init_pending;
  await predictor.setState(state);
}


async function replayEngine(tf: Tf, backend: string, series: string, dir: string, m: Manifest, engine: 'fused' | 'tfjs'): Promise<{ rows: Row[]; f1Lines: string[] }> {
  const [datasetName, seriesName] = series.split('/') as [string, string];
  const loaded = await loadBenchmarkSeries(findBenchmark(datasetName)!, seriesName);
  const stats = channelStats(loaded.train);
  const train = standardize(loaded.train, stats);
  const test = standardize(loaded.test, stats);
  const options = resolveOptions({ engine, dropout: 0, noise: 0, ...bothSides.options, ...extraOptions() });
  const predictor = new ObservedPredictor(tf, backend, options, train.channels, seed);
  const arch = predictor.net.arch;
  const rows: Row[] = [];
  const f1Lines: string[] = [];
  const labels = loaded.test.labels!;
  try {
    // Initial weights: the original's, Adam moments zero, step 0 (--torch-rng: anomalab draws its own, compared below).
    if (torchRng === undefined) await setWeights(predictor, fromTorch(arch, torchTensors(dir, m, 'init')));

    // The series both train on (augmented, standardised, batchified): with noise 0 each side
    // builds its own; with --original-noise anomalab takes the original's augmented series
    // (its rows are already augment_length long, so anomalab's augmentation adds nothing).
    const origTrain = readF32(dir, 'train_series.bin');
    const origValidation = readF32(dir, 'validation_series.bin');
    const C = train.channels;
    const given = (values: Float32Array): Series => ({ rows: values.length / C, channels: C, values });
    const trainData = originalNoise ? { train: given(origTrain), validation: given(origValidation) } : { train, validation: test };
    const prepared = prepareTrainingData(predictor.net, trainData);
    if (torchRng !== undefined) {
      // rng: torch drew the initial weights (after the noise) in prepareTrainingData; training starts from them.
      const ownInit = (predictor.net.params.dataSync() as Float32Array).slice();
      rows.push(vectors("initial weights (anomalab's own rng: torch draw)", [[ownInit, fromTorch(arch, torchTensors(dir, m, 'init'))]]));
    }
    const lanes = options.batch_size;
    rows.push(vectors('train series (augmented, batchified)', [[prepared.train.data, batchify(origTrain, origTrain.length / C, C, lanes).data]]));
    rows.push(vectors('validation series (augmented, batchified)', [[prepared.validation!.data, batchify(origValidation, origValidation.length / C, C, lanes).data]]));

    // Training through the predictor's own train().
    const services = testServices(seed);
    const { context, reports } = trainContext(epochs, services);
    await predictor.train(trainData, context);
    const steps = predictor.steps;
    const n = Math.min(steps.length, m.train_terms.length);
    const names = ['free_running', 'teacher_forcing', 'hidden'];
    names.forEach((name, k) => rows.push(elementwise(`train loss: ${name} (per window)`, steps.slice(0, n).map((s) => s.terms[k]!), m.train_terms.slice(0, n).map((t) => t[k]!))));
    const ours = steps.slice(0, n).map((s) => s.terms[0]! + s.terms[1]! + s.terms[2]!);
    const theirs = m.train_terms.slice(0, n).map((t) => t[0]! + t[1]! + t[2]!);
    const sum = elementwise('train loss: sum of terms (per window)', ours, theirs);
    rows.push(sum);
    // Where the two first part by more than 1e-4 (relative), if they do.
    const first = ours.findIndex((x, i) => Math.abs(x - theirs[i]!) > 1e-4 * Math.abs(theirs[i]!));
    rows.push({ ...elementwise(`train loss: windows before the first > 1e-4 apart${first < 0 ? ' (none)' : ` (#${first + 1})`}`, ours.slice(0, first < 0 ? n : first), theirs.slice(0, first < 0 ? n : first)) });
    if (args.trace) ours.forEach((x, i) => console.log(`window ${String(i + 1).padStart(4)}: anomalab ${x.toPrecision(8)} original ${theirs[i]!.toPrecision(8)} rel ${fmt(Math.abs(x - theirs[i]!) / Math.abs(theirs[i]!))} grad norm ${m.grad_norms[i]!.toPrecision(6)}`));
    const recorded = Math.min(m.recorded_steps, steps.filter((s) => s.grad).length);
    const grads: [Float32Array, Float32Array][] = [];
    const weights: [Float32Array, Float32Array][] = [];
    const norms: number[] = [];
    for (let s = 0; s < recorded; s++) {
      grads.push([steps[s]!.grad!, fromTorch(arch, torchTensors(dir, m, `grad.${s}`))]);
      weights.push([steps[s]!.weights!, fromTorch(arch, torchTensors(dir, m, `weights.${s}`))]);
      norms.push(Math.hypot(...steps[s]!.grad!));
    }
    rows.push(elementwise(`gradient norm (per step, before clip)`, norms, m.grad_norms.slice(0, recorded)));
    rows.push(vectors(`gradient (${recorded} steps)`, grads));
    rows.push(vectors(`weights after step 1`, weights.slice(0, 1)));
    rows.push(vectors(`weights after step ${recorded}`, weights.slice(-1)));
    rows.push(vectors(`weights after each of steps 1..${recorded}`, weights));
    rows.push(elementwise(`validation loss (per epoch)`, reports.map((r) => r.validation!.loss!), m.validation.map((v) => v.loss)));
    names.forEach((name, k) => rows.push(elementwise(`validation: ${name} (per epoch, mean)`, reports.map((r) => r.validation![name]!), m.validation.map((v) => v.windows.reduce((a, t) => a + t[k]!, 0) / v.windows.length))));

    rows.push(...(await scoringRows(predictor, dir, m, train, test, labels, 'after training: ', f1Lines)));
    // The scoring alone, from identical weights: the original's final ones.
    await setWeights(predictor, fromTorch(arch, torchTensors(dir, m, 'final')));
    rows.push(...(await scoringRows(predictor, dir, m, train, test, labels, "original's final weights: ", f1Lines)));
  } finally {
    predictor.dispose();
  }
  return { rows, f1Lines };
}

async function main(): Promise<void> {
  const { tf, backend } = await loadTensorRuntime();
  const results: Record<string, Record<string, Row[]>> = {};
  const engines = args.engines!.split(',') as ('fused' | 'tfjs')[];
  for (const series of args.series!.split(',')) {
    const dir = args.keep ? join(args.keep, series.replace('/', '__')) : mkdtempSync(join(tmpdir(), 'anomalab-replay-'));
    try {
      const started = performance.now();
      const kept = join(dir, 'manifest.json');
      const m = args.reuse && existsSync(kept) ? (JSON.parse(readFileSync(kept, 'utf8')) as Manifest) : runOriginal(series, dir);
      if (m.epochs !== epochs) throw new Error(`replay: ${kept} holds ${m.epochs} epoch(s), --epochs is ${epochs}`);
      console.log(`\n${series}: original (torch ${m.torch}) ran ${m.epochs} epoch(s) of ${m.steps_per_epoch} windows in ${((performance.now() - started) / 1000).toFixed(1)} s; options ${JSON.stringify(m.options)}`);
      m.channels.forEach((ch, c) => {
        if (ch.f1 !== undefined) console.log(`  channel ${c}: the original's best F1 (its get_precision_recall) from its float32 scores ${ch.f1.toFixed(4)}, from its own fit and scoring run in float64 ${ch.f1_64!.toFixed(4)} (covariance condition number ${ch.cov_condition!.toExponential(1)})`);
      });
      results[series] = {};
      for (const engine of engines) {
        const { rows, f1Lines } = await replayEngine(tf, backend, series, dir, m, engine);
        results[series][engine] = rows;
        printTable(`${series}, engine ${engine}${args.set!.length ? ` (${args.set!.join(' ')})` : ''}${bothSides.python.length ? ` (both: ${bothSides.python.join(' ')})` : ''}: ${randomLabel}, ${epochs} epoch(s), seed ${seed}, W=${W}`, rows);
        console.log('');
        for (const line of f1Lines) console.log(`  ${line}`);
      }
    } finally {
      if (!args.keep) rmSync(dir, { recursive: true, force: true });
    }
  }
  if (args.json) writeFileSync(args.json, JSON.stringify({ epochs, recordSteps, W, seed, set: args.set, results }, null, 2));
}

await main();

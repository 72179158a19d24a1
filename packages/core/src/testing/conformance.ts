import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ConfigError } from '../errors.ts';
import type { PredictorState } from '../contracts/checkpoint-store.ts';
import type { ErrorSeries } from '../contracts/detector.ts';
import type { DirectScores, EpochReport, ModelPlugin, Predictor, TrainingConfig, TrainResult } from '../contracts/model-plugin.ts';
import type { Series } from '../contracts/series.ts';
import type { ExperimentConfig } from '../config/experiment-config.ts';
import { loadExperiment } from '../config/load-experiment.ts';
import { PluginRegistry } from '../plugins/registry.ts';
import { FsCheckpointStore } from '../run-store/fs-checkpoint-store.ts';
import { FsRunStore } from '../run-store/fs-run-store.ts';
import { errorsFromForecast } from '../detection/forecast-errors.ts';
import { GaussianDetector, gaussianDetectorPlugin } from '../detection/gaussian-detector.ts';
import { runExperiment } from '../pipeline/run-experiment.ts';
import { scoreWithRun } from '../pipeline/score-series.ts';
import type { RunResults } from '../pipeline/results.ts';
import { readSeriesFolder } from '../pipeline/series-files.ts';
import { openRunStream } from '../streaming/open-run-stream.ts';
import type { StreamScore } from '../streaming/stream-session.ts';
import { AnomalabError } from '../errors.ts';
import { conformanceData, conformanceDataset, standardizedConformanceData, type ConformanceDataOptions } from './conformance-data.ts';
import { createTestServices, type TestServices } from './model-services.ts';
import { makeTempDir } from './temp-dir.ts';

/** The checks of the suite; name them in `skip` to leave one out (with a reason). */
export const CONFORMANCE_TESTS = {
  'plugin-shape': 'describes itself: name, description, options schema with a default and description for every option',
  'invalid-config': 'rejects invalid model options with schema errors located at model.options',
  train: 'trains a few epochs: one finite EpochReport per epoch through onEpochEnd, TrainResult with the epoch count',
  logs: 'logs through services.logger while training',
  'state-round-trip': 'saves and restores state through a checkpoint file: identical outputs in a fresh instance',
  resume: 'resumes from a checkpoint (startEpoch) to the same state as uninterrupted training',
  detector: 'produces well-formed error vectors and finite scores through the Gaussian detector (models with score(): well-formed finite direct scores of both splits)',
  'same-seed': 'same seed, same trained state',
  'different-seed': 'different seed, different trained state',
  pipeline: 'completes a run through the core pipeline (checkpoints, detector or direct scores, evaluation) and scores the series again from the run (anomalab score)',
  stream: "streams the run's test split row by row (openRunStream) with the batch scores to 1e-5 relative and the deployable thresholds' alarms; a model without openStream is refused with an error naming it",
} as const;

export type ConformanceTest = keyof typeof CONFORMANCE_TESTS;

export interface ModelConformanceOptions<Options = Record<string, unknown>> {
  plugin: ModelPlugin<Options>;
  /**
   * `model.options` for every test, validated by the core and completed with the schema's
   * defaults. Keep the model tiny: the whole suite should run in seconds.
   */
  options?: Record<string, unknown>;
  /** Epochs per training (default 2; the resume test needs at least 2). */
  epochs?: number;
  /** Detector window W passed to `forecast`/`errors` (default 4). */
  window?: number;
  /** The generated series (default 400 train + 200 test rows, 2 channels, period 25). */
  data?: ConformanceDataOptions;
  /** Seed of the main predictor (default 1111); the different-seed test uses seed + 1. */
  seed?: number;
  /** Largest absolute difference accepted where outputs or states must be identical (default 0: bit for bit). */
  tolerance?: number;
  /** Checks to leave out, each with the reason (shown in the test name). */
  skip?: { test: ConformanceTest; reason: string }[];
  /** Per-test and hook timeout in ms (default 60 000). */
  timeoutMs?: number;
}

/** What a predictor computes for scoring: its own forecast, error vectors or direct scores. */
interface Outputs {
  /** The raw output compared between instances (forecast values, error values or scores). */
  values: Float32Array;
  errors?: ErrorSeries;
  direct?: DirectScores;
}

async function outputsOf(predictor: Predictor, series: Series, window: number, trainSplit = false): Promise<Outputs> {
  if (predictor.score) {
    const direct = await predictor.score(series, { trainSplit });
    const all = [...direct.channels, ...(direct.joint ? [direct.joint] : [])];
    const values = new Float32Array(all.reduce((n, a) => n + a.length, 0));
    all.reduce((at, a) => (values.set(a, at), at + a.length), 0);
    return { values, direct };
  }
  if (predictor.forecast) {
    const forecast = await predictor.forecast(series, window);
    expect(forecast.rows, 'forecast.rows').toBe(series.rows);
    expect(forecast.channels, 'forecast.channels').toBe(series.channels);
    expect(forecast.horizon, 'forecast.horizon').toBeGreaterThanOrEqual(window);
    expect(forecast.values.length, 'forecast.values.length').toBe(series.rows * forecast.horizon * series.channels);
    return { values: forecast.values, errors: errorsFromForecast(forecast, series, window) };
  }
  const errors = await predictor.errors!(series, window);
  return { values: errors.values, errors };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length, 'lengths differ').toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= max)) max = Number.isNaN(d) ? Infinity : d;
  }
  return max;
}

/** Largest difference between two states' tensors (Infinity when their layouts differ). */
function stateDistance(a: PredictorState, b: PredictorState): number {
  const keys = Object.keys(a.tensors).sort();
  if (a.format !== b.format || JSON.stringify(keys) !== JSON.stringify(Object.keys(b.tensors).sort())) return Infinity;
  let max = 0;
  for (const key of keys) {
    const x = a.tensors[key]!.data;
    const y = b.tensors[key]!.data;
    if (x.length !== y.length) return Infinity;
    for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]! - y[i]!));
  }
  return max;
}

function assertFiniteReport(report: EpochReport): void {
  expect(report.train, `epoch ${report.epoch}: train terms`).toHaveProperty('loss');
  for (const [term, value] of Object.entries(report.train)) expect(Number.isFinite(value), `epoch ${report.epoch}: train ${term} = ${value}`).toBe(true);
  if (report.validation) {
    expect(report.validation, `epoch ${report.epoch}: validation terms`).toHaveProperty('loss');
    for (const [term, value] of Object.entries(report.validation)) expect(Number.isFinite(value), `epoch ${report.epoch}: validation ${term} = ${value}`).toBe(true);
  }
  expect(report.durationMs).toBeGreaterThanOrEqual(0);
}

/**
 * Register the model conformance suite with vitest: call it at the top level of a test
 * file. Every model package runs it, so the pipeline can rely on the contracts:
 *
 * ```ts
 * import { runModelConformance } from '@anomalab/core/testing';
 * import { myModel } from './index.ts';
 * runModelConformance({ plugin: myModel, options: { hidden: 4 } });
 * ```
 *
 * Services are real (quiet RunLogger, file checkpoints and run store in a temp dir,
 * SeededRandom); data are small generated sines.
 */
export function runModelConformance<Options>(config: ModelConformanceOptions<Options>): void {
  const { plugin, epochs = 2, window = 4, seed = 1111, tolerance = 0, timeoutMs = 60_000 } = config;
  const skipped = new Map<string, string>();
  for (const { test, reason } of config.skip ?? []) {
    if (!(test in CONFORMANCE_TESTS)) throw new Error(`runModelConformance: unknown test "${test}" in skip; known: ${Object.keys(CONFORMANCE_TESTS).join(', ')}`);
    if (!reason?.trim()) throw new Error(`runModelConformance: skipping "${test}" needs a reason`);
    skipped.set(test, reason);
  }
  if (epochs < 2 && !skipped.has('resume')) throw new Error('runModelConformance: the resume test needs epochs >= 2');

  describe(`model conformance: ${plugin.name}`, () => {
    const temp = makeTempDir(`anomalab-conformance-${plugin.name}-`);
    const data = standardizedConformanceData(config.data);
    const channels = data.train.channels;
    const created: Predictor[] = [];
    let options: Options;
    let training: TrainingConfig;
    let counter = 0;
    let main: Trained;

    interface Trained {
      predictor: Predictor;
      services: TestServices;
      reports: EpochReport[];
      result: TrainResult;
      linesDuringTraining: string[];
    }

    /** A fresh predictor with its own services (own temp folder). */
    const create = async (withSeed: number) => {
      const services = createTestServices(join(temp.dir, `p${counter++}`), withSeed);
      const predictor = await plugin.create({ channels, options: structuredClone(options), training, seed: withSeed, services });
      created.push(predictor);
      return { predictor, services };
    };

    /** Train `predictor` from `startEpoch` to `until`, recording the reports. */
    const train = async (predictor: Predictor, services: TestServices, until: number, startEpoch = 0) => {
      const reports: EpochReport[] = [];
      const before = services.lines.length;
      // Validation is the test split, as in the pipeline.
      const result = await predictor.train({ train: data.train, validation: data.test }, {
        training: { ...training, epochs: until },
        services,
        signal: new AbortController().signal,
        startEpoch,
        onEpochEnd: async (report) => {
          reports.push(report);
        },
      });
      return { reports, result, linesDuringTraining: services.lines.slice(before) };
    };

    const trainFresh = async (withSeed: number, until = epochs): Promise<Trained> => {
      const { predictor, services } = await create(withSeed);
      return { predictor, services, ...(await train(predictor, services, until)) };
    };

    /** A registry with the plugin, the generated dataset and the Gaussian detector. */
    const registry = () => {
      const r = new PluginRegistry();
      r.register(plugin as ModelPlugin<any>, `${plugin.name} (under test)`);
      r.register(conformanceDataset(config.data), '@anomalab/core/testing');
      r.register(gaussianDetectorPlugin, '@anomalab/core');
      return r;
    };

    const experimentText = (modelOptions: Record<string, unknown>) =>
      // JSON is YAML: no serialiser needed.
      JSON.stringify({
        name: `conformance-${plugin.name}`,
        seed,
        dataset: { name: 'conformance-sines', series: 'sines' },
        model: { name: plugin.name, options: modelOptions },
        training: { epochs, save_interval: 1 },
        detector: { name: 'gaussian', window },
      });

    beforeAll(async () => {
      // The core validates the options and fills in the schema's defaults, as for a real run.
      const loaded = await loadExperiment({ text: experimentText(config.options ?? {}) }, registry());
      options = loaded.config.model.options as Options;
      training = loaded.config.training;
      main = await trainFresh(seed);
    }, timeoutMs);

    afterAll(() => {
      for (const p of created) p.dispose();
      temp.cleanup();
    });

    const check = (test: ConformanceTest, fn: () => Promise<void> | void) => {
      const title = `${test}: ${CONFORMANCE_TESTS[test]}`;
      const reason = skipped.get(test);
      if (reason) it.skip(`${title} [skipped: ${reason}]`, () => {});
      else it(title, fn, timeoutMs);
    };

    check('plugin-shape', () => {
      expect(plugin.kind).toBe('model');
      expect(plugin.name, 'name: kebab-case').toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(plugin.description.trim().length, 'description').toBeGreaterThan(0);
      const schema = plugin.optionsSchema as { type?: string; additionalProperties?: unknown; properties?: Record<string, Record<string, unknown>> };
      expect(schema.type, 'optionsSchema.type').toBe('object');
      expect(schema.additionalProperties, 'optionsSchema.additionalProperties (unknown keys must be errors)').toBe(false);
      for (const [key, property] of Object.entries(schema.properties ?? {})) {
        expect(property, `option ${key}: default`).toHaveProperty('default');
        expect(typeof property.description === 'string' && property.description.length > 0, `option ${key}: description`).toBe(true);
        expect((options as Record<string, unknown>)[key], `option ${key}: default applied`).toBeDefined();
      }
      for (const key of Object.keys(plugin.trainingDefaults ?? {})) expect(['epochs', 'save_interval'], `trainingDefaults.${key}`).toContain(key);
      const predictor = main.predictor;
      expect(Boolean(predictor.forecast || predictor.errors || predictor.score), 'implements forecast(), errors() or score()').toBe(true);
      const described = predictor.describe();
      expect(typeof described.engine === 'string' && described.engine.length > 0, 'describe().engine').toBe(true);
    });

    check('invalid-config', async () => {
      const rejects = async (modelOptions: Record<string, unknown>, path: string) => {
        const error = await loadExperiment({ text: experimentText(modelOptions) }, registry()).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, `model.options ${JSON.stringify(modelOptions)} must be rejected`).toBeInstanceOf(ConfigError);
        const paths = (error as ConfigError).problems.map((p) => p.path);
        expect(paths, `a problem located at ${path}`).toContain(path);
      };
      await rejects({ ...config.options, not_an_option_of_this_model: 1 }, 'model.options.not_an_option_of_this_model');
      const properties = (plugin.optionsSchema.properties ?? {}) as Record<string, { type?: string | string[] }>;
      for (const [key, property] of Object.entries(properties)) {
        // A value of the wrong type for every option that declares its type.
        if (!property.type) continue;
        const types = ([] as string[]).concat(property.type);
        const wrong = types.includes('object') ? 'not-an-object' : { not: 'a valid value' };
        await rejects({ ...config.options, [key]: wrong }, `model.options.${key}`);
      }
    });

    check('train', () => {
      expect(main.result, 'TrainResult').toEqual({ epochs, interrupted: false });
      expect(main.reports.map((r) => r.epoch), 'one onEpochEnd per epoch, 1-based').toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
      main.reports.forEach(assertFiniteReport);
    });

    check('logs', () => {
      expect(main.linesDuringTraining.length, 'log lines written through services.logger during train()').toBeGreaterThan(0);
    });

    check('state-round-trip', async () => {
      const state = await main.predictor.getState();
      expect(typeof state.format === 'string' && state.format.length > 0, 'state.format').toBe(true);
      // Through a real checkpoint file: the state must survive encoding.
      const store = new FsCheckpointStore(join(temp.dir, 'round-trip'));
      await store.save('last', { epoch: epochs, bestValidationLoss: null, config: {}, predictor: state, savedAt: new Date().toISOString() });
      const restored = (await store.load('last'))!.predictor;
      // Another seed: whatever the seed initialised must be overwritten by the state.
      const { predictor: fresh } = await create(seed + 1);
      await fresh.setState(restored);
      expect(stateDistance(await fresh.getState(), state), 'getState() after setState()').toBeLessThanOrEqual(tolerance);
      for (const split of [data.train, data.test]) {
        const trainSplit = split === data.train;
        const [a, b] = await Promise.all([outputsOf(main.predictor, split, window, trainSplit), outputsOf(fresh, split, window, trainSplit)]);
        expect(maxAbsDiff(a.values, b.values), 'outputs of the restored instance').toBeLessThanOrEqual(tolerance);
      }
      const foreign: PredictorState = { format: 'not-this-model/0', tensors: {}, json: {} };
      await expect(fresh.setState(foreign), 'setState() of a foreign format must throw').rejects.toThrow();
    });

    check('resume', async () => {
      const first = await trainFresh(seed, 1);
      const state = await first.predictor.getState();
      const { predictor, services } = await create(seed);
      await predictor.setState(state);
      const second = await train(predictor, services, epochs, 1);
      expect(second.reports.map((r) => r.epoch), 'epochs after resuming').toEqual(Array.from({ length: epochs - 1 }, (_, i) => i + 2));
      expect(second.result.epochs).toBe(epochs);
      expect(stateDistance(await predictor.getState(), await main.predictor.getState()), 'resumed vs uninterrupted state').toBeLessThanOrEqual(Math.max(tolerance, 1e-5));
    });

    check('detector', async () => {
      if (main.predictor.score) {
        for (const [name, split] of [['train', data.train], ['test', data.test]] as const) {
          const { direct } = await outputsOf(main.predictor, split, window, name === 'train');
          const scores = direct!;
          expect(scores.channels, `${name}: one score array per channel`).toHaveLength(channels);
          expect(scores.firstValid, `${name}: firstValid`).toBeGreaterThanOrEqual(0);
          expect(scores.firstValid, `${name}: firstValid leaves rows to score`).toBeLessThan(split.rows - 1);
          for (const s of [...scores.channels, ...(scores.joint ? [scores.joint] : [])]) {
            expect(s, `${name}: scores are a Float32Array`).toBeInstanceOf(Float32Array);
            expect(s, `${name}: one score per row`).toHaveLength(split.rows);
            expect(s.every(Number.isFinite), `${name}: scores finite`).toBe(true);
          }
          if (scores.details) expect(JSON.parse(JSON.stringify(scores.details)), `${name}: details are JSON`).toEqual(scores.details);
          if (name === 'test') {
            const valid = scores.channels[0]!.subarray(scores.firstValid);
            expect(Math.max(...valid), 'test scores vary (the test split has spikes)').toBeGreaterThan(Math.min(...valid));
          }
        }
        return;
      }
      const errorsOf = async (split: Series) => {
        const errors = (await outputsOf(main.predictor, split, window)).errors!;
        expect(errors.rows, 'errors.rows').toBe(split.rows);
        expect(errors.channels, 'errors.channels').toBe(split.channels);
        expect(errors.dim, 'errors.dim').toBeGreaterThanOrEqual(1);
        expect(errors.values.length, 'errors.values.length = rows * channels * dim').toBe(errors.rows * errors.channels * errors.dim);
        expect(errors.firstValid, 'errors.firstValid').toBeGreaterThanOrEqual(0);
        expect(errors.firstValid, 'errors.firstValid leaves rows to score').toBeLessThan(split.rows - 1);
        const valid = errors.values.subarray(errors.firstValid * errors.channels * errors.dim);
        expect(valid.every(Number.isFinite), 'error values from firstValid on are finite').toBe(true);
        return errors;
      };
      const trainErrors = await errorsOf(data.train);
      const testErrors = await errorsOf(data.test);
      expect(testErrors.dim, 'same dim on train and test').toBe(trainErrors.dim);
      const detector = new GaussianDetector({ joint: true });
      detector.fit(trainErrors);
      const scores = detector.score(testErrors);
      expect(scores.channels).toHaveLength(channels);
      for (const s of [...scores.channels, ...(scores.joint ? [scores.joint] : [])]) {
        expect(s).toHaveLength(data.test.rows);
        expect(s.every((v) => Number.isFinite(v) && v >= 0), 'scores finite and >= 0').toBe(true);
      }
    });

    check('same-seed', async () => {
      const again = await trainFresh(seed);
      expect(stateDistance(await again.predictor.getState(), await main.predictor.getState()), 'same seed').toBeLessThanOrEqual(tolerance);
    });

    check('different-seed', async () => {
      const other = await trainFresh(seed + 1);
      expect(stateDistance(await other.predictor.getState(), await main.predictor.getState()), 'different seed').toBeGreaterThan(tolerance);
    });

    /** One run through the core pipeline, shared by the pipeline and stream checks. */
    let pipelineRun: Promise<{ r: PluginRegistry; runs: FsRunStore; run: { id: string; status: string }; results: RunResults }> | undefined;
    const completedRun = () =>
      (pipelineRun ??= (async () => {
        const r = registry();
        const loaded = await loadExperiment({ text: experimentText(config.options ?? {}) }, r);
        const runs = new FsRunStore(join(temp.dir, 'pipeline-runs'));
        const { run, results } = await runExperiment(r, runs, { config: loaded.config as ExperimentConfig, baseDir: temp.dir, quiet: true });
        return { r, runs, run, results };
      })());

    check('pipeline', async () => {
      const { r, runs, run, results } = await completedRun();
      expect(run.status).toBe('completed');
      expect(results.channels).toHaveLength(channels);
      const checkpoint = await runs.checkpoints(run.id).load('last');
      expect(checkpoint?.epoch, 'last checkpoint epoch').toBe(epochs);
      if (main.predictor.score) {
        expect(results.detector, 'a model with score() bypasses the detector').toHaveProperty('none');
        for (const c of results.channels) expect(c.metrics.deployable.threshold, `${c.channel}: deployable threshold from the train-split scores`).not.toBeNull();
      }
      // `anomalab score`: the run's checkpoint scores a series without training, with the run's thresholds.
      const again = await scoreWithRun(r, runs, { run: run.id, series: 'conformance-sines/sines', quiet: true });
      expect(again.results.scoredWith?.run).toBe(run.id);
      expect(again.results.channels.map((c) => c.metrics.deployable.threshold), 'thresholds fixed by the run').toEqual(results.channels.map((c) => c.metrics.deployable.threshold));
      expect(again.results.channels.map((c) => c.metrics.aucPr), 'same series, same scores').toEqual(results.channels.map((c) => c.metrics.aucPr));
    });

    check('stream', async () => {
      const { r, runs, run, results } = await completedRun();
      if (!main.predictor.openStream) {
        const error = await openRunStream(r, runs, run.id).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, 'openRunStream of a model without openStream must fail').toBeInstanceOf(AnomalabError);
        expect((error as Error).message).toContain(`model "${plugin.name}" cannot stream`);
        return;
      }
      // The raw test split, pushed row by row; the session standardises with the run's statistics.
      const raw = conformanceData(config.data).test;
      const session = await openRunStream(r, runs, run.id);
      const streamed: StreamScore[] = [];
      try {
        for (let t = 0; t < raw.rows; t++) streamed.push(...session.push(raw.values.subarray(t * raw.channels, (t + 1) * raw.channels)));
        streamed.push(...session.finish());
      } finally {
        session.dispose();
      }
      expect(streamed.map((s) => s.row), 'one StreamScore per row, in row order').toEqual(Array.from({ length: raw.rows }, (_, t) => t));
      const { entries } = await readSeriesFolder(join(runs.dirOf(run.id), 'series'));
      const names = results.channels.map((c) => c.channel);
      expect(session.channelNames).toEqual(names);
      const thresholds = [...results.channels.map((c) => c.metrics.deployable.threshold), results.joint?.metrics.deployable.threshold ?? null];
      const scorable = streamed.filter((s) => s.scores[0] !== null);
      expect(scorable.length, 'rows with scores').toBeGreaterThan(raw.rows / 2);
      // Unscored rows come first (the batch path scores them 0), the rest compare to 1e-5 relative.
      expect(streamed.slice(0, raw.rows - scorable.length).every((s) => s.scores.every((v) => v === null) && s.joint === null && !s.alarm)).toBe(true);
      let worst = 0;
      for (const s of scorable) {
        const columns = [...s.scores.map((v, c) => [v, entries[names[c]!]!.score![s.row]!, thresholds[c]] as const), ...(results.joint ? [[s.joint, entries.joint!.score![s.row]!, thresholds.at(-1)] as const] : [])];
        for (const [value, batch] of columns) {
          expect(value, `row ${s.row}: a score`).not.toBeNull();
          worst = Math.max(worst, Math.abs(value! - batch) / Math.max(Math.abs(batch), 1));
        }
        const flags = columns.map(([, batch, threshold]) => threshold !== null && threshold !== undefined && batch > threshold);
        expect(s.alarms, `row ${s.row}: channel alarms at the deployable thresholds`).toEqual(flags.slice(0, names.length));
        expect(s.alarm, `row ${s.row}: alarm`).toBe(results.joint && thresholds.at(-1) !== null ? flags.at(-1) : flags.slice(0, names.length).some(Boolean));
      }
      expect(worst, 'largest relative difference between streamed and batch scores').toBeLessThanOrEqual(1e-5);
    });
  });
}

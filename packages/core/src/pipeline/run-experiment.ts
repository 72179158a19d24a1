import { join } from 'node:path';
import { hostname } from 'node:os';
import { AnomalabError } from '../errors.ts';
import type { Checkpoint } from '../contracts/checkpoint-store.ts';
import type { EpochReport, Predictor } from '../contracts/model-plugin.ts';
import type { RunStore, RunSummary } from '../contracts/run-store.ts';
import type { Series } from '../contracts/series.ts';
import { container, type DependencyContainer } from 'tsyringe';
import type { ProgressHandle, TensorRuntime } from '../contracts/services.ts';
import { createPluginScope } from './plugin-scope.ts';
import type { ExperimentConfig } from '../config/experiment-config.ts';
import { RunLogger, type LogEvent } from '../logging/run-logger.ts';
import { FsCheckpointStore } from '../run-store/fs-checkpoint-store.ts';
import { removeStaleTempFiles } from '../run-store/atomic-write.ts';
import { SeededRandom } from '../random.ts';
import { loadTensorRuntime } from '../compute/tensor-runtime.ts';
import { computeErrors } from './compute-errors.ts';
import { buildSeriesFiles, datasetNotes, evaluateScores, headlineMetrics, writeResults, type RunResults, type ScoredSplit } from './results.ts';
import { formatMetricsSummary } from './summary.ts';
import type { PluginRegistry } from '../plugins/registry.ts';
import { channelStats, standardize } from './standardize.ts';
import { gitCommit, packageVersions } from './run-metadata.ts';

// Re-exported for the package index (their home is results.ts / summary.ts).
export { headlineMetrics, formatMetricsSummary };
export type { RunResults };
export type { ChannelResults } from './results.ts';

export interface RunOptions {
  config: ExperimentConfig;
  /** Directory relative paths in the config resolve against. */
  baseDir: string;
  configFile?: string;
  /** Continue this run (in its own folder) from its `last` checkpoint. */
  resume?: string;
  /** Aborting stops training after the current window; the run is marked interrupted. */
  signal?: AbortSignal;
  out?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Warnings and errors (default process.stderr). */
  err?: NodeJS.WritableStream;
  quiet?: boolean;
  listener?: (event: LogEvent) => void;
  /** Called once the run folder exists (the server reports the id early). */
  onRunCreated?: (run: RunSummary) => void;
  sweep?: string;
  /** Use this id for a new run (sweeps give their runs deterministic ids); default: generated. */
  runId?: string;
  /** DI container to derive the run's scope from (default: tsyringe's root). */
  container?: DependencyContainer;
}

export interface RunOutcome {
  run: RunSummary;
  results: RunResults;
}

/**
 * The pipeline: load -> standardise -> train (checkpoints) -> errors -> fit detector on
 * train -> score test -> evaluate -> save. One call is one run folder.
 */
export async function runExperiment(registry: PluginRegistry, runStore: RunStore, options: RunOptions): Promise<RunOutcome> {
  const { config } = options;
  const datasetPlugin = registry.get('dataset', config.dataset.name);
  const modelPlugin = registry.get('model', config.model.name);
  const detectorPlugin = registry.get('detector', config.detector.name);
  const datasetId = `${config.dataset.name}/${config.dataset.series ?? datasetPlugin.listSeries()[0]?.name ?? 'default'}`;

  const run = options.resume
    ? await reopenRun(runStore, options.resume)
    : await runStore.create(
        {
          experiment: config.name,
          dataset: datasetId,
          model: config.model.name,
          seed: config.seed,
          backend: 'none',
          node: process.version,
          versions: packageVersions(),
          gitCommit: gitCommit(),
          configFile: options.configFile,
          sweep: options.sweep,
          id: options.runId,
          pid: process.pid,
        },
        config as unknown as Record<string, unknown>,
      );
  options.onRunCreated?.(run);

  const logger = new RunLogger({
    logFile: join(run.dir, 'log.txt'),
    metricsFile: join(run.dir, 'metrics.jsonl'),
    out: options.out,
    err: options.err,
    quiet: options.quiet,
    listener: options.listener,
  });
  const checkpoints = new FsCheckpointStore(join(run.dir, 'checkpoints'));
  const random = new SeededRandom(config.seed);
  let runtime: TensorRuntime | undefined;
  // Per-run scope: plugins get these shared services by injection token.
  const tensors = async () => {
    if (!runtime) {
      runtime = await loadTensorRuntime();
      logger.info(`tfjs backend: ${runtime.backend}`);
      if (runtime.backend === 'cpu') {
        logger.warn('tfjs is running on its pure-JavaScript cpu backend: expect training several times slower than wasm. Check that @tensorflow/tfjs-backend-wasm is installed, or unset ANOMALAB_BACKEND=cpu.');
      }
      await runStore.update(run.id, { backend: runtime.backend });
    }
    return runtime;
  };
  const { services } = createPluginScope(options.container ?? container, { logger, checkpoints, runStore, random, tensors });

  const started = Date.now();
  let predictor: Predictor | undefined;
  try {
    logger.info(`run ${run.id}${options.resume ? ' (resumed)' : ''}: ${config.name} | ${datasetId} | model ${config.model.name} | seed ${config.seed}`);
    logger.metric({ type: 'run_started', run: run.id, resumed: Boolean(options.resume) });

    // 1. Load and standardise with train statistics (reference section 1).
    const loaded = await datasetPlugin.load({ series: config.dataset.series, options: config.dataset.options, baseDir: options.baseDir, services, signal: options.signal });
    const channels = loaded.channelNames.length;
    logger.info(`data: ${loaded.id}, ${channels} channel(s) [${loaded.channelNames.join(', ')}], train ${loaded.train.rows} rows, test ${loaded.test.rows} rows${loaded.labelled ? '' : ' (unlabelled)'}`);
    if (modelPlugin.capabilities?.univariateOnly && channels > 1) {
      throw new AnomalabError('ANOMALAB_CONFIG_INVALID', `model "${modelPlugin.name}" handles one channel only; ${loaded.id} has ${channels}`);
    }
    const stats = config.preprocess.standardize ? channelStats(loaded.train) : { mean: new Array(channels).fill(0), std: new Array(channels).fill(1) };
    stats.std.forEach((s, c) => s === 0 && logger.warn(`channel ${loaded.channelNames[c]} is constant on the train split: centred, not scaled`));
    const train = config.preprocess.standardize ? standardize(loaded.train, stats) : loaded.train;
    const test = config.preprocess.standardize ? standardize(loaded.test, stats) : loaded.test;

    // 2. Model, restored from the last checkpoint when resuming.
    predictor = await modelPlugin.create({ channels, options: config.model.options, training: config.training, seed: config.seed, services });
    let startEpoch = 0;
    let bestValidationLoss: number | null = null;
    if (options.resume) {
      const last = await checkpoints.load('last');
      if (last) {
        await predictor.setState(last.predictor);
        if (last.random) random.setState(last.random);
        startEpoch = last.epoch;
        bestValidationLoss = last.bestValidationLoss;
        logger.info(`resuming from the checkpoint of epoch ${last.epoch}`);
      } else {
        logger.warn('no checkpoint to resume from: training from scratch');
      }
    }
    const engine = predictor.describe();
    await runStore.update(run.id, { engine: engine.engine });
    logger.info(`model: ${modelPlugin.name} (${engine.engine}${engine.parameters !== undefined ? `, ${engine.parameters} parameters` : ''})`);

    // 3. Train; the core writes metrics and checkpoints after each epoch.
    const checkpointOf = async (epoch: number): Promise<Checkpoint> => ({
      epoch,
      bestValidationLoss,
      config: config as unknown as Record<string, unknown>,
      predictor: await predictor!.getState(),
      random: random.getState(),
      savedAt: new Date().toISOString(),
    });
    let lastSavedEpoch = startEpoch;
    let completedEpochs = startEpoch;
    const signal = options.signal ?? new AbortController().signal;
    const epochsToRun = config.training.epochs - startEpoch;
    let trainingProgress: ProgressHandle | undefined;
    const onEpochEnd = async (report: EpochReport) => {
      // Let pending events run (SIGINT/SIGTERM handlers, HTTP cancel) even when the model's
      // training loop never yields on its own.
      await new Promise((resolve) => setImmediate(resolve));
      for (const [split, terms] of [['train', report.train], ['validation', report.validation ?? {}]] as const) {
        for (const [term, value] of Object.entries(terms)) {
          if (!Number.isFinite(value)) {
            const kept = lastSavedEpoch > 0 ? `the last good checkpoint (epoch ${lastSavedEpoch}) is kept` : 'no checkpoint had been written yet';
            throw new AnomalabError('ANOMALAB_TRAINING_DIVERGED', `${split} ${term} is ${value} at epoch ${report.epoch}: training diverged (try a lower learning rate); ${kept}`);
          }
        }
      }
      completedEpochs = report.epoch;
      const validationText = report.validation?.loss !== undefined ? ` valid ${report.validation.loss.toFixed(4)}` : '';
      trainingProgress?.update(report.epoch - startEpoch, `epoch ${report.epoch}/${config.training.epochs} loss ${report.train.loss?.toFixed(4)}${validationText}`);
      logger.metric({ type: 'epoch', epoch: report.epoch, train: report.train, validation: report.validation, duration_ms: report.durationMs });
      const validationLoss = report.validation?.loss;
      if (validationLoss !== undefined && (bestValidationLoss === null || validationLoss < bestValidationLoss)) {
        bestValidationLoss = validationLoss;
        await checkpoints.save('best', await checkpointOf(report.epoch));
      }
      if (report.epoch % config.training.save_interval === 0 || report.epoch === config.training.epochs) {
        logger.info(`saving checkpoint (epoch ${report.epoch})`);
        await checkpoints.save('last', await checkpointOf(report.epoch));
        lastSavedEpoch = report.epoch;
      }
    };
    if (startEpoch < config.training.epochs) {
      // A bar on a TTY; plain progress lines (every 25%) otherwise.
      trainingProgress = logger.progress(`training (epochs ${startEpoch + 1}..${config.training.epochs})`, epochsToRun);
      const result = await predictor.train({ train, validation: test }, { training: config.training, services, signal, startEpoch, onEpochEnd });
      trainingProgress.done(`${result.epochs - startEpoch} epoch(s)`);
      completedEpochs = result.epochs;
      if (result.interrupted || signal.aborted) {
        await checkpoints.save('last', await checkpointOf(completedEpochs));
        throw new AnomalabError('ANOMALAB_INTERRUPTED', `interrupted after epoch ${completedEpochs}; checkpoint written. Continue with: anomalab experiment --resume ${run.id}`);
      }
    }
    if (lastSavedEpoch !== completedEpochs || !(await checkpoints.load('last'))) {
      await checkpoints.save('last', await checkpointOf(completedEpochs));
    }

    // 4. Which weights score: final (reference) or best validation.
    let scoredEpoch = completedEpochs;
    if (config.detector.weights === 'best') {
      const best = await checkpoints.load('best');
      if (best) {
        await predictor.setState(best.predictor);
        scoredEpoch = best.epoch;
      } else logger.warn('weights: best requested but no validation loss was recorded: scoring with the final weights');
    }

    // 5. Errors, detector fitted on train, scores.
    const W = config.detector.window;
    if (signal.aborted) throw new AnomalabError('ANOMALAB_INTERRUPTED', 'interrupted before scoring');
    const errorsOf = async (split: Series, label: string) => {
      const result = await computeErrors(predictor!, modelPlugin.name, split, W);
      logger.info(`prediction errors (${label}, ${split.rows} rows, W=${W}): ${(result.durationMs / 1000).toFixed(2)}s`);
      return result;
    };
    const trainErrors = await errorsOf(train, 'train');
    const testErrors = await errorsOf(test, 'test');
    logger.info('calculating mean and covariance');
    const detector = detectorPlugin.create(config.detector.options);
    detector.fit(trainErrors.errors);
    // The fitted detector travels with the weights it was fitted for (`anomalab score` uses both).
    const last = await checkpoints.load('last');
    if (last) await checkpoints.save('last', { ...last, detector: detector.getState() });
    if (config.detector.weights === 'best' && scoredEpoch !== completedEpochs) {
      const best = await checkpoints.load('best');
      if (best) await checkpoints.save('best', { ...best, detector: detector.getState() });
    }
    const trainScores = detector.score(trainErrors.errors);
    const testScores = detector.score(testErrors.errors);

    // 6. Evaluate and save.
    const scored: ScoredSplit = {
      split: test,
      splitName: 'test',
      channelNames: loaded.channelNames,
      scores: testScores,
      trainScores,
      forecast: testErrors.forecast,
      firstValid: testErrors.errors.firstValid,
    };
    if (!loaded.labelled) logger.warn(`${loaded.id} has no labels: scores are saved, metrics are not computed`);
    const evaluated = evaluateScores(loaded.labelled ? scored : { ...scored, split: { ...test, labels: undefined } }, config.evaluation);
    const results: RunResults = {
      format: 'anomalab-results/2',
      dataset: loaded.id,
      labelled: loaded.labelled,
      split: 'test',
      offset: test.offset,
      rows: test.rows,
      window: W,
      weights: config.detector.weights,
      scoredEpoch,
      detector: detector.describe(),
      evaluation: config.evaluation,
      channels: evaluated.channels.map((e, c) => ({ channel: loaded.channelNames[c]!, metrics: e.metrics, events: e.events })),
      joint: evaluated.joint ? { channel: 'joint', metrics: evaluated.joint.metrics, events: evaluated.joint.events } : null,
      standardization: stats,
      notes: datasetNotes(loaded),
    };
    const metrics = headlineMetrics(results);
    for (const line of formatMetricsSummary(results)) logger.info(line);
    for (const note of results.notes) logger.info(`  data: ${note}`);
    logger.metric({ type: 'results', metrics });
    const series = buildSeriesFiles(scored, { channels: evaluated.channels.map((e) => e.curves), joint: evaluated.joint?.curves ?? null }, W);
    await writeResults((path, content) => runStore.writeFile(run.id, path, content), results, series);

    const durationMs = Date.now() - started;
    logger.info(`run ${run.id} completed in ${(durationMs / 1000).toFixed(1)}s -> ${run.dir}`);
    logger.metric({ type: 'run_completed', duration_ms: durationMs });
    const done = await runStore.update(run.id, { status: 'completed', endedAt: new Date().toISOString(), durationMs, metrics });
    return { run: done, results };
  } catch (error) {
    const interrupted = error instanceof AnomalabError && error.code === 'ANOMALAB_INTERRUPTED';
    const message = (error as Error).message;
    logger.error(message);
    // The console has seen it: the CLI need not print it again.
    if (!options.quiet && error instanceof Error) Object.assign(error, { reported: true });
    logger.metric({ type: interrupted ? 'run_interrupted' : 'run_failed', message });
    await runStore.update(run.id, {
      status: interrupted ? 'interrupted' : 'failed',
      endedAt: new Date().toISOString(),
      durationMs: Date.now() - started,
      error: { code: error instanceof AnomalabError ? error.code : 'ANOMALAB_INTERNAL', message },
    });
    throw error;
  } finally {
    predictor?.dispose();
  }
}

async function reopenRun(runStore: RunStore, id: string): Promise<RunSummary> {
  const run = await runStore.get(id);
  if (run.status === 'completed') throw new AnomalabError('ANOMALAB_USAGE', `run ${id} is completed; raise training.epochs with --set to train it further`);
  // A killed process may have left temp files of interrupted atomic writes behind.
  await Promise.all([run.dir, join(run.dir, 'checkpoints')].map((dir) => removeStaleTempFiles(dir)));
  return runStore.update(id, { status: 'running', endedAt: undefined, error: undefined, resumedCount: (run.resumedCount ?? 0) + 1, pid: process.pid, host: hostname() });
}

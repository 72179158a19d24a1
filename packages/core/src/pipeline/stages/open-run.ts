import { hostname } from 'node:os';
import { container, type DependencyContainer } from 'tsyringe';
import { AnomalabError } from '../../errors.ts';
import type { CheckpointStore } from '../../contracts/checkpoint-store.ts';
import type { DatasetPlugin } from '../../contracts/dataset-plugin.ts';
import type { DetectorPlugin } from '../../contracts/detector.ts';
import type { ModelPlugin } from '../../contracts/model-plugin.ts';
import type { RunStore, RunSummary } from '../../contracts/run-store.ts';
import type { PluginServices } from '../../contracts/services.ts';
import type { ExperimentConfig } from '../../config/experiment-config.ts';
import { RunLogger, type LogEvent } from '../../logging/run-logger.ts';
import { SeededRandom } from '../../random.ts';
import type { PluginRegistry } from '../../plugins/registry.ts';
import type { SelectedEvaluator } from '../../contracts/evaluator.ts';
import { resolveEvaluators } from '../../evaluation/select-evaluators.ts';
import { createPluginScope } from '../plugin-scope.ts';
import { gitCommit, packageVersions } from '../run-metadata.ts';
import { processIdentity } from '../../run-store/process-alive.ts';

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
  /** Called after every checkpoint write (remote executors ship the run folder then). */
  onCheckpoint?: (tag: string, epoch: number) => void | Promise<void>;
  sweep?: string;
  /** Use this id for a new run (sweeps give their runs deterministic ids); default: generated. */
  runId?: string;
  /** Remove a new run's folder again when the dataset refuses its data (see runExperiment). */
  discardNewRunOnDataError?: boolean;
  /** DI container to derive the run's scope from (default: tsyringe's root). */
  container?: DependencyContainer;
}

/** The plugins an experiment selects. */
export interface RunPlugins {
  dataset: DatasetPlugin<any>;
  model: ModelPlugin<any>;
  detector: DetectorPlugin<any>;
  /** `evaluation.metrics`, resolved before training so a missing evaluator fails fast. */
  evaluators: SelectedEvaluator[];
}

/** Everything the stages of one run share: the open run folder and its services. */
export interface RunContext {
  options: RunOptions;
  config: ExperimentConfig;
  plugins: RunPlugins;
  /** `<dataset>/<series>` as recorded in run.json. */
  datasetId: string;
  run: RunSummary;
  runStore: RunStore;
  resumed: boolean;
  logger: RunLogger;
  checkpoints: CheckpointStore;
  random: SeededRandom;
  /** The shared services as plugins receive them (from the run's DI scope). */
  services: PluginServices;
  /** Never undefined: a signal that never aborts when the caller gave none. */
  signal: AbortSignal;
  /** Date.now() when the run's work started. */
  started: number;
}

/** The store, with `onSave` told about each completed write. */
function observeSaves(store: CheckpointStore, onSave: RunOptions['onCheckpoint']): CheckpointStore {
  if (!onSave) return store;
  return {
    save: async (tag, checkpoint) => {
      await store.save(tag, checkpoint);
      await onSave(tag, checkpoint.epoch);
    },
    load: (tag) => store.load(tag),
    list: () => store.list(),
  };
}

export function resolveRunPlugins(registry: PluginRegistry, config: ExperimentConfig): RunPlugins {
  return {
    dataset: registry.get('dataset', config.dataset.name),
    model: registry.get('model', config.model.name),
    detector: registry.get('detector', config.detector.name),
    evaluators: resolveEvaluators(registry, config.evaluation?.metrics),
  };
}

/**
 * Open stage: create the run folder (or reopen the one being resumed), its logger,
 * checkpoint store, seeded Random and DI scope, and announce the run.
 */
export async function openRun(registry: PluginRegistry, runStore: RunStore, options: RunOptions): Promise<RunContext> {
  const { config } = options;
  const plugins = resolveRunPlugins(registry, config);
  const datasetId = `${config.dataset.name}/${config.dataset.series ?? plugins.dataset.listSeries()[0]?.name ?? 'default'}`;

  const run = options.resume
    ? await reopenRun(runStore, options.resume, config)
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

  const logFiles = runStore.logFiles(run.id);
  const logger = new RunLogger({
    logFile: logFiles.log,
    metricsFile: logFiles.metrics,
    out: options.out,
    err: options.err,
    quiet: options.quiet,
    listener: options.listener,
  });
  const checkpoints = observeSaves(runStore.checkpoints(run.id), options.onCheckpoint);
  const random = new SeededRandom(config.seed);
  // The compute backend a model reports (e.g. tfjs's, via @anomalab/tfjs): logged, stored in run.json.
  const recordBackend = async (backend: string) => {
    logger.info(`backend: ${backend}`);
    await runStore.update(run.id, { backend });
  };
  const { services } = createPluginScope(options.container ?? container, { logger, checkpoints, runStore, random, recordBackend });
  return {
    options,
    config,
    plugins,
    datasetId,
    run,
    runStore,
    resumed: Boolean(options.resume),
    logger,
    checkpoints,
    random,
    services,
    signal: options.signal ?? new AbortController().signal,
    started: Date.now(),
  };
}

/** First lines of every run's log and metrics.jsonl. */
export function announceRun(ctx: RunContext): void {
  const { config, run, logger } = ctx;
  logger.info(`run ${run.id}${ctx.resumed ? ' (resumed)' : ''}: ${config.name} | ${ctx.datasetId} | model ${config.model.name} | seed ${config.seed}`);
  logger.metric({ type: 'run_started', run: run.id, resumed: ctx.resumed });
}

/**
 * Mark a stopped run running again (it keeps its folder, id and checkpoints). Refused while
 * another process is still running it, and for a completed run unless `training.epochs`
 * grows. The resumed config is written only once the resume is accepted.
 */
async function reopenRun(runStore: RunStore, id: string, config: ExperimentConfig): Promise<RunSummary> {
  const run = await runStore.get(id);
  if (run.status === 'running') {
    // get() reports a run whose process is gone as failed: this one's process is alive.
    const where = run.host && run.host !== hostname() ? ` on host ${run.host}` : '';
    throw new AnomalabError(
      'ANOMALAB_USAGE',
      `run ${id} is still running (pid ${run.pid ?? '?'}${where}): two processes would write one folder. Stop it first (Ctrl-C, or kill -TERM ${run.pid ?? '<pid>'}), then resume`,
    );
  }
  if (run.status === 'unreadable') throw new AnomalabError('ANOMALAB_RUN_UNREADABLE', run.error?.message ?? `run ${id} is unreadable`);
  const trained = (await runStore.checkpoints(id).load('last'))?.epoch;
  if (run.status === 'completed' && !(trained !== undefined && config.training.epochs > trained)) {
    throw new AnomalabError(
      'ANOMALAB_USAGE',
      `run ${id} is completed${trained !== undefined ? ` (${trained} epochs)` : ''}; to train it further give more epochs: anomalab experiment --resume ${id} --set training.epochs=${(trained ?? config.training.epochs) + 10}`,
    );
  }
  if (trained !== undefined && config.training.epochs < trained) {
    throw new AnomalabError('ANOMALAB_USAGE', `run ${id} has already trained ${trained} epochs: training.epochs ${config.training.epochs} would go back; give at least ${trained}`);
  }
  // A killed process may have left temp files of interrupted atomic writes behind.
  await runStore.removeStaleTempFiles(id);
  await runStore.writeConfig(id, config);
  return runStore.update(id, {
    status: 'running',
    endedAt: undefined,
    error: undefined,
    resumedCount: (run.resumedCount ?? 0) + 1,
    pid: process.pid,
    host: hostname(),
    processStart: processIdentity(process.pid),
  });
}

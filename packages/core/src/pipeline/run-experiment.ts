import type { DetectorScores } from '../contracts/detector.ts';
import type { DirectScores, Predictor } from '../contracts/model-plugin.ts';
import type { RunStore } from '../contracts/run-store.ts';
import type { PluginRegistry } from '../plugins/registry.ts';
import { AnomalabError } from '../errors.ts';
import { datasetNotes, headlineMetrics, writeResults, type RunResults, type ScoredSplit } from './results.ts';
import { formatMetricsSummary } from './summary.ts';
import { announceRun, openRun, type RunContext, type RunOptions } from './stages/open-run.ts';
import { loadData, type PreparedData } from './stages/load-data.ts';
import { createPredictor, trainModel, type TrainedModel } from './stages/train.ts';
import { fitDetector, MODEL_SCORES_DETECTOR, predictErrors, scoreDirect, scoreErrors } from './stages/score.ts';
import { evaluateSplit, reportResults } from './stages/evaluate.ts';
import { completeRun, failRun, type RunOutcome } from './stages/close-run.ts';

// Re-exported for the package index (their home is results.ts / summary.ts / stages/).
export { headlineMetrics, formatMetricsSummary };
export type { RunResults, RunOptions, RunOutcome };
export type { ChannelResults } from './results.ts';

/**
 * The pipeline, one call per run folder:
 *   open -> load + standardise -> train (checkpoints) -> prediction errors -> fit the
 *   detector on train -> score test -> evaluate -> write results -> close.
 * Each stage is a function in ./stages/ taking the RunContext that `openRun` returns.
 */
export async function runExperiment(registry: PluginRegistry, runStore: RunStore, options: RunOptions): Promise<RunOutcome> {
  const ctx = await openRun(registry, runStore, options);
  let predictor: Predictor | undefined;
  try {
    announceRun(ctx);
    const data = await loadData(ctx).catch((error) => discardIfRefusedData(ctx, error));
    predictor = await createPredictor(ctx.plugins.model, ctx.config, data.channels, ctx.services);
    const trained = await trainModel(ctx, predictor, data);
    const scored = await scoreTest(ctx, predictor, data, trained);
    const results = await evaluateAndWrite(ctx, data, trained, scored);
    stopIfAborted(ctx, 'while writing the results');
    return await completeRun(ctx, results);
  } catch (error) {
    if (!(error as { discarded?: boolean }).discarded) await failRun(ctx, error);
    throw error;
  } finally {
    predictor?.dispose();
  }
}

/**
 * With `discardNewRunOnDataError`, data the dataset plugin refuses (a malformed CSV) is bad
 * input like a bad YAML file: the new run's folder is removed again, so no failed run is
 * left behind (the CLI then exits 2). Resumed runs and other errors are recorded as usual.
 */
async function discardIfRefusedData(ctx: RunContext, error: unknown): Promise<never> {
  const refused = error instanceof AnomalabError && (error.code === 'ANOMALAB_DATA_INVALID' || error.code === 'ANOMALAB_CONFIG_INVALID');
  if (refused && !ctx.resumed && ctx.options.discardNewRunOnDataError) {
    await ctx.runStore.discard(ctx.run.id);
    Object.assign(error, { discarded: true });
  }
  throw error;
}

/**
 * A signal after training (SIGINT/SIGTERM, cancel) stops the run too: it ends interrupted,
 * its trained checkpoint kept, and `--resume` scores it without training again.
 */
function stopIfAborted(ctx: RunContext, when: string): void {
  if (ctx.signal.aborted) throw new AnomalabError('ANOMALAB_INTERRUPTED', `interrupted ${when}; the trained checkpoint is kept. Continue with: anomalab experiment --resume ${ctx.run.id}`);
}

/** What the score stage hands to evaluation. */
interface ScoredTest {
  scored: ScoredSplit;
  /** results.json `detector`. */
  detector: Record<string, unknown>;
  /** results.json `model`: facts of a model that scores rows itself (e.g. its discords). */
  model?: Record<string, unknown>;
}

/**
 * Errors of both splits, the detector fitted on train, scores of both (test is evaluated).
 * Models that score rows themselves (`Predictor.score`) skip errors and detector: their
 * train-split scores (computed with `trainSplit: true`, no labels) set the deployable threshold.
 */
async function scoreTest(ctx: RunContext, predictor: Predictor, data: PreparedData, trained: TrainedModel): Promise<ScoredTest> {
  const { config, logger, plugins } = ctx;
  const W = config.detector.window;
  stopIfAborted(ctx, 'before scoring');
  if (predictor.score) return scoreTestDirect(ctx, predictor, data);
  const trainErrors = await predictErrors(predictor, plugins.model.name, data.train, W, logger, 'train');
  stopIfAborted(ctx, 'while scoring');
  const testErrors = await predictErrors(predictor, plugins.model.name, data.test, W, logger, 'test');
  stopIfAborted(ctx, 'while scoring');
  const detector = await fitDetector(plugins.detector, config.detector.options, trainErrors, logger, {
    checkpoints: ctx.checkpoints,
    alsoBest: config.detector.weights === 'best' && trained.scoredEpoch !== trained.completedEpochs,
  });
  const trainScores = scoreErrors(detector, trainErrors);
  const scored: ScoredSplit = {
    split: data.test,
    splitName: 'test',
    channelNames: data.loaded.channelNames,
    scores: scoreErrors(detector, testErrors),
    trainScores,
    forecast: testErrors.forecast,
    firstValid: testErrors.errors.firstValid,
  };
  return { scored, detector: detector.describe() };
}

async function scoreTestDirect(ctx: RunContext, predictor: Predictor, data: PreparedData): Promise<ScoredTest> {
  const { logger, plugins } = ctx;
  if (ctx.config.detector.weights === 'best') logger.warn(`detector.weights: best has no effect: model "${plugins.model.name}" scores rows itself`);
  const train = await scoreDirect(predictor, plugins.model.name, data.train, { trainSplit: true }, logger, 'train');
  stopIfAborted(ctx, 'while scoring');
  const test = await scoreDirect(predictor, plugins.model.name, data.test, { trainSplit: false }, logger, 'test');
  const scored: ScoredSplit = {
    split: data.test,
    splitName: 'test',
    channelNames: data.loaded.channelNames,
    scores: { channels: test.channels, joint: test.joint },
    trainScores: alignTrainScores(train, test.firstValid),
    firstValid: test.firstValid,
  };
  return { scored, detector: { ...MODEL_SCORES_DETECTOR }, model: test.details };
}

/**
 * Evaluation reads train scores from the test split's firstValid on: drop the leading rows
 * of the train scores so that exactly the train split's own unscored rows are left out.
 */
function alignTrainScores(train: DirectScores, testFirstValid: number): DetectorScores {
  const skip = Math.max(0, train.firstValid - testFirstValid);
  return { channels: train.channels.map((s) => s.subarray(skip)), joint: train.joint?.subarray(skip) };
}

/** Evaluate the scored test split and write results.json and series/ into the run folder. */
async function evaluateAndWrite(ctx: RunContext, data: PreparedData, trained: TrainedModel, { scored, detector, model }: ScoredTest): Promise<RunResults> {
  const { config, logger, run } = ctx;
  const { loaded, test } = data;
  if (!loaded.labelled) logger.warn(`${loaded.id} has no labels: scores are saved, metrics are not computed`);
  const evaluated = evaluateSplit(scored, { settings: config.evaluation, labelled: loaded.labelled, window: config.detector.window, evaluators: ctx.plugins.evaluators });
  const results: RunResults = {
    format: 'anomalab-results/2',
    dataset: loaded.id,
    labelled: loaded.labelled,
    split: 'test',
    offset: test.offset,
    rows: test.rows,
    window: config.detector.window,
    weights: config.detector.weights,
    scoredEpoch: trained.scoredEpoch,
    detector,
    ...(model ? { model } : {}),
    evaluation: config.evaluation,
    channels: evaluated.channels,
    joint: evaluated.joint,
    standardization: data.stats,
    notes: datasetNotes(loaded),
  };
  reportResults(logger, results);
  logger.metric({ type: 'results', metrics: headlineMetrics(results) });
  await writeResults((path, content) => ctx.runStore.writeFile(run.id, path, content), results, evaluated.series);
  return results;
}

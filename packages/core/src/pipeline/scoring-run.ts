import { AnomalabError } from '../errors.ts';
import type { Checkpoint } from '../contracts/checkpoint-store.ts';
import type { Detector } from '../contracts/detector.ts';
import type { ModelPlugin, Predictor } from '../contracts/model-plugin.ts';
import type { RunStore, RunSummary } from '../contracts/run-store.ts';
import type { PluginServices } from '../contracts/services.ts';
import type { ExperimentConfig } from '../config/experiment-config.ts';
import type { PluginRegistry } from '../plugins/registry.ts';
import type { RunResults } from './results.ts';
import { createPredictor } from './stages/train.ts';

/**
 * What scoring with a trained run needs, loaded one way for `anomalab score` (a whole
 * series, score-series.ts) and for stream sessions (streaming/open-run-stream.ts).
 */
export interface ScoringRun {
  run: RunSummary;
  config: ExperimentConfig;
  results: RunResults;
}

/** A completed run with results in the current format, or a clear error. */
export async function readScoringRun(runStore: RunStore, runId: string): Promise<ScoringRun> {
  const run = await runStore.get(runId);
  const config = await runStore.readConfig<ExperimentConfig>(run.id);
  const results = await runStore.readResults<RunResults>(run.id);
  if (!config || !results) {
    throw new AnomalabError('ANOMALAB_USAGE', `run ${run.id} has no results (status ${run.status}): only a completed run can score other series`);
  }
  if (results.format !== 'anomalab-results/2') {
    throw new AnomalabError('ANOMALAB_USAGE', `run ${run.id} was made by an older anomalab (results format ${JSON.stringify(results.format ?? 1)}): re-run it to score with it`);
  }
  return { run, config, results };
}

/** The run's trained model, ready to score: dispose `predictor` when done. */
export interface RestoredModel {
  modelPlugin: ModelPlugin<any>;
  predictor: Predictor;
  /** The checkpoint whose weights scored in the run (final or best). */
  weights: Checkpoint;
  /** The detector fitted for those weights; absent for models that score rows themselves (`Predictor.score`). */
  detector?: Detector;
  /** The run's deployable thresholds (chosen on its train scores), per channel and joint. */
  thresholds: { channels: (number | null)[]; joint: number | null };
}

/**
 * The checkpoint whose weights scored in the run (final or best) and the detector state
 * fitted for them (the `last` checkpoint's when the weights' own has none).
 */
export async function scoringCheckpoint(runStore: RunStore, scoring: ScoringRun): Promise<{ weights: Checkpoint; detectorState?: Record<string, unknown> }> {
  const { run, results } = scoring;
  const checkpoints = runStore.checkpoints(run.id);
  const last = await checkpoints.load('last');
  const weights = results.weights === 'best' && results.scoredEpoch !== last?.epoch ? ((await checkpoints.load('best')) ?? last) : last;
  if (!weights) throw new AnomalabError('ANOMALAB_CHECKPOINT_INVALID', `run ${run.id} has no checkpoint`);
  return { weights, detectorState: weights.detector ?? last?.detector };
}

/** The run's deployable thresholds (chosen on its train scores), per channel and joint. */
export function deployableThresholds(results: RunResults): { channels: (number | null)[]; joint: number | null } {
  return {
    channels: results.channels.map((c) => c.metrics.deployable.threshold),
    joint: results.joint?.metrics.deployable.threshold ?? null,
  };
}

/**
 * The weights that scored in the run (final or best), the predictor restored from them and
 * the detector fitted for them, plus the run's deployable thresholds.
 */
export async function restoreScoringModel(registry: PluginRegistry, runStore: RunStore, scoring: ScoringRun, services: PluginServices): Promise<RestoredModel> {
  const { run, config, results } = scoring;
  const { weights, detectorState } = await scoringCheckpoint(runStore, scoring);
  const modelPlugin = registry.get('model', config.model.name);
  const predictor = await createPredictor(modelPlugin, config, results.standardization.mean.length, services);
  try {
    await predictor.setState(weights.predictor);
    let detector: Detector | undefined;
    if (!predictor.score) {
      if (!detectorState) throw new AnomalabError('ANOMALAB_CHECKPOINT_INVALID', `run ${run.id}'s checkpoint has no fitted detector (the run did not reach scoring)`);
      detector = registry.get('detector', config.detector.name).create(config.detector.options);
      detector.setState(detectorState);
    }
    return { modelPlugin, predictor, weights, detector, thresholds: deployableThresholds(results) };
  } catch (error) {
    predictor.dispose();
    throw error;
  }
}

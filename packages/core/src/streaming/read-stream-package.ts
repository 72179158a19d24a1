import { AnomalabError } from '../errors.ts';
import type { RunStore } from '../contracts/run-store.ts';
import type { PluginRegistry } from '../plugins/registry.ts';
import { deployableThresholds, readScoringRun, scoringCheckpoint } from '../pipeline/scoring-run.ts';
import { encodePredictorState, STREAM_PACKAGE_FORMAT, type StreamPackage } from './stream-package.ts';

/**
 * A completed run as a stream package for a page (see `StreamPackage`): the same weights,
 * detector, statistics and thresholds `openRunStream` loads. Refused with a clear error for
 * a model without a browser module (`ModelPlugin.browser`).
 */
export async function readStreamPackage(registry: PluginRegistry, runStore: RunStore, runId: string): Promise<StreamPackage> {
  const scoring = await readScoringRun(runStore, runId);
  const { run, config, results } = scoring;
  const model = registry.get('model', config.model.name);
  if (!model.browser) {
    throw new AnomalabError('ANOMALAB_USAGE', `run ${run.id}: model "${model.name}" cannot score in a browser page (its plugin declares no browser module); stream it from the server instead (POST /api/runs/${run.id}/streams)`);
  }
  const { weights, detectorState } = await scoringCheckpoint(runStore, scoring);
  return {
    format: STREAM_PACKAGE_FORMAT,
    run: run.id,
    model: { name: model.name, options: config.model.options ?? {} },
    channelNames: results.channels.map((c) => c.channel),
    window: results.window,
    standardization: results.standardization,
    thresholds: deployableThresholds(results),
    hasJoint: results.joint !== null,
    detector: detectorState ? { name: config.detector.name, options: config.detector.options ?? {}, state: detectorState } : null,
    predictor: encodePredictorState(weights.predictor),
  };
}

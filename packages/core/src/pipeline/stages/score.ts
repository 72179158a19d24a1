import type { Checkpoint, CheckpointStore } from '../../contracts/checkpoint-store.ts';
import type { Detector, DetectorPlugin, DetectorScores } from '../../contracts/detector.ts';
import type { Predictor } from '../../contracts/model-plugin.ts';
import type { Series } from '../../contracts/series.ts';
import type { Logger } from '../../contracts/services.ts';
import { computeErrors, type SplitErrors } from '../compute-errors.ts';

/**
 * Score stage, first half: the W-step prediction errors of a split (logged with their
 * time). `label` names the split in the log line (a run has two; `anomalab score` one).
 */
export async function predictErrors(predictor: Predictor, modelName: string, split: Series, window: number, logger: Logger, label?: string): Promise<SplitErrors> {
  const result = await computeErrors(predictor, modelName, split, window);
  logger.info(`prediction errors (${label ? `${label}, ` : ''}${split.rows} rows, W=${window}): ${(result.durationMs / 1000).toFixed(2)}s`);
  return result;
}

/**
 * Fit stage: the detector fitted on the train split's errors. The fitted state travels
 * with the weights it was fitted for (`anomalab score` uses both): it is added to `last`,
 * and to `best` when the best weights (not the final ones) scored.
 */
export async function fitDetector(
  plugin: DetectorPlugin<any>,
  options: Record<string, unknown>,
  trainErrors: SplitErrors,
  logger: Logger,
  store: { checkpoints: CheckpointStore; alsoBest: boolean },
): Promise<Detector> {
  logger.info('calculating mean and covariance');
  const detector = plugin.create(options);
  detector.fit(trainErrors.errors);
  const withDetector = (c: Checkpoint): Checkpoint => ({ ...c, detector: detector.getState() });
  const last = await store.checkpoints.load('last');
  if (last) await store.checkpoints.save('last', withDetector(last));
  if (store.alsoBest) {
    const best = await store.checkpoints.load('best');
    if (best) await store.checkpoints.save('best', withDetector(best));
  }
  return detector;
}

/** Score stage, second half: anomaly scores of a split's errors. */
export function scoreErrors(detector: Detector, errors: SplitErrors): DetectorScores {
  return detector.score(errors.errors);
}

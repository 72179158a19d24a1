import type { Checkpoint, CheckpointStore } from '../../contracts/checkpoint-store.ts';
import type { Detector, DetectorPlugin, DetectorScores } from '../../contracts/detector.ts';
import type { DirectScores, Predictor, ScoreContext } from '../../contracts/model-plugin.ts';
import { AnomalabError } from '../../errors.ts';
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

/** What results.json records as the detector of a model that scores rows itself. */
export const MODEL_SCORES_DETECTOR = { none: 'the model scores rows itself (Predictor.score): no error model' } as const;

/**
 * Score stage for models that score rows themselves (`Predictor.score`): the scores of a
 * split, checked against the contract (one finite score per row and channel) so a broken
 * plugin fails here with its name, not later in evaluation.
 */
export async function scoreDirect(predictor: Predictor, modelName: string, split: Series, context: ScoreContext, logger: Logger, label?: string): Promise<DirectScores> {
  const started = Date.now();
  const scores = await predictor.score!(split, context);
  const bad = (what: string) => new AnomalabError('ANOMALAB_PLUGIN_INVALID', `model "${modelName}" score(): ${what}`);
  if (scores.channels.length !== split.channels) throw bad(`${scores.channels.length} score arrays for ${split.channels} channel(s)`);
  if (!(Number.isInteger(scores.firstValid) && scores.firstValid >= 0 && scores.firstValid <= split.rows)) throw bad(`firstValid ${scores.firstValid} is not a row index of the ${split.rows}-row split`);
  const arrays: [string, Float32Array][] = scores.channels.map((s, c) => [`channel ${c}`, s]);
  if (scores.joint) arrays.push(['joint', scores.joint]);
  for (const [name, s] of arrays) {
    if (!(s instanceof Float32Array) || s.length !== split.rows) throw bad(`${name}: expected a Float32Array of ${split.rows} scores, got ${s?.length ?? 'none'}`);
    for (let t = scores.firstValid; t < s.length; t++) if (!Number.isFinite(s[t]!)) throw bad(`${name}: score of row ${t} is ${s[t]}`);
  }
  logger.info(`model scores (${label ? `${label}, ` : ''}${split.rows} rows): ${((Date.now() - started) / 1000).toFixed(2)}s`);
  return scores;
}

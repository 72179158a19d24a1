import type { EvaluationInput, EvaluationResult, Evaluator } from '../contracts/evaluator.ts';
import { countAt, pointScores } from './point-metrics.ts';
import { deployableThreshold, describeRule, type ThresholdRule } from './deployable-threshold.ts';

/**
 * A deployable threshold, chosen without test labels from the train scores (`method`
 * `max-train`, the default, or `quantile` with `quantile`). Point precision/recall/F-beta
 * at that threshold; null (never NaN) where undefined, with a note.
 */
export const trainThresholdEvaluator: Evaluator = {
  name: 'deployable',
  evaluate(input: EvaluationInput, options: Record<string, unknown>): EvaluationResult {
    const beta = Number(options.beta ?? 1);
    const rule: ThresholdRule = options.method === 'quantile' || (options.quantile !== undefined && options.method === undefined)
      ? { method: 'quantile', quantile: Number(options.quantile ?? 0.99) }
      : { method: 'max-train' };
    const chosen = deployableThreshold(input.trainScores, input.firstValid, rule);
    if (!chosen) {
      return { evaluator: 'deployable', protocol: describeRule(rule), metrics: { f: null, f1: null, precision: null, recall: null, threshold: null, beta }, notes: ['no train scores: no deployable threshold'] };
    }
    const counts = countAt(input.scores, input.labels, chosen.threshold, input.firstValid);
    const scores = pointScores(counts, beta);
    const notes: string[] = [];
    if (counts.tp + counts.fp === 0) notes.push('no test row is above the deployable threshold: precision is undefined');
    if (counts.tp + counts.fn === 0) notes.push('no anomalous rows in the test labels: recall is undefined');
    return {
      evaluator: 'deployable',
      protocol: chosen.protocol,
      metrics: { f: scores.f, f1: pointScores(counts, 1).f, precision: scores.precision, recall: scores.recall, threshold: chosen.threshold, beta, ...counts },
      notes: notes.length ? notes : undefined,
    };
  },
};

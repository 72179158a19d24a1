import type { EvaluationInput, EvaluationResult, Evaluator } from '../contracts/evaluator.ts';
import { countAt, fBeta, precisionRecall } from './point-metrics.ts';

/**
 * A deployable threshold, chosen without test labels: the maximum score on the train
 * split (or a quantile of it). Point precision/recall/F-beta at that threshold.
 */
export const trainThresholdEvaluator: Evaluator = {
  name: 'deployable',
  evaluate(input: EvaluationInput, options: Record<string, unknown>): EvaluationResult {
    const beta = Number(options.beta ?? 1);
    const quantile = Number(options.quantile ?? 1);
    const train = input.trainScores;
    if (!train || train.length <= input.firstValid) {
      return { evaluator: 'deployable', protocol: 'threshold from train scores', metrics: {}, notes: ['no train scores'] };
    }
    const sorted = Float32Array.from(train.subarray(input.firstValid)).sort();
    const threshold = sorted[Math.min(sorted.length - 1, Math.floor(quantile * (sorted.length - 1)))]!;
    const counts = countAt(input.scores, input.labels, threshold, input.firstValid);
    const { precision, recall } = precisionRecall(counts);
    return {
      evaluator: 'deployable',
      protocol: quantile === 1 ? 'threshold = max train score (no test labels used)' : `threshold = ${quantile} quantile of train scores (no test labels used)`,
      metrics: { f: fBeta(precision, recall, beta), precision, recall, threshold, beta, ...counts },
    };
  },
};

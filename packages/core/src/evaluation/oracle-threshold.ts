import type { EvaluationInput, EvaluationResult, Evaluator } from '../contracts/evaluator.ts';
import { countAt, fBeta, precisionRecall } from './point-metrics.ts';

/**
 * The reference's sweep (section 6): 1000 thresholds spaced logarithmically from 1 to
 * max(score); thresholds where precision or recall is 0 are dropped; report the best
 * F-beta. The threshold is chosen on the test labels, so this is an optimistic upper
 * bound, and it is labelled that way.
 */
export const oracleThresholdEvaluator: Evaluator = {
  name: 'oracle',
  evaluate(input: EvaluationInput, options: Record<string, unknown>): EvaluationResult {
    const beta = Number(options.beta ?? 1);
    const steps = Number(options.steps ?? 1000);
    const { scores, labels, firstValid } = input;
    let max = 0;
    for (let t = firstValid; t < scores.length; t++) if (scores[t]! > max) max = scores[t]!;
    const curves = { threshold: [] as number[], precision: [] as number[], recall: [] as number[], f: [] as number[] };
    const notes: string[] = [];
    let positives = 0;
    for (let t = firstValid; t < labels.length; t++) positives += labels[t]!;
    if (positives === 0) notes.push('no anomalous rows in the test labels: precision/recall are undefined');
    if (max <= 1) notes.push(`max score ${max.toPrecision(4)} <= 1: the reference's threshold range [1, max] is empty`);
    let best = { f: -1, precision: 0, recall: 0, threshold: NaN };
    if (positives > 0 && max > 1) {
      const logMax = Math.log10(max);
      for (let i = 0; i < steps; i++) {
        const threshold = 10 ** ((logMax * i) / (steps - 1));
        const { precision, recall } = precisionRecall(countAt(scores, labels, threshold, firstValid));
        if (precision === 0 || recall === 0) continue;
        const f = fBeta(precision, recall, beta);
        curves.threshold.push(threshold);
        curves.precision.push(precision);
        curves.recall.push(recall);
        curves.f.push(f);
        if (f > best.f) best = { f, precision, recall, threshold };
      }
    }
    if (positives > 0 && best.f < 0) notes.push('no threshold gives non-zero precision and recall');
    const found = best.f >= 0;
    return {
      evaluator: 'oracle',
      protocol: 'threshold chosen on test labels (optimistic upper bound)',
      metrics: {
        f: found ? best.f : null,
        precision: found ? best.precision : null,
        recall: found ? best.recall : null,
        threshold: found ? best.threshold : null,
        beta,
      },
      curves,
      notes: notes.length ? notes : undefined,
    };
  },
};

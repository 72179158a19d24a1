// A third-party evaluator as a small package: precision@k (k = the number of labelled rows),
// the share of labelled rows among the k highest scores (ties broken by row order).
import type { EvaluatorPlugin } from '@anomalab/core';

const precisionAtK: EvaluatorPlugin<{ factor: number }> = {
  kind: 'evaluator',
  name: 'precision-at-k',
  description: 'precision among the k highest scores, k = factor x the labelled rows',
  metrics: [{ key: 'precision-at-k', label: 'P@k', description: 'precision among the k highest scores', thresholded: false }],
  optionsSchema: { type: 'object', additionalProperties: false, properties: { factor: { type: 'number', exclusiveMinimum: 0, default: 1 } } },
  evaluate({ scores, labels }, { factor }) {
    const positives = labels.reduce((a, b) => a + b, 0);
    const k = Math.max(1, Math.round(factor * positives));
    const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]! || a - b);
    const hits = order.slice(0, k).reduce((n, t) => n + labels[t]!, 0);
    return { metrics: { 'precision-at-k': hits / k }, parameters: { k } };
  },
};

export default precisionAtK;

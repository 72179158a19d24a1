// @anomalab/evaluators: the field's metrics as evaluator plugins (discovered through
// package.json "anomalab.plugins"); the metric functions are in ./metrics.
import { vusEvaluator } from './plugins/vus.ts';
import { affiliationEvaluator, paKEvaluator, rangePrEvaluator } from './plugins/thresholded.ts';

export { vusEvaluator, affiliationEvaluator, paKEvaluator, rangePrEvaluator };
export * from './metrics/index.ts';

export default [vusEvaluator, rangePrEvaluator, affiliationEvaluator, paKEvaluator];

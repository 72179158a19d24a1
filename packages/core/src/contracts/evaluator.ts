import type { JSONSchema } from '../config/json-schema.ts';

/**
 * Evaluator plugins: metric families computed from one channel's (or the joint) scores and
 * the test labels. The core runs the point metrics itself (oracle and deployable thresholds,
 * AUC-PR, AUC-ROC, events); evaluators add the rest (e.g. VUS, range-based, affiliation).
 * Found like models: a package whose package.json lists modules under
 * `"anomalab": { "plugins": [...] }`, or an experiment's `plugins:` list.
 */

/** A threshold to evaluate thresholded metrics at; flag `score > threshold` (as the point metrics). */
export interface EvaluatorThreshold {
  /** `oracle`: best point F-beta on the test labels (optimistic); `deployable`: chosen without test labels. */
  name: 'oracle' | 'deployable';
  threshold: number;
  /** How it was chosen, shown with the metrics. */
  protocol: string;
}

export interface EvaluatorInput {
  /** Scores of the scored rows only (the unscored first rows are dropped); finite numbers. */
  scores: Float32Array;
  /** 0/1 labels of the same rows; at least one anomalous row. */
  labels: Uint8Array;
  /** The channel's standardised values on the same rows (for the joint score: the first channel's). */
  values?: Float32Array;
  /** The thresholds that exist for this channel (none when, e.g., no train scores). */
  thresholds: EvaluatorThreshold[];
}

export interface EvaluatorOutput {
  /** Threshold-free metrics by key (e.g. `vus-pr`); null with a note when undefined. */
  metrics?: Record<string, number | null>;
  /** Thresholded metrics at each input threshold, by threshold name. */
  atThreshold?: Partial<Record<EvaluatorThreshold['name'], Record<string, number | null>>>;
  /** The parameters actually used (e.g. the VUS window and the rule that chose it), stated with the results. */
  parameters?: Record<string, unknown>;
  /** Small arrays for plots (e.g. range-AUC-PR per window), saved in series/ as `curve.<evaluator>.<name>`. */
  curves?: Record<string, number[]>;
  notes?: string[];
}

/** One metric an evaluator reports (for `anomalab evaluators list`, report columns and the UI). */
export interface MetricInfo {
  /** Key in the output, unique across evaluators, e.g. `vus-pr`. */
  key: string;
  /** Short column label, e.g. `VUS-PR`. */
  label: string;
  description: string;
  /** Reported at the oracle and deployable thresholds (in `atThreshold`), else threshold-free. */
  thresholded: boolean;
  /** Shown only next to point F1 (e.g. point-adjusted variants that flatter detectors). */
  besidePointF1?: boolean;
}

export interface EvaluatorPlugin<Options = Record<string, unknown>> {
  readonly kind: 'evaluator';
  readonly name: string;
  readonly description: string;
  /** Where the computation comes from (paper and reference implementation). */
  readonly reference?: string;
  readonly metrics: MetricInfo[];
  /** JSON Schema of `evaluation.metrics[i].options` (defaults are applied from it). */
  readonly optionsSchema?: JSONSchema;
  evaluate(input: EvaluatorInput, options: Options): EvaluatorOutput;
}

/** An evaluator chosen by the experiment, with its validated options. */
export interface SelectedEvaluator {
  plugin: EvaluatorPlugin<any>;
  options: Record<string, unknown>;
}

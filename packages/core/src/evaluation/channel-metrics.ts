import type { EvaluatorEntry } from './run-evaluators.ts';

/**
 * The metric shape per channel (and `joint`) in run.json `metrics`, `runs show --json`
 * and results.json. Every number is null (with a note) when undefined; never NaN.
 */

/** Point metrics at one threshold, labelled with how the threshold was chosen. */
export interface ThresholdPointMetrics {
  threshold: number | null;
  f1: number | null;
  precision: number | null;
  recall: number | null;
  /** How the threshold was chosen (e.g. `threshold chosen on test labels ...`). */
  protocol: string;
}

export interface OracleMetrics extends ThresholdPointMetrics {
  beta: number;
  /** The maximised F-beta (equals f1 when beta = 1). */
  fBeta: number | null;
}

export interface DeployableMetrics extends ThresholdPointMetrics {
  method: 'max-train' | 'quantile';
  quantile?: number;
  beta: number;
  fBeta: number | null;
  /** Test rows above the threshold. */
  flaggedRows: number | null;
}

/** Event-level counts at one threshold; point-adjusted F1 only next to point F1. */
export interface EventCounts {
  threshold: number;
  /** Labelled anomaly ranges in the scored rows. */
  ranges: number;
  detected: number;
  missed: number;
  /** Flagged runs that touch no labelled range. */
  falseAlarms: number;
  flaggedEvents: number;
  pointF1: number | null;
  pointAdjustedF1: number | null;
}

export interface ChannelMetrics {
  oracle: OracleMetrics;
  /** Average precision (step-wise, as scikit-learn), threshold-free. */
  aucPr: number | null;
  /** Area under the ROC curve (ties count 1/2), threshold-free. */
  aucRoc: number | null;
  deployable: DeployableMetrics;
  /** Event-level results at the deployable and at the oracle threshold (null when that threshold is undefined). */
  events: { deployable: EventCounts | null; oracle: EventCounts | null };
  /**
   * Evaluator plugins' metrics by evaluator name (`evaluation.metrics`), each with its
   * threshold-free metrics and its thresholded ones at the oracle and deployable thresholds.
   * Absent in runs made before evaluators existed.
   */
  evaluators?: Record<string, EvaluatorEntry>;
  /** Rows that were scored (after the first W) and how many are labelled anomalous (null: unlabelled). */
  scoredRows: number;
  anomalousRows: number | null;
  /** Why metrics are null or degenerate. */
  notes: string[];
}

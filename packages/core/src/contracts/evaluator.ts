export interface EvaluationInput {
  /** Test-split scores. */
  scores: Float32Array;
  /** Test-split 0/1 labels. */
  labels: Uint8Array;
  /** Train-split scores, for thresholds chosen without test labels. */
  trainScores?: Float32Array;
  /** Rows to leave out (e.g. the first W rows without a score). */
  firstValid: number;
}

/** One family of metrics, labelled with how its threshold was chosen. */
export interface EvaluationResult {
  evaluator: string;
  /** E.g. `threshold chosen on test labels`, `threshold-free`, `threshold from train scores`. */
  protocol: string;
  metrics: Record<string, number | null>;
  /** Optional curves for plots, e.g. precision/recall/f vs threshold. */
  curves?: Record<string, number[]>;
  /** Why a metric is null or degenerate. */
  notes?: string[];
}

/** Metrics from scores + labels. */
export interface Evaluator {
  readonly name: string;
  evaluate(input: EvaluationInput, options: Record<string, unknown>): EvaluationResult;
}

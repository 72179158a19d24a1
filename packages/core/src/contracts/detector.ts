import type { JSONSchema } from '../config/json-schema.ts';

/**
 * Error vectors per row and channel: `values[(t * channels + c) * dim + j]`. Rows before
 * `firstValid` have no complete vector (e.g. the first W rows of a W-step forecast) and
 * are scored 0.
 */
export interface ErrorSeries {
  rows: number;
  channels: number;
  dim: number;
  firstValid: number;
  values: Float32Array;
}

/** Anomaly scores (higher = more anomalous), one per row. */
export interface DetectorScores {
  /** One array per channel. */
  channels: Float32Array[];
  /** Scores over all channels together, when the detector computes them. */
  joint?: Float32Array;
}

/** Turns error vectors into scores. Fit on train-split errors only (never labels). */
export interface Detector {
  fit(train: ErrorSeries): void;
  score(errors: ErrorSeries): DetectorScores;
  /** Fitted parameters, JSON-serialisable; stored with the checkpoint. */
  getState(): Record<string, unknown>;
  setState(state: Record<string, unknown>): void;
  /** Facts worth recording with results (e.g. a ridge added to a singular covariance). */
  describe(): Record<string, unknown>;
}

export interface DetectorPlugin<Options = Record<string, unknown>> {
  readonly kind: 'detector';
  readonly name: string;
  readonly description: string;
  readonly optionsSchema?: JSONSchema;
  create(options: Options): Detector;
}

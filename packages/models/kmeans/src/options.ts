import type { JSONSchema } from '@anomalab/core';
import { subsequenceOptionProperties, type RowScore } from '@anomalab/model-matrix-profile';

export interface KMeansOptions {
  clusters: number;
  /** Subsequence length m; 0 = estimated from the train split like matrix-profile. */
  window: number;
  row_score: RowScore;
  max_iterations: number;
  tolerance: number;
  discords: number;
}

export const optionsSchema: JSONSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    clusters: { type: 'integer', minimum: 1, maximum: 1000, default: 20, description: 'Number of clusters k (TSB-AD KMeansAD: 20).' },
    window: subsequenceOptionProperties.window,
    row_score: subsequenceOptionProperties.row_score,
    max_iterations: { type: 'integer', minimum: 1, default: 300, description: "Most Lloyd iterations per channel (scikit-learn's default)." },
    tolerance: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 1e-4,
      description: "Convergence: total squared centroid shift below tolerance x the windows' mean per-position variance (scikit-learn's rule).",
    },
    discords: subsequenceOptionProperties.discords,
  },
};

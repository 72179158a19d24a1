import type { JSONSchema } from '@anomalab/core';
import type { RowScore } from './rows.ts';

export interface MatrixProfileOptions {
  /** `train`: nearest neighbours among the train split's subsequences; `self`: self-join of the scored split. */
  join: 'train' | 'self';
  /** Subsequence length m; 0 = estimated from the train split (see ./window.ts). */
  window: number;
  row_score: RowScore;
  /** Top discords per channel listed in results.json. */
  discords: number;
}

/**
 * The subsequence options every subsequence scorer shares (matrix-profile, kmeans): the
 * window m, how row scores come from the subsequences covering a row, and the discord list.
 */
export const subsequenceOptionProperties = {
  window: {
    type: 'integer',
    minimum: 0,
    default: 0,
    description: "Subsequence length m in rows; 0 estimates it from the train split's autocorrelation as TSB-AD does (fallback 125).",
  },
  row_score: {
    type: 'string',
    enum: ['max', 'mean'],
    default: 'max',
    description: "Score of a row from the subsequences covering it: their largest (max) or mean (mean, TSB-AD's reverse windowing) distance.",
  },
  discords: {
    type: 'integer',
    minimum: 0,
    maximum: 100,
    default: 3,
    description: 'Number of top non-overlapping discords (highest-scoring subsequences) per channel listed in results.json.',
  },
} satisfies Record<string, JSONSchema>;

export const optionsSchema: JSONSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    join: {
      type: 'string',
      enum: ['train', 'self'],
      default: 'train',
      description: "train: each subsequence's distance to its nearest neighbour among the train split's subsequences (semi-supervised); self: self-join of the scored split with an exclusion zone of ceil(m/4) (unsupervised).",
    },
    ...subsequenceOptionProperties,
  },
};

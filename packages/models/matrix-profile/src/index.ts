// @anomalab/model-matrix-profile: discords by z-normalised nearest-neighbour distances.
import type { ModelPlugin } from '@anomalab/core';
import { optionsSchema, type MatrixProfileOptions } from './options.ts';

export type { MatrixProfileOptions } from './options.ts';
export { subsequenceOptionProperties } from './options.ts';
export { estimateWindow, FALLBACK_WINDOW } from './window.ts';
export { rowScores, topDiscords } from './rows.ts';
export type { Discord, RowScore } from './rows.ts';
export { openSubsequenceStream } from './subsequence-stream.ts';
export type { SubsequenceScorer } from './subsequence-stream.ts';

export const matrixProfileModel: ModelPlugin<MatrixProfileOptions> = {
  kind: 'model',
  name: 'matrix-profile',
  description: 'Matrix profile: each subsequence scored by its z-normalised Euclidean distance to its nearest neighbour (among the train subsequences, or a self-join); discords are the top scores.',
  reference: 'Yeh et al. 2016, "Matrix Profile I: All Pairs Similarity Joins for Time Series" (ICDM); Zimmerman et al. 2019, "Matrix Profile XIV" (SCAMP update formulas); window estimation as TSB-AD (Liu & Paparrizos 2024)',
  optionsSchema,
  trainingDefaults: { epochs: 1 },
  async create({ options, channels }) {
    const { MatrixProfilePredictor } = await import('./mp-predictor.ts');
    return new MatrixProfilePredictor(options, channels);
  },
};

export default [matrixProfileModel];

// @anomalab/model-kmeans: KMeansAD, subsequence clustering.
import type { ModelPlugin } from '@anomalab/core';
import { optionsSchema, type KMeansOptions } from './options.ts';

export type { KMeansOptions } from './options.ts';
export { kmeans, assign, Windows } from './kmeans.ts';

export const kmeansModel: ModelPlugin<KMeansOptions> = {
  kind: 'model',
  name: 'kmeans',
  description: 'KMeansAD: seeded k-means on the train subsequences; a subsequence scores its distance to the nearest centroid.',
  reference: 'Yairi et al. 2001 (clustering-based anomaly detection); KMeansAD of TimeEval / TSB-AD (Liu & Paparrizos, NeurIPS 2024)',
  optionsSchema,
  trainingDefaults: { epochs: 1 },
  async create({ options, channels, seed }) {
    const { KMeansPredictor } = await import('./kmeans-predictor.ts');
    return new KMeansPredictor(options, channels, seed);
  },
};

export default [kmeansModel];

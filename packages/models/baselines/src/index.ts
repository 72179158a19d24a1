// @anomalab/model-baselines: naive forecasters, the yardstick every learned model must beat.
import type { ModelPlugin } from '@anomalab/core';
import type { BaselineOptions } from './naive-predictor.ts';

export { NaivePredictor, estimatePeriod } from './naive-predictor.ts';
export type { BaselineOptions } from './naive-predictor.ts';

export const baselinesModel: ModelPlugin<BaselineOptions> = {
  kind: 'model',
  name: 'baselines',
  description: 'Naive forecasters: last value, or seasonal naive with a given or estimated period.',
  reference: 'Hyndman & Athanasopoulos, Forecasting: Principles and Practice, section 5.2 (simple forecasting methods)',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      method: { type: 'string', enum: ['last-value', 'seasonal-naive'], default: 'seasonal-naive', description: 'last-value: x(t+k) = x(t); seasonal-naive: x(t+k) = x(t+k-P).' },
      period: { type: 'integer', minimum: 0, default: 0, description: 'Season length P in rows; 0 estimates it from the train split.' },
      max_period: { type: 'integer', minimum: 2, default: 500, description: 'Largest P considered when estimating.' },
    },
  },
  trainingDefaults: { epochs: 1 },
  async create({ options, channels }) {
    const { NaivePredictor } = await import('./naive-predictor.ts');
    return new NaivePredictor(options, channels);
  },
};

export default [baselinesModel];

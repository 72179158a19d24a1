// The model conformance suite (see docs/writing-a-model-plugin.md) on the naive forecasters.
import { runModelConformance } from '@anomalab/core/testing';
import { baselinesModel } from './index.ts';

runModelConformance({
  plugin: baselinesModel,
  options: { method: 'seasonal-naive', period: 0, max_period: 100 },
  skip: [{ test: 'different-seed', reason: 'deterministic: the season length is estimated from the data, no randomness' }],
});

// @anomalab/model-rnn: the reference's stacked-RNN multi-step predictor (LSTM/GRU/RNN).
// Cheap to import: tfjs and the model code load inside create().
import { fileURLToPath } from 'node:url';
import type { ModelPlugin } from '@anomalab/core';
import { rnnOptionsSchema, type RnnOptions } from './config.ts';

export { rnnOptionsSchema, DEFAULT_OPTIONS, resolveOptions } from './config.ts';
export type { RnnOptions, CellType, Engine } from './config.ts';

export const rnnModel: ModelPlugin<RnnOptions> = {
  kind: 'model',
  name: 'rnn',
  description: 'Stacked RNN (LSTM/GRU/RNN) multi-step predictor trained with free-running, teacher-forcing and hidden-matching losses on noise-augmented data.',
  reference: 'Malhotra et al., "Long short term memory networks for anomaly detection in time series", ESANN 2015; github.com/chickenbestlover/RNN-Time-series-Anomaly-Detection',
  optionsSchema: rnnOptionsSchema,
  trainingDefaults: { epochs: 400, save_interval: 10 },
  // Scoring a local file in the run page: the fused kernel's forecast path (see src/browser.ts).
  browser: {
    entry: fileURLToPath(new URL('./browser.ts', import.meta.url)),
    assets: { 'fused.wasm': fileURLToPath(new URL('../assembly/build/fused.wasm', import.meta.url)) },
  },
  async create({ options, channels, seed, services }) {
    const [{ tensorsFor }, { RnnPredictor }, { resolveOptions }] = await Promise.all([import('@anomalab/tfjs'), import('./rnn-predictor.ts'), import('./config.ts')]);
    const { tf, backend } = await tensorsFor(services);
    return new RnnPredictor(tf, backend, resolveOptions(options), channels, seed);
  },
};

export default [rnnModel];

// @anomalab/model-encdec: EncDec-AD, an LSTM encoder-decoder that scores rows by how badly
// it reconstructs them. Cheap to import: tfjs and the model code load inside create().
import type { ModelPlugin } from '@anomalab/core';
import { encdecOptionsSchema, type EncDecOptions } from './config.ts';

export { encdecOptionsSchema, DEFAULT_OPTIONS, resolveOptions } from './config.ts';
export type { EncDecOptions } from './config.ts';

export const encdecModel: ModelPlugin<EncDecOptions> = {
  kind: 'model',
  name: 'encdec',
  description: 'EncDec-AD: LSTM encoder-decoder reconstructing windows in reverse order; per-row reconstruction errors for the Gaussian detector.',
  reference: 'Malhotra et al., "LSTM-based Encoder-Decoder for Multi-sensor Anomaly Detection", ICML 2016 Anomaly Detection Workshop (arXiv:1607.00148)',
  optionsSchema: encdecOptionsSchema,
  trainingDefaults: { epochs: 50, save_interval: 5 },
  async create({ options, channels, seed, services }) {
    const [{ tensorsFor }, { EncDecPredictor }, { resolveOptions }] = await Promise.all([import('@anomalab/tfjs'), import('./encdec-predictor.ts'), import('./config.ts')]);
    const { tf, backend } = await tensorsFor(services);
    return new EncDecPredictor(tf, backend, resolveOptions(options), channels, seed);
  },
};

export default [encdecModel];

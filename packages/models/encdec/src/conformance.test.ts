// The model conformance suite (see docs/writing-a-model-plugin.md) on a tiny EncDec-AD.
import { runModelConformance } from '@anomalab/core/testing';
import { encdecModel } from './index.ts';

runModelConformance({
  plugin: encdecModel,
  options: { window_length: 8, hidden: 6, batch_size: 16, stride: 2, lr: 0.01 },
  data: { trainRows: 200, testRows: 100 },
});

// The model conformance suite (see docs/writing-a-model-plugin.md) on a tiny rnn.
import { runModelConformance } from '@anomalab/core/testing';
import { rnnModel } from './index.ts';

runModelConformance({
  plugin: rnnModel,
  options: { embedding: 4, hidden: 4, layers: 1, batch_size: 8, bptt: 20, augment_length: 400, lr: 0.01 },
  data: { trainRows: 200, testRows: 100 },
});

// The model conformance suite (see docs/writing-a-model-plugin.md) on both join modes.
import { runModelConformance } from '@anomalab/core/testing';
import { matrixProfileModel } from './index.ts';

const deterministic = { test: 'different-seed', reason: 'deterministic: exact nearest-neighbour distances, no randomness' } as const;
runModelConformance({ plugin: matrixProfileModel, options: { join: 'train' }, skip: [deterministic] });
runModelConformance({ plugin: matrixProfileModel, options: { join: 'self', window: 20, row_score: 'mean' }, skip: [deterministic] });

import { LossAverage, mixSeed, type EpochPlan, type TrainData } from '@anomalab/core';
import type { BpttWindow } from '../batchify.ts';
import { prepareTrainingData, rnnPlanBase, TERM_NAMES, type Batched } from '../train-loop.ts';
import type { FusedEngine } from './engine.ts';

/** Validation on the fused kernel: eval mode, state from zeros, mean over windows. */
export function validateFused(engine: FusedEngine, seq: number, batched: Batched): Record<string, number> {
  const kernel = engine.trainer();
  const average = new LossAverage(TERM_NAMES);
  kernel.resetState();
  for (const window of batched.windows) average.add(kernel.evalWindow(seq, window.start, window.length));
  return average.report();
}

/**
 * `tfjsTrainingPlan` (../train-loop.ts) on the fused engine: same augmentation, batchify,
 * windows, carried state, dropout stream (rng: counter keyed by (seed, Adam step), rng: torch
 * the PyTorch generator, kept in the kernel) and log lines; each
 * window is one call into WebAssembly. The kernel works on a copy of the network's state:
 * in at the start, out after every epoch (and when interrupted), before the core reads it.
 */
export function fusedTrainingPlan(engine: FusedEngine, data: TrainData): EpochPlan<BpttWindow> {
  const { net } = engine;
  const { options } = net;
  const { train, validation } = prepareTrainingData(net, data);
  const kernel = engine.trainer();
  engine.syncIn();
  const trainSeq = kernel.loadSeries('train', train.data);
  const validationSeq = validation ? kernel.loadSeries('validation', validation.data) : 0;
  const adam = engine.adam();
  return {
    ...rnnPlanBase(net, train),
    steps: () => {
      kernel.resetState();
      return train.windows;
    },
    trainStep: (window) => {
      const seed = mixSeed(net.seed, engine.step);
      const terms = kernel.trainWindow(trainSeq, window.start, window.length, options.dropout, seed, adam, engine.step + 1);
      engine.step += 1;
      return terms;
    },
    endEpoch: () => engine.syncOut(),
    validate: () => (validation ? validateFused(engine, validationSeq, validation) : undefined),
  };
}

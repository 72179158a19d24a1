import type { TrainContext, TrainData, TrainResult } from '@anomalab/core';
import { mixSeed } from '../dropout.ts';
import { batchLine, epochLine } from '../format-log.ts';
import { prepareTrainingData, TermAverage, type Batched } from '../train-loop.ts';
import type { FusedEngine } from './engine.ts';

/** Log a batch line every this many windows (the reference's log_interval), as the tfjs loop. */
const LOG_INTERVAL = 10;

/** Validation on the fused kernel: eval mode, state from zeros, mean over windows. */
export function validateFused(engine: FusedEngine, seq: number, batched: Batched): Record<string, number> {
  const kernel = engine.trainer();
  const average = new TermAverage();
  kernel.resetState();
  for (const window of batched.windows) average.add(kernel.evalWindow(seq, window.start, window.length));
  return average.report();
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * `trainNetwork` (../train-loop.ts) on the fused engine: same augmentation, batchify,
 * windows, carried state, dropout stream (keyed by (seed, Adam step)), logging, epoch
 * reports and abort handling; each window is one call into WebAssembly.
 */
export async function trainFused(engine: FusedEngine, data: TrainData, context: TrainContext): Promise<TrainResult> {
  const { net } = engine;
  const { options } = net;
  const logger = context.services.logger;
  const { train, validation } = prepareTrainingData(net, data);
  const kernel = engine.trainer();
  engine.syncIn();
  const trainSeq = kernel.loadSeries('train', train.data);
  const validationSeq = validation ? kernel.loadSeries('validation', validation.data) : 0;
  const adam = engine.adam();
  const batches = Math.floor(train.steps / options.bptt);
  let completed = context.startEpoch;
  try {
    for (let epoch = context.startEpoch + 1; epoch <= context.training.epochs; epoch++) {
      const epochStart = performance.now();
      const epochAverage = new TermAverage();
      let logAverage = new TermAverage();
      let logStart = performance.now();
      kernel.resetState();
      for (let batch = 0; batch < train.windows.length; batch++) {
        const window = train.windows[batch]!;
        const seed = mixSeed(net.seed, engine.step);
        const terms = kernel.trainWindow(trainSeq, window.start, window.length, options.dropout, seed, adam, engine.step + 1);
        engine.step += 1;
        epochAverage.add(terms);
        logAverage.add(terms);
        if (batch % LOG_INTERVAL === 0 && batch > 0) {
          logger.info(batchLine(epoch, batch, batches, (performance.now() - logStart) / logAverage.count, logAverage.total()));
          logAverage = new TermAverage();
          logStart = performance.now();
        }
        await yieldToEventLoop();
        if (context.signal.aborted) return { epochs: completed, interrupted: true };
      }
      const validationReport = validation ? validateFused(engine, validationSeq, validation) : undefined;
      const durationMs = performance.now() - epochStart;
      const trainReport = epochAverage.report();
      logger.info(validationReport ? epochLine(epoch, durationMs / 1000, validationReport.loss!) : epochLine(epoch, durationMs / 1000, trainReport.loss!, 'train'));
      completed = epoch;
      engine.syncOut(); // the core may read the state (checkpoint) in onEpochEnd
      await context.onEpochEnd({ epoch, train: trainReport, validation: validationReport, durationMs });
      if (context.signal.aborted) return { epochs: completed, interrupted: true };
    }
    return { epochs: Math.max(completed, context.startEpoch), interrupted: false };
  } finally {
    engine.syncOut();
  }
}

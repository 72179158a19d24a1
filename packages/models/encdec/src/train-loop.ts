import { AnomalabError, SeededRandom, type EpochPlan, type Series, type TrainContext, type TrainData } from '@anomalab/core';
import { epochLine } from './format-log.ts';
import type { EncDecNetwork } from './network.ts';
import { batchSteps, shuffled, windowStarts } from './windows.ts';

/** Windows of a split for training/validation; a split shorter than one window is an error naming the option. */
export function splitWindows(series: Series, net: EncDecNetwork, what: string): number[] {
  const { window_length: L, stride } = net.options;
  if (series.rows < L) throw new AnomalabError('ANOMALAB_DATA_INVALID', `encdec: the ${what} split has ${series.rows} rows, fewer than window_length ${L}: lower model.options.window_length`);
  return windowStarts(series.rows, L, stride);
}

/** Mean squared free-running reconstruction error over the windows (weighted by window count). */
export function reconstructionMse(net: EncDecNetwork, series: Series, starts: readonly number[]): number {
  const { window_length: L, inference_batch } = net.options;
  const C = series.channels;
  let sum = 0;
  for (let i = 0; i < starts.length; i += inference_batch) {
    const batch = starts.slice(i, i + inference_batch);
    const recon = net.reconstruct(batchSteps(series, batch, L));
    const B = batch.length;
    for (let q = 0; q < L; q++) {
      const p = L - 1 - q;
      for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) sum += (recon[(q * B + b) * C + c]! - series.values[(batch[b]! + p) * C + c]!) ** 2;
    }
  }
  return sum / Math.max(1, starts.length * L * C);
}

/**
 * Minibatch training as in the paper: every epoch visits the train windows in a seeded
 * random order (keyed by seed and epoch, so a resumed run sees the same order as an
 * uninterrupted one), one teacher-forced Adam step per batch; then the free-running
 * reconstruction MSE of the validation windows. The core's `runEpochs` runs the loop.
 */
export function trainingPlan(net: EncDecNetwork, data: TrainData, context: TrainContext): EpochPlan<number[]> {
  const { window_length: L, batch_size } = net.options;
  const logger = context.services.logger;
  const trainStarts = splitWindows(data.train, net, 'train');
  const validation = data.validation && data.validation.rows >= L ? data.validation : undefined;
  if (data.validation && !validation) logger.warn(`encdec: validation split (${data.validation.rows} rows) is shorter than window_length ${L}: no validation loss`);
  const validationStarts = validation ? splitWindows(validation, net, 'validation') : [];
  return {
    steps: (epoch) => {
      const order = shuffled(trainStarts, new SeededRandom(net.seed).fork(`encdec/order/${epoch}`));
      const batches: number[][] = [];
      for (let i = 0; i < order.length; i += batch_size) batches.push(order.slice(i, i + batch_size));
      return batches;
    },
    trainStep: (batch) => net.trainBatch(batchSteps(data.train, batch, L)),
    stepWeight: (batch) => batch.length,
    validate: () => (validation ? { loss: reconstructionMse(net, validation, validationStarts) } : undefined),
    epochLine: ({ epoch, durationMs, train, validation: valid }) => epochLine(epoch, durationMs / 1000, train.loss!, valid?.loss),
  };
}

import { AnomalabError, type EpochPlan, type ErrorSeries, type Series, type TrainContext, type TrainData } from '@anomalab/core';
import { FlatParameterPredictor } from '@anomalab/tfjs';
import type { EncDecOptions } from './config.ts';
import { EncDecNetwork } from './network.ts';
import type { Tf } from './tf-types.ts';
import { trainingPlan } from './train-loop.ts';
import { batchSteps, ErrorAssembler, windowStarts } from './windows.ts';

/** Checkpoint format tag of this model family. */
export const STATE_FORMAT = 'encdec/1';

/**
 * The `encdec` predictor (EncDec-AD). A reconstruction model: it implements `errors()`,
 * not `forecast()`. Owns its tfjs tensors; `dispose()` frees them.
 */
export class EncDecPredictor extends FlatParameterPredictor<number[]> {
  declare readonly net: EncDecNetwork;

  constructor(tf: Tf, backend: string, options: EncDecOptions, channels: number, seed: number) {
    const net = new EncDecNetwork(tf, backend, options, channels, seed);
    super(net, 'encdec', STATE_FORMAT, net.arch);
  }

  protected planTraining(data: TrainData, context: TrainContext): EpochPlan<number[]> {
    return trainingPlan(this.net, data, context);
  }

  /** Error vectors of every row from the free-running reconstructions of all windows (see ErrorAssembler). */
  async errors(series: Series, window: number): Promise<ErrorSeries> {
    const { window_length: L, inference_batch, error } = this.net.options;
    if (window > L) {
      throw new AnomalabError('ANOMALAB_CONFIG_INVALID', `encdec: detector.window ${window} is larger than model.options.window_length ${L} (row t's vector holds its errors from W windows containing it): lower detector.window or raise window_length`);
    }
    if (series.rows < L) throw new AnomalabError('ANOMALAB_DATA_INVALID', `encdec: a split of ${series.rows} rows is shorter than window_length ${L}`);
    const assembler = new ErrorAssembler(series, L, window, error);
    const starts = windowStarts(series.rows, L, 1);
    for (let i = 0; i < starts.length; i += inference_batch) {
      const batch = starts.slice(i, i + inference_batch);
      assembler.add(batch, this.net.reconstruct(batchSteps(series, batch, L)));
      // Long series: keep the process responsive to signals.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return assembler.finish();
  }

  describe() {
    return { engine: `tfjs-${this.net.backend}`, parameters: this.net.size };
  }

}

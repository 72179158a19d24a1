import type { Tf } from './tf-types.ts';
import type { EpochPlan, Forecast, PredictorStream, PredictorStreamOptions, Series, TrainData } from '@anomalab/core';
import { FlatParameterPredictor } from '@anomalab/tfjs';
import type { RnnOptions } from './config.ts';
import { forecastBatched } from './forecast.ts';
import { openTfjsStream } from './forecast-stream.ts';
import { FUSED_ENGINE_NAME, FusedEngine } from './fused/engine.ts';
import { fusedTrainingPlan } from './fused/train.ts';
import { RnnNetwork } from './network.ts';
import { tfjsTrainingPlan } from './train-loop.ts';
import type { BpttWindow } from './batchify.ts';
import { STATE_FORMAT } from './architecture.ts';

export { STATE_FORMAT };

/**
 * The `rnn` predictor: a stacked-RNN multi-step forecaster trained like the reference
 * (see README). Owns its tfjs tensors; `dispose()` frees them.
 */
export class RnnPredictor extends FlatParameterPredictor<BpttWindow> {
  declare readonly net: RnnNetwork;
  /** The fused WebAssembly engine (`engine: fused`); the network stays the state's owner between calls. */
  readonly fused?: FusedEngine;

  constructor(tf: Tf, backend: string, options: RnnOptions, channels: number, seed: number) {
    const net = new RnnNetwork(tf, backend, options, channels, seed);
    super(net, 'rnn', STATE_FORMAT, net.arch);
    if (options.engine === 'fused') this.fused = new FusedEngine(this.net);
  }

  protected planTraining(data: TrainData): EpochPlan<BpttWindow> {
    return this.fused ? fusedTrainingPlan(this.fused, data) : tfjsTrainingPlan(this.net, data);
  }

  async forecast(series: Series, horizon: number): Promise<Forecast> {
    return this.fused ? this.fused.forecast(series, horizon) : forecastBatched(this.net, series, horizon);
  }

  /**
   * Online forecasting: each pushed (standardised) row gives the row of `forecast(series,
   * horizon)` that the series of all pushed rows would give, from the same zero state. The
   * stream uses the weights current at open (it refuses rows after training or setState).
   */
  async openStream({ horizon }: PredictorStreamOptions): Promise<PredictorStream> {
    return this.fused ? this.fused.openStream(horizon) : openTfjsStream(this.net, horizon);
  }

  describe() {
    return { engine: this.fused ? FUSED_ENGINE_NAME : `tfjs-${this.net.backend}`, parameters: this.net.size };
  }

  override dispose(): void {
    void this.fused?.dispose(); // threads: 2 -> ends the worker threads
    super.dispose();
  }
}

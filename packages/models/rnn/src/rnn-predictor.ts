import type { Tf } from './tf-types.ts';
import { decodeFlatState, EpochTrainedPredictor, encodeFlatState, type EpochPlan, type FlatStateFormat, type Forecast, type PredictorState, type Series, type TrainData } from '@anomalab/core';
import type { RnnOptions } from './config.ts';
import { forecastBatched } from './forecast.ts';
import { FUSED_ENGINE_NAME, FusedEngine } from './fused/engine.ts';
import { fusedTrainingPlan } from './fused/train.ts';
import { RnnNetwork } from './network.ts';
import { tfjsTrainingPlan } from './train-loop.ts';
import type { BpttWindow } from './batchify.ts';

/** Checkpoint format tag of this model family. */
export const STATE_FORMAT = 'rnn/1';

/**
 * The `rnn` predictor: a stacked-RNN multi-step forecaster trained like the reference
 * (see README). Owns its tfjs tensors; `dispose()` frees them.
 */
export class RnnPredictor extends EpochTrainedPredictor<BpttWindow> {
  readonly net: RnnNetwork;
  /** The fused WebAssembly engine (`engine: fused`); the network stays the state's owner between calls. */
  readonly fused?: FusedEngine;

  constructor(tf: Tf, backend: string, options: RnnOptions, channels: number, seed: number) {
    super();
    this.net = new RnnNetwork(tf, backend, options, channels, seed);
    if (options.engine === 'fused') this.fused = new FusedEngine(this.net);
  }

  protected planTraining(data: TrainData): EpochPlan<BpttWindow> {
    return this.fused ? fusedTrainingPlan(this.fused, data) : tfjsTrainingPlan(this.net, data);
  }

  async forecast(series: Series, horizon: number): Promise<Forecast> {
    return this.fused ? this.fused.forecast(series, horizon) : forecastBatched(this.net, series, horizon);
  }

  /** How checkpoints of this model are tagged and checked (the core's flat-state format). */
  private stateFormat(): FlatStateFormat {
    return { family: 'rnn', format: STATE_FORMAT, layout: this.net.layout, architecture: this.net.arch };
  }

  /** Weights and Adam moments per parameter name; in `json` the Adam step (which also keys the dropout stream), the seed and the architecture. */
  protected async readState(): Promise<PredictorState> {
    const { net } = this;
    const [params, m, v] = (await Promise.all([net.params.data(), net.adam.m.data(), net.adam.v.data()])) as Float32Array[];
    return encodeFlatState(this.stateFormat(), { params: params!, m: m!, v: v!, step: net.adam.step, seed: net.seed });
  }

  protected async writeState(state: PredictorState): Promise<void> {
    const { net } = this;
    const restored = decodeFlatState(this.stateFormat(), state);
    net.setParams(net.tf.tensor1d(restored.params));
    net.adam.load(restored.m, restored.v, restored.step);
    // The seed keys the augmentation noise and the dropout stream: continue the saved run's.
    if (restored.seed !== undefined) net.seed = restored.seed;
  }

  describe() {
    return { engine: this.fused ? FUSED_ENGINE_NAME : `tfjs-${this.net.backend}`, parameters: this.net.size };
  }

  dispose(): void {
    void this.fused?.dispose(); // threads: 2 -> ends the worker threads
    this.net.dispose();
  }
}

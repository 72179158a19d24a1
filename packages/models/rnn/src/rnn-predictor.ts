import type { Tf } from './tf-types.ts';
import { AnomalabError, type EpochPlan, type Forecast, type PredictorState, type PredictorStream, type PredictorStreamOptions, type Series, type TrainData } from '@anomalab/core';
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
import { TORCH_STATE_WORDS } from './torch-random.ts';

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

  /**
   * The core's flat state plus the random stream: `rng`, and with rng: torch the generator's
   * state for the next window, or (before training) that the initial weights are still to be
   * drawn, so a restored untrained model trains as this one would.
   */
  protected override async readState(): Promise<PredictorState> {
    const state = await super.readState();
    const { rng } = this.net.options;
    state.json.rng = rng;
    if (rng === 'torch' && this.net.torchState) state.json.torch_state = Array.from(this.net.torchState);
    if (rng === 'torch' && this.net.torchInitPending) state.json.torch_init_pending = true;
    return state;
  }

  /**
   * Restores the weights and the stream a checkpoint continues with. A checkpoint written
   * before `rng` existed (no `rng` in it) trained on the counter stream: past step 0 it
   * continues on that stream whatever the model is configured with, so an old run resumes as
   * it started. A checkpoint of the other stream loads (to score), but training from it is
   * refused (prepareTrainingData) rather than continued on a stream it did not start with.
   */
  protected override async writeState(state: PredictorState): Promise<void> {
    const step = Number(state.json.step ?? 0);
    const words = state.json.torch_state;
    if (words !== undefined && !(Array.isArray(words) && words.length === TORCH_STATE_WORDS && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)))
      throw new AnomalabError('ANOMALAB_CHECKPOINT_INVALID', `rnn: torch_state must be ${TORCH_STATE_WORDS} 32-bit words`);
    await super.writeState(state);
    const net = this.net;
    if (state.json.rng === undefined && step > 0) net.options.rng = 'counter';
    net.stateRng = state.json.rng === 'torch' || state.json.rng === 'counter' ? state.json.rng : 'counter';
    // Weights from a state are kept, unless it is an untrained rng: torch model's placeholder.
    net.torchInitPending = net.options.rng === 'torch' && step === 0 && state.json.torch_init_pending === true;
    net.torchState = net.options.rng === 'torch' && words !== undefined ? Uint32Array.from(words as number[]) : undefined;
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

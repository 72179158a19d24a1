import type { Tf } from './tf-types.ts';
import type { Forecast, Predictor, PredictorState, Series, TrainContext, TrainData, TrainResult } from '@anomalab/core';
import type { RnnOptions } from './config.ts';
import { forecastBatched } from './forecast.ts';
import { FUSED_ENGINE_NAME, FusedEngine } from './fused/engine.ts';
import { trainFused } from './fused/train.ts';
import { RnnNetwork } from './network.ts';
import { parameterLayout } from './rnn-model.ts';
import { trainNetwork } from './train-loop.ts';

/** Checkpoint format tag of this model family. */
export const STATE_FORMAT = 'rnn/1';

/**
 * The `rnn` predictor: a stacked-RNN multi-step forecaster trained like the reference
 * (see README). Owns its tfjs tensors; `dispose()` frees them.
 */
export class RnnPredictor implements Predictor {
  readonly net: RnnNetwork;
  /** The fused WebAssembly engine (`engine: fused`); the network stays the state's owner between calls. */
  readonly fused?: FusedEngine;

  constructor(tf: Tf, backend: string, options: RnnOptions, channels: number, seed: number) {
    this.net = new RnnNetwork(tf, backend, options, channels, seed);
    if (options.engine === 'fused') this.fused = new FusedEngine(this.net);
  }

  train(data: TrainData, context: TrainContext): Promise<TrainResult> {
    return this.fused ? trainFused(this.fused, data, context) : trainNetwork(this.net, data, context);
  }

  async forecast(series: Series, horizon: number): Promise<Forecast> {
    return this.fused ? this.fused.forecast(series, horizon) : forecastBatched(this.net, series, horizon);
  }

  /**
   * Weights, Adam moments (each under its parameter name: `weights/encoder.weight`,
   * `adam_m/...`, `adam_v/...`), and in `json` the Adam step (which also keys the dropout
   * stream), the seed and the architecture it was built with.
   */
  async getState(): Promise<PredictorState> {
    const { net } = this;
    const [params, m, v] = await Promise.all([net.params.data(), net.adam.m.data(), net.adam.v.data()]) as Float32Array[];
    const tensors: PredictorState['tensors'] = {};
    for (const slot of parameterLayout(net.arch)) {
      const part = (flat: Float32Array) => ({ shape: slot.shape, data: flat.slice(slot.offset, slot.offset + slot.size) });
      tensors[`weights/${slot.name}`] = part(params!);
      tensors[`adam_m/${slot.name}`] = part(m!);
      tensors[`adam_v/${slot.name}`] = part(v!);
    }
    return { format: STATE_FORMAT, tensors, json: { step: net.adam.step, seed: net.seed, architecture: { ...net.arch }, parameters: net.size } };
  }

  async setState(state: PredictorState): Promise<void> {
    const { net } = this;
    if (state.format !== STATE_FORMAT) throw new Error(`rnn: not an rnn checkpoint (format ${state.format}, expected ${STATE_FORMAT})`);
    const saved = JSON.stringify(state.json.architecture);
    if (saved !== JSON.stringify(net.arch)) throw new Error(`rnn: checkpoint architecture ${saved} does not match the configured ${JSON.stringify(net.arch)}`);
    const flat = (prefix: string) => {
      const out = new Float32Array(net.size);
      for (const slot of parameterLayout(net.arch)) {
        const tensor = state.tensors[`${prefix}/${slot.name}`];
        if (!tensor || tensor.data.length !== slot.size) throw new Error(`rnn: checkpoint lacks ${prefix}/${slot.name} [${slot.shape.join(', ')}]`);
        out.set(tensor.data, slot.offset);
      }
      return out;
    };
    const params = flat('weights');
    const m = flat('adam_m');
    const v = flat('adam_v');
    net.setParams(net.tf.tensor1d(params));
    net.adam.load(m, v, Number(state.json.step ?? 0));
    // The seed keys the augmentation noise and the dropout stream: continue the saved run's.
    if (typeof state.json.seed === 'number') net.seed = state.json.seed;
  }

  describe() {
    return { engine: this.fused ? FUSED_ENGINE_NAME : `tfjs-${this.net.backend}`, parameters: this.net.size };
  }

  dispose(): void {
    void this.fused?.dispose(); // threads: 2 -> ends the worker threads
    this.net.dispose();
  }
}

import { AnomalabError, type ErrorSeries, type Predictor, type PredictorState, type Series, type TrainContext, type TrainData, type TrainResult } from '@anomalab/core';
import type { EncDecOptions } from './config.ts';
import { EncDecNetwork } from './network.ts';
import { parameterLayout } from './parameters.ts';
import type { Tf } from './tf-types.ts';
import { trainNetwork } from './train-loop.ts';
import { batchSteps, ErrorAssembler, windowStarts } from './windows.ts';

/** Checkpoint format tag of this model family. */
export const STATE_FORMAT = 'encdec/1';

/**
 * The `encdec` predictor (EncDec-AD). A reconstruction model: it implements `errors()`,
 * not `forecast()`. Owns its tfjs tensors; `dispose()` frees them.
 */
export class EncDecPredictor implements Predictor {
  readonly net: EncDecNetwork;

  constructor(tf: Tf, backend: string, options: EncDecOptions, channels: number, seed: number) {
    this.net = new EncDecNetwork(tf, backend, options, channels, seed);
  }

  train(data: TrainData, context: TrainContext): Promise<TrainResult> {
    return trainNetwork(this.net, data, context);
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

  /**
   * Weights and Adam moments under their parameter names (`weights/encoder.weight`,
   * `adam_m/...`, `adam_v/...`); in `json` the Adam step, the seed and the architecture.
   */
  async getState(): Promise<PredictorState> {
    const { net } = this;
    const [params, m, v] = (await Promise.all([net.params.data(), net.adam.m.data(), net.adam.v.data()])) as Float32Array[];
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
    const fail = (why: string) => new AnomalabError('ANOMALAB_CHECKPOINT_INVALID', `encdec: ${why}`);
    if (state.format !== STATE_FORMAT) throw fail(`not an encdec checkpoint (format ${state.format}, expected ${STATE_FORMAT})`);
    const saved = JSON.stringify(state.json.architecture);
    if (saved !== JSON.stringify(net.arch)) throw fail(`checkpoint architecture ${saved} does not match the configured ${JSON.stringify(net.arch)}`);
    const flat = (prefix: string) => {
      const out = new Float32Array(net.size);
      for (const slot of parameterLayout(net.arch)) {
        const tensor = state.tensors[`${prefix}/${slot.name}`];
        if (!tensor || tensor.data.length !== slot.size) throw fail(`checkpoint lacks ${prefix}/${slot.name} [${slot.shape.join(', ')}]`);
        out.set(tensor.data, slot.offset);
      }
      return out;
    };
    const params = flat('weights');
    const m = flat('adam_m');
    const v = flat('adam_v');
    net.load(params);
    net.adam.load(m, v, Number(state.json.step ?? 0));
    // The seed keys the window order of every epoch: continue the saved run's.
    if (typeof state.json.seed === 'number') net.seed = state.json.seed;
  }

  describe() {
    return { engine: `tfjs-${this.net.backend}`, parameters: this.net.size };
  }

  dispose(): void {
    this.net.dispose();
  }
}

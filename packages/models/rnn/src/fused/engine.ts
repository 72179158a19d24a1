import type { Forecast, Series } from '@anomalab/core';
import type { RnnNetwork } from '../network.ts';
import { FusedKernel, type AdamConstants } from './kernel.ts';

/** What `describe()` reports for the fused engine. */
export const FUSED_ENGINE_NAME = 'fused-wasm-simd';

/**
 * The fused engine attached to a (tfjs) `RnnNetwork`. The network stays the canonical
 * owner of the parameters, Adam moments and step between calls (checkpoints, the tfjs
 * forecast and the tests read it); the fused kernel holds a working copy during training:
 * `syncIn` before, `syncOut` after each epoch and on return.
 */
export class FusedEngine {
  private trainKernel?: FusedKernel;
  private readonly forecastKernels = new Map<number, FusedKernel>();
  /** Adam step of the working copy. */
  step = 0;

  constructor(readonly net: RnnNetwork) {}

  /** The training kernel (lanes = batch_size, windows up to bptt steps), allocated once. */
  kernel(): FusedKernel {
    const { options, arch } = this.net;
    this.trainKernel ??= new FusedKernel(arch, options.batch_size, options.bptt);
    return this.trainKernel;
  }

  adam(): AdamConstants {
    const { options } = this.net;
    return { lr: options.lr, weightDecay: options.weight_decay, clip: options.clip, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  }

  /** Network (tfjs tensors) -> kernel. */
  syncIn(): void {
    const { net } = this;
    this.kernel().load(net.params.dataSync() as Float32Array, net.adam.m.dataSync() as Float32Array, net.adam.v.dataSync() as Float32Array);
    this.step = net.adam.step;
  }

  /** Kernel -> network (tfjs tensors). */
  syncOut(): void {
    const { net } = this;
    const kernel = this.kernel();
    net.setParams(net.tf.tensor1d(kernel.params.slice()));
    net.adam.load(kernel.m.slice(), kernel.v.slice(), this.step);
  }

  /** forecastBatched (../forecast.ts) on the fused engine, from the network's current parameters. */
  forecast(series: Series, horizon: number, chunk = FORECAST_CHUNK): Forecast {
    const { net } = this;
    const { rows, channels: C } = series;
    if (C !== net.arch.channels) throw new Error(`rnn: model has ${net.arch.channels} channel(s), series has ${C}`);
    let kernel = this.forecastKernels.get(horizon * 100_000 + chunk);
    if (!kernel) {
      kernel = new FusedKernel(net.arch, 1, 1);
      this.forecastKernels.set(horizon * 100_000 + chunk, kernel);
    }
    kernel.load(net.params.dataSync() as Float32Array);
    return { rows, channels: C, horizon, values: kernel.forecast(series.values, rows, horizon, chunk) };
  }
}

/** Rows per forecast chunk (as ../forecast.ts). */
export const FORECAST_CHUNK = 2048;

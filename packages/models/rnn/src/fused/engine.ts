import type { Forecast, Series } from '@anomalab/core';
import type { RnnNetwork } from '../network.ts';
import { FusedKernel, type AdamConstants } from './kernel.ts';
import { ThreadedKernel } from './threads.ts';

/** What training uses of a kernel: the single-instance FusedKernel or the two-thread ThreadedKernel. */
export type TrainKernel = Pick<FusedKernel, 'loadSeries' | 'resetState' | 'trainWindow' | 'evalWindow' | 'load' | 'params' | 'm' | 'v'>;

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
  private threaded?: ThreadedKernel;
  private readonly forecastKernels = new Map<number, FusedKernel>();
  /** Adam step of the working copy. */
  step = 0;

  constructor(readonly net: RnnNetwork) {}

  /** The single-thread training kernel (lanes = batch_size, windows up to bptt steps), allocated once. */
  kernel(): FusedKernel {
    const { options, arch } = this.net;
    this.trainKernel ??= new FusedKernel(arch, options.batch_size, options.bptt);
    return this.trainKernel;
  }

  /**
   * The kernel training uses, allocated once: `kernel()`, or with `threads: 2` (and at
   * least 2 lanes) the lanes split over two worker threads.
   */
  trainer(): TrainKernel {
    const { options, arch } = this.net;
    if (options.threads === 2 && options.batch_size >= 2) {
      this.threaded ??= new ThreadedKernel(arch, options.batch_size, options.bptt, this.net.size);
      return this.threaded;
    }
    return this.kernel();
  }

  /** The two-thread kernel, once `trainer()` created it (threads: 2). */
  get threadedKernel(): ThreadedKernel | undefined {
    return this.threaded;
  }

  /** Stop the worker threads (threads: 2); the engine allocates a new kernel if used again. */
  dispose(): Promise<void> {
    const exited = this.threaded?.dispose() ?? Promise.resolve();
    this.threaded = undefined;
    return exited;
  }

  adam(): AdamConstants {
    const { options } = this.net;
    return { lr: options.lr, weightDecay: options.weight_decay, clip: options.clip, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  }

  /** Network (tfjs tensors) -> kernel. */
  syncIn(): void {
    const { net } = this;
    this.trainer().load(net.params.dataSync() as Float32Array, net.adam.m.dataSync() as Float32Array, net.adam.v.dataSync() as Float32Array);
    this.step = net.adam.step;
  }

  /** Kernel -> network (tfjs tensors). */
  syncOut(): void {
    const { net } = this;
    const kernel = this.trainer();
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

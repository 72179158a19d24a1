import { availableParallelism } from 'node:os';
import type { Forecast, PredictorStream, Series } from '@anomalab/core';
import type { Tensor1D } from '@tensorflow/tfjs';
import type { RnnNetwork } from '../network.ts';
import { WEIGHTS_CHANGED } from '../forecast-stream.ts';
import { FORECAST_CHUNK, ForecastKernel } from './forecast-kernel.ts';
import { ThreadedForecastKernel } from './forecast-threads.ts';
import { FusedKernel, fusedModule, type AdamConstants } from './kernel.ts';
import { ThreadedKernel } from './threads.ts';

/** What training uses of a kernel: the single-instance FusedKernel or the two-thread ThreadedKernel. */
export type TrainKernel = Pick<FusedKernel, 'loadSeries' | 'resetState' | 'trainWindow' | 'evalWindow' | 'load' | 'params' | 'm' | 'v' | 'setTorchStream' | 'torchState'>;

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
  /** Forecast kernels by horizon and chunk, with the parameter tensor they hold (tfjs tensors are immutable: same tensor, same weights). */
  private readonly forecastKernels = new Map<string, { kernel: ForecastKernel; loaded?: Tensor1D }>();
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

  /** Stop the worker threads (training with threads: 2, forecasts with forecast_threads: 2); the engine allocates new kernels if used again. */
  dispose(): Promise<void> {
    const exited = [this.threaded?.dispose()];
    this.threaded = undefined;
    for (const { kernel } of this.forecastKernels.values()) if (kernel instanceof ThreadedForecastKernel) exited.push(kernel.dispose());
    this.forecastKernels.clear();
    return Promise.all(exited).then(() => undefined);
  }

  /** The forecast kernels that split chunks with the helper thread (forecast_threads: 2), in use now. */
  get threadedForecastKernels(): ThreadedForecastKernel[] {
    return [...this.forecastKernels.values()].map((e) => e.kernel).filter((k) => k instanceof ThreadedForecastKernel);
  }

  adam(): AdamConstants {
    const { options } = this.net;
    return { lr: options.lr, weightDecay: options.weight_decay, clip: options.clip, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  }

  /** Network (tfjs tensors) -> kernel. */
  syncIn(): void {
    const { net } = this;
    const kernel = this.trainer();
    kernel.load(net.params.dataSync() as Float32Array, net.adam.m.dataSync() as Float32Array, net.adam.v.dataSync() as Float32Array);
    if (net.options.rng === 'torch' && !net.torchState) throw new Error('rnn: rng: torch training before the generator started (prepareTrainingData)');
    kernel.setTorchStream(net.options.rng === 'torch' ? net.torchState : undefined);
    this.step = net.adam.step;
  }

  /** Kernel -> network (tfjs tensors). */
  syncOut(): void {
    const { net } = this;
    const kernel = this.trainer();
    net.setParams(net.tf.tensor1d(kernel.params.slice()));
    net.adam.load(kernel.m.slice(), kernel.v.slice(), this.step);
    if (net.options.rng === 'torch') net.torchState = kernel.torchState;
  }

  /**
   * The forecast kernel for `horizon` and `chunk` (made once), holding the network's current
   * parameters: with `forecast_threads: 2` on a machine with at least 2 cores, one that
   * splits big chunks with a helper thread (same numbers; ./forecast-threads.ts).
   */
  private forecastKernel(horizon: number, chunk: number): ForecastKernel {
    const key = `${horizon}/${chunk}`;
    let entry = this.forecastKernels.get(key);
    if (!entry) {
      const { arch, options } = this.net;
      const kernel =
        options.forecast_threads === 2 && availableParallelism() >= 2
          ? new ThreadedForecastKernel(fusedModule(), arch, horizon, chunk)
          : new ForecastKernel(new WebAssembly.Instance(fusedModule(), {}), arch, horizon, chunk);
      entry = { kernel };
      this.forecastKernels.set(key, entry);
    }
    if (entry.loaded !== this.net.params) {
      entry.kernel.load(this.net.params.dataSync() as Float32Array);
      entry.loaded = this.net.params;
    }
    return entry.kernel;
  }

  /** forecastBatched (../forecast.ts) on the fused engine, from the network's current parameters. */
  forecast(series: Series, horizon: number, chunk = FORECAST_CHUNK): Forecast {
    const { net } = this;
    const { rows, channels: C } = series;
    if (C !== net.arch.channels) throw new Error(`rnn: model has ${net.arch.channels} channel(s), series has ${C}`);
    return { rows, channels: C, horizon, values: this.forecastKernel(horizon, chunk).forecast(series.values, rows) };
  }

  /**
   * A stream on the batch forecast's kernel for `horizon` (streams and batch calls share
   * the instance; each stream keeps its own state). It uses the weights current at open
   * and refuses rows once they have changed (training, setState).
   */
  openStream(horizon: number): PredictorStream {
    const params = this.net.params;
    // The kernel always holds the network's current parameters, so unchanged = the stream's.
    return this.forecastKernel(horizon, FORECAST_CHUNK).openStream(() => {
      if (this.net.params !== params) throw new Error(WEIGHTS_CHANGED);
    });
  }
}

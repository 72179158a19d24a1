import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from './tf-types.ts';
import { FlatAdam, SeededRandom, type ParameterLayout } from '@anomalab/core';
import type { RnnOptions } from './config.ts';
import { architectureOf, rnnParameters, stopGradient, type Architecture } from './rnn-model.ts';



/**
 * The mutable numeric state of one predictor: flat parameters and Adam moments as tfjs
 * tensors, plus what is needed to derive the random numbers (seed; the dropout stream is
 * keyed by the Adam step). Shared by the train loop, the forecaster and the checkpoints.
 */
export class RnnNetwork {
  readonly arch: Architecture;
  readonly layout: ParameterLayout;
  readonly size: number;
  params: tfType.Tensor1D;
  readonly adam: FlatAdam;
  /** PyTorch's `.detach()` for use inside gradient functions. */
  readonly detach: (x: tfType.Tensor) => tfType.Tensor;

  constructor(
    readonly tf: Tf,
    readonly backend: string,
    readonly options: RnnOptions,
    channels: number,
    public seed: number,
  ) {
    this.arch = architectureOf(options, channels);
    this.layout = rnnParameters(this.arch);
    this.size = this.layout.size;
    this.params = tf.tensor1d(this.layout.initialParameters(new SeededRandom(seed).fork('rnn/init')));
    this.adam = new FlatAdam(tf, this.size, { lr: options.lr, weightDecay: options.weight_decay, clip: options.clip });
    this.detach = stopGradient(tf);
  }

  /** Swap in new parameters, freeing the old ones. */
  setParams(next: tfType.Tensor1D): void {
    if (next === this.params) return;
    this.params.dispose();
    this.params = next;
  }

  dispose(): void {
    this.params.dispose();
    this.adam.dispose();
  }
}

import type * as tfType from '@tensorflow/tfjs';
import { SeededRandom } from '@anomalab/core';
import { FlatNetwork, stopGradient, type Tf } from '@anomalab/tfjs';
import type { RnnOptions } from './config.ts';
import { architectureOf, rnnParameters, type Architecture } from './rnn-model.ts';

/**
 * The mutable numeric state of one predictor: flat parameters and Adam moments as tfjs
 * tensors, plus what is needed to derive the random numbers (seed; the dropout stream is
 * keyed by the Adam step). Shared by the train loop, the forecaster and the checkpoints.
 */
export class RnnNetwork extends FlatNetwork {
  readonly arch: Architecture;
  /** PyTorch's `.detach()` for use inside gradient functions. */
  readonly detach: (x: tfType.Tensor) => tfType.Tensor;

  constructor(
    tf: Tf,
    backend: string,
    readonly options: RnnOptions,
    channels: number,
    seed: number,
  ) {
    const arch = architectureOf(options, channels);
    const layout = rnnParameters(arch);
    super(tf, backend, layout, layout.initialParameters(new SeededRandom(seed).fork('rnn/init')), { lr: options.lr, weightDecay: options.weight_decay, clip: options.clip }, seed);
    this.arch = arch;
    this.detach = stopGradient(tf);
  }
}

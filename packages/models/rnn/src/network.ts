import type * as tfType from '@tensorflow/tfjs';
import { SeededRandom } from '@anomalab/core';
import { FlatNetwork, stopGradient, type Tf } from '@anomalab/tfjs';
import type { RngKind, RnnOptions } from './config.ts';
import { architectureOf, rnnParameters, type Architecture } from './rnn-model.ts';
import { torchInitialParameters } from './torch-init.ts';
import { TorchGenerator } from './torch-random.ts';

/**
 * The mutable numeric state of one predictor: flat parameters and Adam moments as tfjs
 * tensors, plus what is needed to derive the random numbers (seed; with rng: counter the
 * dropout stream is keyed by the Adam step, with rng: torch it is the generator's state).
 * Shared by the train loop, the forecaster and the checkpoints.
 */
export class RnnNetwork extends FlatNetwork {
  readonly arch: Architecture;
  /** PyTorch's `.detach()` for use inside gradient functions. */
  readonly detach: (x: tfType.Tensor) => tfType.Tensor;
  /**
   * rng: torch. The original draws its initial weights after the augmentation noise, whose
   * size only the data tell: until training starts (or a state is set) the weights are a
   * placeholder drawn as if there were no noise, and training draws them in their place.
   */
  torchInitPending: boolean;
  /** rng: torch. The generator's state for the next training window, once training started (or restored). */
  torchState?: Uint32Array;
  /** The stream of the state last restored (setState), which training must continue. */
  stateRng?: RngKind;
  /** A copy of the options given; `rng` follows a restored checkpoint written before the option existed (rnn-predictor.ts). */
  readonly options: RnnOptions;

  constructor(
    tf: Tf,
    backend: string,
    options: RnnOptions,
    channels: number,
    seed: number,
  ) {
    const arch = architectureOf(options, channels);
    const layout = rnnParameters(arch);
    const initial = options.rng === 'torch' ? torchInitialParameters(arch, new TorchGenerator(seed)) : layout.initialParameters(new SeededRandom(seed).fork('rnn/init'));
    super(tf, backend, layout, initial, { lr: options.lr, weightDecay: options.weight_decay, clip: options.clip }, seed);
    this.options = { ...options };
    this.arch = arch;
    this.torchInitPending = options.rng === 'torch';
    this.detach = stopGradient(tf);
  }
}

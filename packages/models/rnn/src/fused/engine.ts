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
}

import type * as tfType from '@tensorflow/tfjs';
import type { FlatTrainingState, ParameterLayout } from '@anomalab/core';
import { FlatAdam, type AdamSettings } from './flat-adam.ts';
import type { Tf } from './runtime.ts';

/** Parameters, Adam moments and step as plain arrays (a checkpoint's numbers, without the seed). */
export type FlatArrays = Omit<FlatTrainingState, 'seed'>;

/**
 * A model's trainable numbers on tfjs: the flat parameter vector (laid out by a
 * ParameterLayout) and its Adam moments, plus the seed the model's random streams derive
 * from. Model networks extend it with their forward pass.
 */
export class FlatNetwork {
  readonly size: number;
  params: tfType.Tensor1D;
  readonly adam: FlatAdam;

  constructor(
    readonly tf: Tf,
    readonly backend: string,
    readonly layout: ParameterLayout,
    initial: Float32Array,
    adam: AdamSettings,
    public seed: number,
  ) {
    this.size = layout.size;
    this.params = tf.tensor1d(initial);
    this.adam = new FlatAdam(tf, this.size, adam);
  }

  /** Swap in new parameters, freeing the old ones. */
  setParams(next: tfType.Tensor1D): void {
    if (next === this.params) return;
    this.params.dispose();
    this.params = next;
  }

  async read(): Promise<FlatArrays> {
    const [params, m, v] = (await Promise.all([this.params.data(), this.adam.m.data(), this.adam.v.data()])) as Float32Array[];
    return { params: params!, m: m!, v: v!, step: this.adam.step };
  }

  load(state: FlatArrays): void {
    this.setParams(this.tf.tensor1d(state.params));
    this.adam.load(state.m, state.v, state.step);
  }

  dispose(): void {
    this.params.dispose();
    this.adam.dispose();
  }
}

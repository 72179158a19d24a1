import { mixSeed, uniformStream } from '@anomalab/core';
import type { Tf } from './tf-types.ts';
import type { RnnNetwork } from './network.ts';
import type { StepMasks } from './rnn-model.ts';
import { TorchGenerator } from './torch-random.ts';

export interface WindowMasks {
  /** masks[t] = the masks of step t (encoder, layer 0, ..., layer N-1). */
  perStep: StepMasks[];
  dispose(): void;
}

/** Feature width of each dropout site: [E, H, ..., H]. */
export function maskWidths(net: RnnNetwork): number[] {
  return [net.arch.embedding, ...Array<number>(net.arch.layers).fill(net.arch.hidden)];
}

/**
 * The mask values of `net`'s next training window, [steps, sites, 2B lanes, width]
 * (free-running lanes, then teacher-forced). rng: counter draws them from the stream of
 * (seed, Adam step), so restoring the step restores it; rng: torch from PyTorch's
 * generator as the original does, advancing `net.torchState`.
 */
export function nextWindowMaskValues(net: RnnNetwork, steps: number, batchLanes: number): Float32Array {
  const { dropout: rate, rng } = net.options;
  const widths = maskWidths(net);
  if (rng === 'torch') {
    if (!net.torchState) throw new Error('rnn: rng: torch dropout masks before training started the generator (prepareTrainingData)');
    const g = TorchGenerator.fromState(net.torchState);
    const values = g.windowMasks(rate, steps, batchLanes, widths);
    net.torchState = g.state();
    return values;
  }
  return counterMaskValues(rate, steps * 2 * batchLanes * widths.reduce((a, b) => a + b, 0), mixSeed(net.seed, net.adam.step));
}

/** rng: counter: value i is 0 below `rate` and 1 / (1 - rate) above, from mulberry32(seed) (the fused kernel draws the same in assembly/dropout.ts). */
export function counterMaskValues(rate: number, count: number, seed: number): Float32Array {
  const next = uniformStream(seed);
  const keep = 1 / (1 - rate);
  const data = new Float32Array(count);
  for (let i = 0; i < data.length; i++) data[i] = next() < rate ? 0 : keep;
  return data;
}

/**
 * Inverted-dropout masks for a whole window as tensors, one per step and site, from
 * values in the layout [steps, sites, lanes, width] (dispatch is what costs on wasm, not
 * the random numbers: per-step tensors are views of one JS array).
 *
 * @param widths feature width per site: [E, H, ..., H]
 */
export function windowMasks(tf: Tf, values: Float32Array, steps: number, lanes: number, widths: number[]): WindowMasks {
  const perStepSize = lanes * widths.reduce((a, b) => a + b, 0);
  const perStep = Array.from({ length: steps }, (_, t) => {
    let offset = t * perStepSize;
    return widths.map((width) => {
      const mask = tf.tensor2d(values.subarray(offset, offset + lanes * width), [lanes, width]);
      offset += lanes * width;
      return mask;
    });
  });
  return { perStep, dispose: () => tf.dispose(perStep.flat()) };
}

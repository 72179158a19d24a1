import { uniformStream } from '@anomalab/core';
import type { Tf } from './tf-types.ts';
import type { StepMasks } from './rnn-model.ts';

export interface WindowMasks {
  /** masks[t] = the masks of step t (encoder, layer 0, ..., layer N-1). */
  perStep: StepMasks[];
  dispose(): void;
}

/**
 * Inverted-dropout masks for a whole window, drawn in JS from a seed and uploaded as one
 * tensor per site (dispatch is what costs on wasm, not the random numbers). The masks
 * depend only on `seed`, so the dropout RNG state of a run is just the window counter:
 * checkpoints restore it exactly.
 *
 * @param widths feature width per site: [E, H, ..., H]
 */
export function windowMasks(tf: Tf, rate: number, steps: number, lanes: number, widths: number[], seed: number): WindowMasks {
  const next = uniformStream(seed);
  const keep = 1 / (1 - rate);
  // One JS array per window; per-step tensors are created from views of it (no kernels).
  const perStepSize = lanes * widths.reduce((a, b) => a + b, 0);
  const data = new Float32Array(steps * perStepSize);
  for (let i = 0; i < data.length; i++) data[i] = next() < rate ? 0 : keep;
  const perStep = Array.from({ length: steps }, (_, t) => {
    let offset = t * perStepSize;
    return widths.map((width) => {
      const mask = tf.tensor2d(data.subarray(offset, offset + lanes * width), [lanes, width]);
      offset += lanes * width;
      return mask;
    });
  });
  return { perStep, dispose: () => tf.dispose(perStep.flat()) };
}

// The tfjs path's window loss, gradient and update, as plain arrays: the reference the
// fused engine is tested against (fused.test.ts) and the bench's tfjs case.
import type { RnnNetwork } from '../network.ts';
import type { ModelState } from '../rnn-model.ts';
import { windowGradient, windowTensors, type Batched } from '../train-loop.ts';
import type { BpttWindow } from '../batchify.ts';

export interface TfWindowResult {
  terms: Float64Array;
  grad: Float32Array;
  state: ModelState;
}

/** Terms and flat gradient of one window on the tfjs path (no update), from `state` (not disposed). */
export function tfLossAndGrad(net: RnnNetwork, batched: Batched, window: BpttWindow, state: ModelState): TfWindowResult {
  const { inputs, targets, dispose } = windowTensors(net, batched, window);
  const result = windowGradient(net, inputs, targets, state);
  const grad = (result.grad.dataSync() as Float32Array).slice();
  result.grad.dispose();
  dispose();
  return { terms: Float64Array.from(result.terms), grad, state: result.state };
}

// The tfjs path's window loss, gradient and update, as plain arrays: the reference the
// fused engine is tested against (fused.test.ts) and the bench's tfjs case.
import type * as tfType from '@tensorflow/tfjs';
import { mixSeed, windowMasks } from '../dropout.ts';
import type { RnnNetwork } from '../network.ts';
import { disposeTransposed, transposedWeights, weightViews, windowLoss, withTransposed, type ModelState } from '../rnn-model.ts';
import { windowTensors, type Batched } from '../train-loop.ts';
import type { BpttWindow } from '../batchify.ts';

export interface TfWindowResult {
  terms: Float64Array;
  grad: Float32Array;
  state: ModelState;
}

/** Terms and flat gradient of one window on the tfjs path (no update), from `state` (not disposed). */
export function tfLossAndGrad(net: RnnNetwork, batched: Batched, window: BpttWindow, state: ModelState): TfWindowResult {
  const tf = net.tf;
  const { arch, options } = net;
  const { inputs, targets, dispose } = windowTensors(net, batched, window);
  const lanes = batched.lanes * 2;
  const masks = options.dropout > 0
    ? windowMasks(tf, options.dropout, inputs.length, lanes, [arch.embedding, ...Array<number>(arch.layers).fill(arch.hidden)], mixSeed(net.seed, net.adam.step))
    : undefined;
  let kept: { terms: tfType.Tensor1D; state: ModelState } | undefined;
  const transposed = transposedWeights(tf, arch, net.params);
  const f = (flat: tfType.Tensor) => {
    const w = withTransposed(weightViews(tf, arch, flat as tfType.Tensor1D), transposed);
    const r = windowLoss(tf, arch, w, inputs, targets, state, masks?.perStep, net.detach);
    kept = { terms: tf.keep(r.terms), state: r.state.map((layer) => layer.map((t) => tf.keep(t))) };
    return r.loss;
  };
  const { value, grads } = tf.valueAndGrads(f)([net.params]);
  const grad = grads[0]!.dataSync() as Float32Array;
  const terms = Float64Array.from(kept!.terms.dataSync());
  tf.dispose([value, ...grads, kept!.terms]);
  masks?.dispose();
  disposeTransposed(tf, transposed);
  dispose();
  return { terms, grad: grad.slice(), state: kept!.state };
}

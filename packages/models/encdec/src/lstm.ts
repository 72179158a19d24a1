import type * as tfType from '@tensorflow/tfjs';
import type { Tensor1D, Tensor2D, Tf } from './tf-types.ts';

const denseOps = new WeakMap<object, (...args: tfType.Tensor[]) => tfType.Tensor>();

/**
 * x @ w + b. With `wT` (w transposed, a constant computed outside the gradient tape) the
 * backward pass uses only untransposed matMuls: on the wasm backend a matMul with a
 * transpose flag (what tfjs's own matMul gradient uses) is several times slower than an
 * explicit transpose followed by a plain matMul. Without `wT`: the fused matMul (inference).
 */
export function dense(tf: Tf, x: Tensor2D, w: Tensor2D, b: Tensor1D, wT?: Tensor2D): Tensor2D {
  if (!wT) return tf.fused.matMul({ a: x, b: w, bias: b }) as Tensor2D;
  let op = denseOps.get(tf);
  if (!op) {
    op = tf.customGrad((...args) => {
      const [xIn, wIn, bIn, wTIn, save] = args as [Tensor2D, Tensor2D, Tensor1D, Tensor2D, tfType.GradSaveFunc];
      save([xIn]);
      return {
        value: tf.fused.matMul({ a: xIn, b: wIn, bias: bIn }),
        // wT is a constant (not on the tape): its "gradient" is never read.
        gradFunc: (dy: tfType.Tensor, saved: tfType.Tensor[]) => [tf.matMul(dy as Tensor2D, wTIn), tf.matMul(tf.transpose(saved[0] as Tensor2D), dy as Tensor2D), tf.sum(dy, 0), wTIn],
      };
    });
    denseOps.set(tf, op);
  }
  return op(x, w, b, wT) as Tensor2D;
}

/** LSTM state: hidden h and cell c, each [B, H]. */
export interface LstmState {
  h: Tensor2D;
  c: Tensor2D;
}

/** One LSTM step (PyTorch's equations; gate blocks [i, f, o, g], one matMul for all gates). */
export function lstmStep(tf: Tf, w: Tensor2D, b: Tensor1D, wT: Tensor2D | undefined, x: Tensor2D, state: LstmState): LstmState {
  const H = state.h.shape[1];
  const z = dense(tf, tf.concat([x, state.h], 1), w, b, wT);
  const [sig, gPre] = tf.split(z, [3 * H, H], 1) as [Tensor2D, Tensor2D];
  const [i, f, o] = tf.split(tf.sigmoid(sig), 3, 1) as Tensor2D[];
  const c = tf.add(tf.mul(f!, state.c), tf.mul(i!, tf.tanh(gPre))) as Tensor2D;
  return { h: tf.mul(o!, tf.tanh(c)) as Tensor2D, c };
}

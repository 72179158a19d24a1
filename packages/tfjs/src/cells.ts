import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from './runtime.ts';

type Tensor = tfType.Tensor;
type Tensor1D = tfType.Tensor1D;
type Tensor2D = tfType.Tensor2D;

const denseOps = new WeakMap<object, (...args: Tensor[]) => Tensor>();

/**
 * x @ w + b. With `wT` (w transposed, a constant computed once per step outside the
 * gradient tape) the backward pass uses only untransposed matMuls: on the wasm backend a
 * matMul with a transpose flag (what tfjs's own matMul gradient uses) is ~9x slower than
 * an explicit transpose followed by a plain matMul. Without `wT`: the plain fused matMul
 * (inference, eval mode).
 */
export function dense(tf: Tf, x: Tensor2D, w: Tensor2D, b: Tensor1D, wT?: Tensor2D, activation?: 'relu'): Tensor2D {
  if (!wT) return tf.fused.matMul({ a: x, b: w, bias: b, activation }) as Tensor2D;
  let op = denseOps.get(tf);
  if (!op) {
    op = tf.customGrad((...args) => {
      const [xIn, wIn, bIn, wTIn, save] = args as [Tensor2D, Tensor2D, Tensor1D, Tensor2D, tfType.GradSaveFunc];
      save([xIn]);
      return {
        value: tf.fused.matMul({ a: xIn, b: wIn, bias: bIn }),
        // wT is not on the tape (a constant), so its gradient is never read: return it as a placeholder.
        gradFunc: (dy: Tensor, saved: Tensor[]) => [tf.matMul(dy as Tensor2D, wTIn), tf.matMul(tf.transpose(saved[0] as Tensor2D), dy as Tensor2D), tf.sum(dy, 0), wTIn],
      };
    });
    denseOps.set(tf, op);
  }
  const out = op(x, w, b, wT) as Tensor2D;
  return activation === 'relu' ? tf.relu(out) : out;
}

/** LSTM state: hidden h and cell c, each [B, H]. */
export interface LstmState {
  h: Tensor2D;
  c: Tensor2D;
}

/**
 * One LSTM step with PyTorch's equations; `w` is `[W_ih; W_hh]` stacked ([in + H, 4H]) so
 * all gates are one matMul of `[x, h]`, gate blocks reordered to [i, f, o, g] so the three
 * sigmoid gates are one contiguous block.
 */
export function lstmStep(tf: Tf, w: Tensor2D, b: Tensor1D, wT: Tensor2D | undefined, x: Tensor2D, state: LstmState): LstmState {
  const H = state.h.shape[1];
  const z = dense(tf, tf.concat([x, state.h], 1), w, b, wT);
  const [sig, gPre] = tf.split(z, [3 * H, H], 1) as [Tensor2D, Tensor2D];
  const [i, f, o] = tf.split(tf.sigmoid(sig), 3, 1) as Tensor2D[];
  const c = tf.add(tf.mul(f!, state.c), tf.mul(i!, tf.tanh(gPre))) as Tensor2D;
  return { h: tf.mul(o!, tf.tanh(c)) as Tensor2D, c };
}

/** Identity whose gradient is zero: PyTorch's `.detach()` inside a differentiated function. */
export function stopGradient(tf: Tf): (x: Tensor) => Tensor {
  const f = tf.customGrad((...inputs) => ({ value: tf.clone(inputs[0] as Tensor), gradFunc: (dy: Tensor) => tf.zerosLike(dy) }));
  return (x: Tensor) => f(x);
}

import type * as tfType from '@tensorflow/tfjs';
import type { Tf } from './tf-types.ts';
import type { CellType } from './config.ts';


type Tensor2D = tfType.Tensor2D;

/** Gate blocks per cell type: LSTM [i, f, o, g], GRU [r, z, n], plain RNN [h]. */
export const GATES: Record<CellType, number> = { LSTM: 4, GRU: 3, RNN_TANH: 1, RNN_RELU: 1 };

/** Number of state tensors a layer carries: LSTM (h, c), the others (h). */
export function stateSize(cell: CellType): number {
  return cell === 'LSTM' ? 2 : 1;
}

/**
 * One layer's weights as tensor views of the flat parameter vector. `w` is `[wIh; wHh]`
 * stacked (rows: input then hidden), so LSTM and plain RNN cells need a single matMul of
 * `[x, h]` for all gates: per-op dispatch dominates on the wasm backend.
 */
export interface LayerWeights {
  /** [in + H, G*H] */
  w: Tensor2D;
  /** [in, G*H] (GRU only; the n gate needs the input and hidden projections apart). */
  wIh: Tensor2D;
  /** [H, G*H] */
  wHh: Tensor2D;
  /** bIh + bHh, [G*H]. */
  bias: tfType.Tensor1D;
  bIh: tfType.Tensor1D;
  bHh: tfType.Tensor1D;
  /** Transposes of w / wIh / wHh, present when training (see `dense`). */
  wT?: Tensor2D;
  wIhT?: Tensor2D;
  wHhT?: Tensor2D;
}

const denseOps = new WeakMap<object, (...args: tfType.Tensor[]) => tfType.Tensor>();

/**
 * x @ w + b. With `wT` (w transposed, computed once per window outside the gradient tape)
 * the backward pass uses only untransposed matMuls: on the wasm backend a matMul with a
 * transpose flag (what tfjs's own matMul gradient uses) is ~9x slower than an explicit
 * transpose followed by a plain matMul. Without `wT`: plain fused matMul (eval mode).
 */
export function dense(tf: Tf, x: Tensor2D, w: Tensor2D, b: tfType.Tensor1D, wT?: Tensor2D, activation?: 'relu'): Tensor2D {
  if (!wT) return tf.fused.matMul({ a: x, b: w, bias: b, activation }) as Tensor2D;
  let op = denseOps.get(tf);
  if (!op) {
    op = tf.customGrad((...args) => {
      const [xIn, wIn, bIn, wTIn, save] = args as [Tensor2D, Tensor2D, tfType.Tensor1D, Tensor2D, tfType.GradSaveFunc];
      save([xIn]);
      return {
        value: tf.fused.matMul({ a: xIn, b: wIn, bias: bIn }),
        // wT is not on the tape (a constant), so its gradient is never read: return it as a placeholder.
        gradFunc: (dy: tfType.Tensor, saved: tfType.Tensor[]) => [tf.matMul(dy as Tensor2D, wTIn), tf.matMul(tf.transpose(saved[0] as Tensor2D), dy as Tensor2D), tf.sum(dy, 0), wTIn],
      };
    });
    denseOps.set(tf, op);
  }
  const out = op(x, w, b, wT) as Tensor2D;
  return activation === 'relu' ? tf.relu(out) : out;
}

/** A layer's recurrent state: [h] or [h, c], each [batch, H]. */
export type LayerState = Tensor2D[];

/**
 * One time step of one layer. Same equations as PyTorch's cells (so checkpoints and
 * behaviour match the reference), with the LSTM gate blocks reordered to [i, f, o, g] so
 * the three sigmoid gates are one contiguous block.
 */
export function cellStep(tf: Tf, cell: CellType, weights: LayerWeights, x: Tensor2D, state: LayerState): LayerState {
  const h = state[0]!;
  switch (cell) {
    case 'LSTM': {
      const c = state[1]!;
      const H = h.shape[1];
      const z = dense(tf, tf.concat([x, h], 1), weights.w, weights.bias, weights.wT);
      const [sig, gPre] = tf.split(z, [3 * H, H], 1) as [Tensor2D, Tensor2D];
      const [i, f, o] = tf.split(tf.sigmoid(sig), 3, 1) as Tensor2D[];
      const c2 = tf.add(tf.mul(f!, c), tf.mul(i!, tf.tanh(gPre))) as Tensor2D;
      return [tf.mul(o!, tf.tanh(c2)) as Tensor2D, c2];
    }
    case 'GRU': {
      // PyTorch GRU: n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) n + z h.
      const gi = dense(tf, x, weights.wIh, weights.bIh, weights.wIhT);
      const gh = dense(tf, h, weights.wHh, weights.bHh, weights.wHhT);
      const [r, z] = tf.split(tf.sigmoid(tf.add(gi, gh)), 3, 1) as Tensor2D[];
      const [, , giN] = tf.split(gi, 3, 1) as Tensor2D[];
      const [, , ghN] = tf.split(gh, 3, 1) as Tensor2D[];
      const n = tf.tanh(tf.add(giN!, tf.mul(r!, ghN!)));
      return [tf.add(n, tf.mul(z!, tf.sub(h, n))) as Tensor2D];
    }
    case 'RNN_TANH':
      return [tf.tanh(dense(tf, tf.concat([x, h], 1), weights.w, weights.bias, weights.wT))];
    case 'RNN_RELU':
      return [dense(tf, tf.concat([x, h], 1), weights.w, weights.bias, weights.wT, 'relu')];
  }
}

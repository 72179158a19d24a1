import type * as tfType from '@tensorflow/tfjs';
import { dense, lstmStep } from '@anomalab/tfjs';
import type { Tf } from './tf-types.ts';
import type { CellType } from './config.ts';
import { GATES } from './architecture.ts';

export { GATES };

type Tensor2D = tfType.Tensor2D;

/** Number of state tensors a layer carries: LSTM (h, c), the others (h). */
export function stateSize(cell: CellType): number {
  return cell === 'LSTM' ? 2 : 1;
}

/**
 * One layer's weights as tensor views of the flat parameter vector. `w` is `[wIh; wHh]`
 * stacked (rows: input then hidden), so LSTM and plain RNN cells need a single matMul of
 * `[x, h]` for all gates: per-op dispatch dominates on the wasm backend. `dense` and the
 * LSTM step are @anomalab/tfjs's (shared with encdec).
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
      const next = lstmStep(tf, weights.w, weights.bias, weights.wT, x, { h, c: state[1]! });
      return [next.h, next.c];
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

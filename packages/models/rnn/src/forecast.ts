import type * as tfType from '@tensorflow/tfjs';
import type { Forecast, Series } from '@anomalab/core';
import type { RnnNetwork } from './network.ts';
import { modelStep, weightViews, zeroState, type ModelState } from './rnn-model.ts';

type Tensor2D = tfType.Tensor2D;

/** Rows per chunk: bounds memory (recorded states, free-running batch) on long series. */
const DEFAULT_CHUNK = 2048;

/**
 * Multi-step predictions (reference section 5) computed in batches: a teacher-forced pass
 * (batch 1, eval mode) records every row's 1-step prediction and the state of every layer;
 * then `horizon - 1` free-running steps run for all rows of a chunk at once, each row
 * starting from its own recorded state. Same numbers as the reference's T x W
 * single-row calls (`forecastNaive`), in T + chunks x (W - 1) model steps.
 *
 * Layout: `values[(t * horizon + (k - 1)) * C + c]` = prediction of x_{t+k} made at t.
 */
export function forecastBatched(net: RnnNetwork, series: Series, horizon: number, chunk = DEFAULT_CHUNK): Forecast {
  const { tf, arch } = net;
  const { rows, channels: C } = series;
  if (C !== arch.channels) throw new Error(`rnn: model has ${arch.channels} channel(s), series has ${C}`);
  const values = new Float32Array(rows * horizon * C);
  // One scope for the whole call: frees the weight views and anything left at the end.
  tf.engine().startScope();
  const w = weightViews(tf, arch, net.params);
  let state: ModelState = zeroState(tf, arch, 1);
  try {
    for (let t0 = 0; t0 < rows; t0 += chunk) {
      const n = Math.min(chunk, rows - t0);
      // Teacher-forced pass over the chunk, one row at a time, carrying the state.
      const xs = Array.from({ length: n }, (_, t) => tf.tensor2d(series.values.subarray((t0 + t) * C, (t0 + t + 1) * C), [1, C]));
      const preds: Tensor2D[] = [];
      const recorded: ModelState[] = [];
      for (let t = 0; t < n; t++) {
        const previous = state;
        const [output, ...flat] = tf.tidy(() => {
          const step = modelStep(tf, arch, w, xs[t]!, previous);
          return [step.output, ...step.state.flat()];
        });
        state = unflatten(flat, arch.layers);
        preds.push(output!);
        recorded.push(state);
      }
      tf.dispose(xs);
      // Free-running continuation for all n rows at once.
      const block = tf.tidy(() => {
        let input = tf.concat(preds) as Tensor2D;
        let s: ModelState = state.map((layer, l) => layer.map((_, j) => tf.concat(recorded.map((r) => r[l]![j]!)) as Tensor2D));
        const steps: Tensor2D[] = [input];
        for (let k = 2; k <= horizon; k++) {
          const step = modelStep(tf, arch, w, input, s);
          input = step.output;
          s = step.state;
          steps.push(input);
        }
        return tf.stack(steps, 1); // [n, horizon, C]
      });
      values.set(block.dataSync() as Float32Array, t0 * horizon * C);
      block.dispose();
      tf.dispose(preds);
      // Everything recorded except the state carried into the next chunk.
      for (const r of recorded) if (r !== state) tf.dispose(r.flat());
    }
  } finally {
    tf.engine().endScope();
  }
  return { rows, channels: C, horizon, values };
}

function unflatten(flat: Tensor2D[], layers: number): ModelState {
  const per = flat.length / layers;
  return Array.from({ length: layers }, (_, l) => flat.slice(l * per, (l + 1) * per));
}

/**
 * The reference's literal loop (section 5): for every row, one single-row step, then
 * W-1 free-running single-row steps from a copy of the state. O(T x W) model calls: for
 * verifying `forecastBatched` in tests, not for production use.
 */
export function forecastNaive(net: RnnNetwork, series: Series, horizon: number): Forecast {
  const { tf, arch } = net;
  const { rows, channels: C } = series;
  const values = new Float32Array(rows * horizon * C);
  tf.tidy(() => {
    const w = weightViews(tf, arch, net.params);
    let state = zeroState(tf, arch, 1);
    for (let t = 0; t < rows; t++) {
      const x = tf.tensor2d(series.values.subarray(t * C, (t + 1) * C), [1, C]);
      const first = modelStep(tf, arch, w, x, state);
      state = first.state;
      let prediction = first.output;
      let s = first.state;
      for (let k = 1; k <= horizon; k++) {
        if (k > 1) {
          const step = modelStep(tf, arch, w, prediction, s);
          prediction = step.output;
          s = step.state;
        }
        values.set(prediction.dataSync() as Float32Array, (t * horizon + (k - 1)) * C);
      }
    }
  });
  return { rows, channels: C, horizon, values };
}

import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@anomalab/core';
import { loadTensorRuntime } from '@anomalab/tfjs';
import type * as tfType from '@tensorflow/tfjs';
import { resolveOptions, type CellType } from './config.ts';
import { architectureOf, disposeTransposed, initialParameters, stopGradient, transposedWeights, weightViews, windowLoss, withTransposed, zeroState } from './rnn-model.ts';
import { counterMaskValues, windowMasks } from './dropout.ts';

describe('rnn model gradients', () => {
  it.each(['LSTM', 'GRU', 'RNN_TANH', 'RNN_RELU'] as CellType[])('%s: the fast dense backward equals tfjs autograd', async (cell) => {
    const { tf } = await loadTensorRuntime();
    const arch = architectureOf(resolveOptions({ cell, embedding: 5, hidden: 4, residual: true }), 2);
    const random = new SeededRandom(3);
    const params = tf.tensor1d(initialParameters(arch, random));
    const [B, L] = [3, 4];
    const inputs = Array.from({ length: L }, () => tf.tensor2d(Array.from({ length: B * 2 }, () => random.normal()), [B, 2]));
    const targets = tf.tensor3d(Array.from({ length: L * 2 * B * 2 }, () => random.normal()), [L, 2 * B, 2]);
    const state = zeroState(tf, arch, B);
    const masks = windowMasks(tf, counterMaskValues(0.2, L * 2 * B * 13, 9), L, 2 * B, [5, 4, 4]);
    const detach = stopGradient(tf);
    const transposed = transposedWeights(tf, arch, params);
    const gradient = (fast: boolean) => {
      const { grads, value } = tf.valueAndGrads((flat: tfType.Tensor) => {
        const views = weightViews(tf, arch, flat as tfType.Tensor1D);
        return windowLoss(tf, arch, fast ? withTransposed(views, transposed) : views, inputs, targets, state, masks.perStep, detach).loss;
      })([params]);
      const out = { loss: value.dataSync()[0]!, grad: Array.from(grads[0]!.dataSync()) };
      tf.dispose([value, ...grads]);
      return out;
    };
    const slow = gradient(false);
    const fast = gradient(true);
    expect(fast.loss).toBe(slow.loss);
    const scale = Math.max(...slow.grad.map(Math.abs));
    expect(scale).toBeGreaterThan(0);
    fast.grad.forEach((g, i) => expect(Math.abs(g - slow.grad[i]!)).toBeLessThan(1e-5 * scale));
    tf.dispose([params, targets, ...inputs, ...state.flat()]);
    masks.dispose();
    disposeTransposed(tf, transposed);
  });
});

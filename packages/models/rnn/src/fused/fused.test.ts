import { describe, expect, it } from 'vitest';
import { loadTensorRuntime, SeededRandom } from '@anomalab/core';
import { augment, channelStd } from '../augment.ts';
import { mixSeed } from '../dropout.ts';
import { resolveOptions, type CellType, type RnnOptions } from '../config.ts';
import { RnnNetwork } from '../network.ts';
import { zeroState, type ModelState } from '../rnn-model.ts';
import { trainWindow, upload, windowTensors } from '../train-loop.ts';
import { syntheticSplits } from '../test-support.ts';
import { FusedKernel } from './kernel.ts';
import { tfLossAndGrad } from './reference.ts';

const { tf, backend } = await loadTensorRuntime();

/** max |a - b| / max |b|: error relative to the vector's scale (float32 sums in different orders). */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / (scale || 1);
}

function setup(options: Partial<RnnOptions>, channels: number) {
  const opts = resolveOptions({ augment_length: 800, batch_size: 8, bptt: 12, embedding: 6, hidden: 5, ...options });
  const splits = syntheticSplits(600, channels);
  const net = new RnnNetwork(tf, backend, opts, channels, 1111);
  const series = augment(splits.train, channelStd(splits.train), opts.noise, opts.augment_length, new SeededRandom(3).fork('t'));
  const batched = upload(net, series, opts.batch_size, 'train');
  const kernel = new FusedKernel(net.arch, opts.batch_size, opts.bptt);
  kernel.load(net.params.dataSync() as Float32Array);
  const seq = kernel.loadSeries('train', batched.data);
  return { net, batched, kernel, seq, opts };
}

const adamOf = (o: RnnOptions) => ({ lr: o.lr, weightDecay: o.weight_decay, clip: o.clip, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });

const CELLS: CellType[] = ['LSTM', 'GRU', 'RNN_TANH', 'RNN_RELU'];

describe(`fused engine == tfjs (${backend})`, () => {
  for (const cell of CELLS) {
    for (const residual of [false, true]) {
      it(`${cell} residual=${residual} E!=H: losses and gradients over 3 windows with carried state, dropout 0.2`, () => {
        const { net, batched, kernel, seq } = setup({ cell, residual, dropout: 0.2, lr: 0.01 }, 2);
        let state: ModelState = zeroState(tf, net.arch, batched.lanes);
        kernel.resetState();
        for (let w = 0; w < 3; w++) {
          const window = batched.windows[w]!;
          const ref = tfLossAndGrad(net, batched, window, state);
          const terms = kernel.lossAndGrad(seq, window.start, window.length, net.options.dropout, mixSeed(net.seed, net.adam.step));
          expect(relError(terms, ref.terms), `terms w${w}`).toBeLessThan(1e-4);
          expect(relError(kernel.grad, ref.grad), `grad w${w}`).toBeLessThan(1e-4);
          // Carried state: the teacher-forced lanes' final state.
          const H = net.arch.hidden;
          const B = batched.lanes;
          for (let l = 0; l < net.arch.layers; l++) {
            ref.state[l]!.forEach((t, j) => {
              expect(relError(kernel.state.subarray((l * 2 + j) * B * H, (l * 2 + j + 1) * B * H), t.dataSync()), `state l${l} ${j}`).toBeLessThan(1e-4);
            });
          }
          tf.dispose(state.flat());
          state = ref.state;
        }
        tf.dispose(state.flat());
        net.dispose();
      });
    }
  }
});

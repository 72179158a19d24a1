import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@anomalab/core';
import { loadTensorRuntime } from '@anomalab/tfjs';
import { augment, channelStd } from '../augment.ts';
import { mixSeed } from '@anomalab/core';
import { resolveOptions, type CellType, type RnnOptions } from '../config.ts';
import { RnnNetwork } from '../network.ts';
import { zeroState, type ModelState } from '../rnn-model.ts';
import { trainWindow, upload, windowTensors } from '../train-loop.ts';
import { createPredictor, syntheticSplits, testServices, trainContext, TINY, relError } from '../test-support.ts';
import { forecastBatched } from '../forecast.ts';
import { FusedKernel } from './kernel.ts';
import { tfLossAndGrad } from './reference.ts';
import { TorchGenerator } from '../torch-random.ts';

const { tf, backend } = await loadTensorRuntime();

function setup(options: Partial<RnnOptions>, channels: number) {
  const opts = resolveOptions({ augment_length: 800, batch_size: 8, bptt: 12, embedding: 6, hidden: 5, ...options });
  const splits = syntheticSplits(600, channels);
  const net = new RnnNetwork(tf, backend, opts, channels, 1111);
  const series = augment(splits.train, channelStd(splits.train), opts.noise, opts.augment_length, new SeededRandom(3).fork('t'));
  const batched = upload(net, series, opts.batch_size, 'train');
  const kernel = new FusedKernel(net.arch, opts.batch_size, opts.bptt);
  kernel.load(net.params.dataSync() as Float32Array);
  if (opts.rng === 'torch') {
    // Both sides start the PyTorch stream at the same (arbitrary) state; each advances its own copy.
    net.torchState = new TorchGenerator(77).state();
    kernel.setTorchStream(net.torchState);
  }
  const seq = kernel.loadSeries('train', batched.data);
  return { net, batched, kernel, seq, opts };
}

const adamOf = (o: RnnOptions) => ({ lr: o.lr, weightDecay: o.weight_decay, clip: o.clip, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });

const CELLS: CellType[] = ['LSTM', 'GRU', 'RNN_TANH', 'RNN_RELU'];

describe(`fused engine == tfjs (${backend})`, () => {
  for (const [cell, rng] of CELLS.flatMap((c) => (['torch', 'counter'] as const).map((r) => [c, r] as const))) {
    for (const residual of [false, true]) {
      it(`${cell} residual=${residual} rng=${rng} E!=H: losses and gradients over 3 windows with carried state, dropout 0.2`, () => {
        const { net, batched, kernel, seq } = setup({ cell, residual, dropout: 0.2, lr: 0.01, rng }, 2);
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

  for (const [cell, rng] of CELLS.map((c, i) => [c, i % 2 === 0 ? 'torch' : 'counter'] as const)) {
    it(`${cell} rng=${rng}: updated weights and Adam moments after 4 training windows (clip, L2, Adam, dropout 0.2, residual)`, () => {
      const { net, batched, kernel, seq, opts } = setup({ cell, residual: true, dropout: 0.2, lr: 0.01, clip: 0.5, rng }, 2);
      let state: ModelState = zeroState(tf, net.arch, batched.lanes);
      kernel.resetState();
      for (let w = 0; w < 4; w++) {
        const window = batched.windows[w]!;
        const terms = kernel.trainWindow(seq, window.start, window.length, opts.dropout, mixSeed(net.seed, net.adam.step), adamOf(opts), net.adam.step + 1);
        const { inputs, targets, dispose } = windowTensors(net, batched, window);
        const ref = trainWindow(net, inputs, targets, state);
        dispose();
        tf.dispose(state.flat());
        state = ref.state;
        expect(relError(terms, ref.terms), `terms w${w}`).toBeLessThan(1e-4);
      }
      expect(relError(kernel.params, net.params.dataSync()), 'params').toBeLessThan(1e-4);
      expect(relError(kernel.m, net.adam.m.dataSync()), 'adam m').toBeLessThan(1e-4);
      expect(relError(kernel.v, net.adam.v.dataSync()), 'adam v').toBeLessThan(1e-4);
      tf.dispose(state.flat());
      net.dispose();
    });
  }
});

describe('rnn predictor with engine: fused', () => {
  const { train, test } = syntheticSplits();
  const run = async (engine: 'fused' | 'tfjs', options: Partial<RnnOptions> = {}) => {
    const services = testServices();
    const predictor = await createPredictor({ ...TINY, ...options, engine }, 1, 1111, services);
    const { context, reports } = trainContext(2, services);
    await predictor.train({ train, validation: test }, context);
    return { predictor, reports, services };
  };

  it('trains to the same epoch reports and weights as tfjs, deterministically, and logs like it', async () => {
    const fused = await run('fused');
    const again = await run('fused');
    const reference = await run('tfjs');
    const losses = (reports: typeof fused.reports) => reports.map((r) => [r.train, r.validation]);
    expect(losses(again.reports)).toEqual(losses(fused.reports));
    for (const [i, report] of fused.reports.entries()) {
      const ref = reference.reports[i]!;
      for (const key of Object.keys(ref.train)) {
        expect(Math.abs(report.train[key]! - ref.train[key]!) / Math.abs(ref.train[key]!), `train ${key}`).toBeLessThan(1e-4);
        expect(Math.abs(report.validation![key]! - ref.validation![key]!) / Math.abs(ref.validation![key]!), `validation ${key}`).toBeLessThan(1e-4);
      }
    }
    expect(relError(fused.predictor.net.params.dataSync(), reference.predictor.net.params.dataSync())).toBeLessThan(1e-4);
    expect(fused.predictor.net.adam.step).toBe(reference.predictor.net.adam.step);
    expect(fused.predictor.describe().engine).toBe('fused-wasm-simd');
    expect(fused.services.lines.filter((l) => l.startsWith('| end of epoch'))).toHaveLength(2);
    for (const r of [fused, again, reference]) r.predictor.dispose();
  });

  it('allocates once: WebAssembly memory and tfjs tensor count do not grow across epochs or train() calls', async () => {
    const services = testServices();
    const predictor = await createPredictor({ ...TINY, engine: 'fused' }, 1, 1111, services);
    const seen: [number, number][] = [];
    const record = () => seen.push([predictor.fused!.kernel().memoryBytes, tf.memory().numTensors]);
    await predictor.train({ train, validation: test }, trainContext(3, services, 0, record).context);
    await predictor.train({ train, validation: test }, trainContext(5, services, 3, record).context);
    expect(seen).toHaveLength(5);
    for (const s of seen) expect(s).toEqual(seen[0]);
    predictor.dispose();
  });

  it('checkpoints move between engines: fused state -> tfjs predictor -> training continues identically', async () => {
    const fused = await run('fused', { cell: 'GRU' });
    const state = await fused.predictor.getState();
    expect(Object.keys(state.tensors).filter((k) => k.startsWith('adam_m/'))).toHaveLength(Object.keys(state.tensors).length / 3);
    const services = testServices();
    const tfjs = await createPredictor({ ...TINY, cell: 'GRU', engine: 'tfjs' }, 1, 1111, services);
    await tfjs.setState(state);
    const fused2 = await createPredictor({ ...TINY, cell: 'GRU', engine: 'fused' }, 1, 1111, testServices());
    await fused2.setState(state);
    const a = trainContext(3, services, 2);
    const b = trainContext(3, testServices(), 2);
    await tfjs.train({ train, validation: test }, a.context);
    await fused2.train({ train, validation: test }, b.context);
    expect(Math.abs(a.reports[0]!.train.loss! - b.reports[0]!.train.loss!) / a.reports[0]!.train.loss!).toBeLessThan(1e-4);
    expect(relError(fused2.net.params.dataSync(), tfjs.net.params.dataSync())).toBeLessThan(1e-4);
    for (const p of [fused.predictor, tfjs, fused2]) p.dispose();
  });
});

describe('fused forecast', () => {
  for (const [cell, residual] of [['LSTM', false], ['GRU', true], ['RNN_TANH', false], ['RNN_RELU', true]] as [CellType, boolean][]) {
    it(`${cell} residual=${residual}: equals the tfjs batched forecast (chunks carry the state)`, async () => {
      const { train, test } = syntheticSplits(800, 2);
      const services = testServices();
      const predictor = await createPredictor({ ...TINY, augment_length: 800, cell, residual, embedding: 6, hidden: 5, engine: 'fused' }, 2, 1111, services);
      await predictor.train({ train }, trainContext(1, services).context);
      const reference = forecastBatched(predictor.net, test, 5, 64);
      const fused = predictor.fused!.forecast(test, 5, 64);
      expect(fused.values.length).toBe(reference.values.length);
      expect(relError(fused.values, reference.values)).toBeLessThan(1e-5);
      expect(relError((await predictor.forecast(test, 5)).values, reference.values)).toBeLessThan(1e-5);
      predictor.dispose();
    });
  }
});

describe('fused gradient vs finite differences', () => {
  for (const cell of CELLS) {
    it(`${cell} residual: central differences of the window loss (hidden-matching targets frozen)`, () => {
      const { net, batched, kernel, seq } = setup({ cell, residual: true, dropout: 0, batch_size: 4, bptt: 6, embedding: 3, hidden: 4, augment_length: 200 }, 2);
      const window = batched.windows[0]!;
      kernel.resetState();
      kernel.lossAndGrad(seq, window.start, window.length, 0, 0);
      const grad = kernel.grad.slice();
      kernel.freezeHiddenTargets(window.length, true);
      const loss = () => {
        kernel.resetState();
        const terms = kernel.evalWindow(seq, window.start, window.length);
        return terms[0]! + terms[1]! + terms[2]!;
      };
      const base = kernel.params.slice();
      const eps = 1e-2;
      const numeric = new Float64Array(grad.length);
      for (let i = 0; i < grad.length; i++) {
        const p = kernel.params;
        p.set(base);
        p[i] = base[i]! + eps;
        kernel.load(p.slice());
        const up = loss();
        p.set(base);
        p[i] = base[i]! - eps;
        kernel.load(p.slice());
        const down = loss();
        numeric[i] = (up - down) / (2 * eps);
      }
      kernel.load(base);
      kernel.freezeHiddenTargets(window.length, false);
      expect(relError(grad, numeric)).toBeLessThan(5e-4); // measured ~1e-5
      net.dispose();
    });
  }
});

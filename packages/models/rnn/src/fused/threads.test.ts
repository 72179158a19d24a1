import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@anomalab/core';
import { loadTensorRuntime } from '@anomalab/tfjs';
import { augment, channelStd } from '../augment.ts';
import { mixSeed } from '@anomalab/core';
import { resolveOptions, type CellType, type RnnOptions } from '../config.ts';
import { RnnNetwork } from '../network.ts';
import { upload } from '../train-loop.ts';
import { createPredictor, syntheticSplits, testServices, trainContext, TINY, relError } from '../test-support.ts';
import { FusedKernel } from './kernel.ts';
import { laneSplit, ThreadedKernel } from './threads.ts';
import { TorchGenerator } from '../torch-random.ts';

const { tf, backend } = await loadTensorRuntime();

const TOLERANCE = 1e-5;

function setup(options: Partial<RnnOptions>) {
  // An odd batch: the halves differ (4 + 3 lanes).
  const opts = resolveOptions({ augment_length: 900, batch_size: 7, bptt: 12, embedding: 6, hidden: 5, dropout: 0.2, residual: true, lr: 0.01, clip: 0.5, ...options });
  const splits = syntheticSplits(600, 2);
  const net = new RnnNetwork(tf, backend, opts, 2, 1111);
  const batched = upload(net, augment(splits.train, channelStd(splits.train), opts.noise, opts.augment_length, new SeededRandom(3).fork('t')), opts.batch_size, 'train');
  const adam = { lr: opts.lr, weightDecay: opts.weight_decay, clip: opts.clip, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
  return { net, batched, opts, adam };
}

describe('fused engine, lane split', () => {
  it('two kernels with half the lanes each: terms and gradients sum to the full batch (dropout masks of the same lanes)', () => {
    const { net, batched, opts } = setup({ cell: 'LSTM' });
    const B = opts.batch_size;
    const C = net.arch.channels;
    const steps = batched.data.length / (B * C);
    const full = new FusedKernel(net.arch, B, opts.bptt);
    full.load(net.params.dataSync() as Float32Array);
    const fullSeq = full.loadSeries('train', batched.data);
    const halves = laneSplit(B).map(({ offset, lanes }) => {
      const kernel = new FusedKernel(net.arch, lanes, opts.bptt);
      kernel.setLaneSplit(B, offset);
      kernel.load(net.params.dataSync() as Float32Array);
      const part = new Float32Array(steps * lanes * C);
      for (let t = 0; t < steps; t++) part.set(batched.data.subarray((t * B + offset) * C, (t * B + offset + lanes) * C), t * lanes * C);
      return { kernel, seq: kernel.loadSeries('train', part) };
    });
    for (let w = 0; w < 3; w++) {
      const window = batched.windows[w]!;
      const seed = mixSeed(net.seed, w);
      const terms = full.lossAndGrad(fullSeq, window.start, window.length, opts.dropout, seed);
      const parts = halves.map(({ kernel, seq }) => ({ terms: kernel.lossAndGrad(seq, window.start, window.length, opts.dropout, seed), grad: kernel.grad.slice() }));
      expect(relError(parts[0]!.terms.map((t, i) => t + parts[1]!.terms[i]!), terms), `terms w${w}`).toBeLessThan(TOLERANCE);
      expect(relError(parts[0]!.grad.map((g, i) => g + parts[1]!.grad[i]!), full.grad), `grad w${w}`).toBeLessThan(TOLERANCE);
    }
    net.dispose();
  });
});

describe('fused engine, threads: 2 == threads: 1', () => {
  const CASES: [CellType, 'torch' | 'counter'][] = [['LSTM', 'torch'], ['GRU', 'counter']];
  for (const [cell, rng] of CASES) {
    it(`${cell}, rng ${rng}: losses, weights and Adam moments after 6 training windows (dropout 0.2, residual, clip), then validation terms`, async () => {
      const { net, batched, opts, adam } = setup({ cell, rng });
      const one = new FusedKernel(net.arch, opts.batch_size, opts.bptt);
      const two = new ThreadedKernel(net.arch, opts.batch_size, opts.bptt, net.size);
      try {
        for (const k of [one, two]) k.load(net.params.dataSync() as Float32Array);
        if (rng === 'torch') for (const k of [one, two]) k.setTorchStream(new TorchGenerator(31).state());
        const seqOne = one.loadSeries('train', batched.data);
        const seqTwo = two.loadSeries('train', batched.data);
        one.resetState();
        two.resetState();
        for (let w = 0; w < 6; w++) {
          const window = batched.windows[w]!;
          const seed = mixSeed(net.seed, w);
          const a = one.trainWindow(seqOne, window.start, window.length, opts.dropout, seed, adam, w + 1);
          const b = two.trainWindow(seqTwo, window.start, window.length, opts.dropout, seed, adam, w + 1);
          expect(relError(b, a), `terms w${w}`).toBeLessThan(TOLERANCE);
        }
        if (rng === 'torch') expect([...two.torchState], 'generator state').toEqual([...one.torchState]);
        expect(relError(two.params, one.params), 'params').toBeLessThan(TOLERANCE);
        expect(relError(two.m, one.m), 'adam m').toBeLessThan(TOLERANCE);
        expect(relError(two.v, one.v), 'adam v').toBeLessThan(TOLERANCE);
        // Eval mode over the same windows, state from zeros.
        one.resetState();
        two.resetState();
        for (const window of batched.windows.slice(0, 3)) {
          expect(relError(two.evalWindow(seqTwo, window.start, window.length), one.evalWindow(seqOne, window.start, window.length)), 'eval terms').toBeLessThan(TOLERANCE);
        }
      } finally {
        await two.dispose();
        net.dispose();
      }
      expect(two.liveThreads).toEqual([]);
    });
  }

  it('a failing worker raises an error (no hang) and the kernel is disposed', async () => {
    const { net, opts, adam } = setup({ cell: 'LSTM' });
    const kernel = new ThreadedKernel(net.arch, opts.batch_size, opts.bptt, net.size);
    kernel.load(net.params.dataSync() as Float32Array);
    expect(() => kernel.trainWindow(99, 0, 5, 0.2, 1, adam, 1)).toThrow(/worker failed/);
    expect(() => kernel.resetState()).toThrow(/after dispose/);
    await kernel.dispose();
    expect(kernel.liveThreads).toEqual([]);
    net.dispose();
  });

  it('predictor: the same epoch reports and weights as threads: 1, deterministic; workers end on dispose', async () => {
    const { train, test } = syntheticSplits();
    const run = async (threads: 1 | 2) => {
      const services = testServices();
      const predictor = await createPredictor({ ...TINY, dropout: 0.2, threads }, 1, 1111, services);
      const { context, reports } = trainContext(2, services);
      await predictor.train({ train, validation: test }, context);
      return { predictor, reports };
    };
    const single = await run(1);
    const dual = await run(2);
    const again = await run(2);
    const losses = (reports: typeof single.reports) => reports.map((r) => [r.train, r.validation]);
    expect(losses(again.reports)).toEqual(losses(dual.reports));
    expect(dual.reports).toHaveLength(2);
    for (const [i, report] of dual.reports.entries()) {
      const ref = single.reports[i]!;
      for (const key of Object.keys(ref.train)) {
        expect(Math.abs(report.train[key]! - ref.train[key]!) / Math.abs(ref.train[key]!), `train ${key}`).toBeLessThan(TOLERANCE);
        expect(Math.abs(report.validation![key]! - ref.validation![key]!) / Math.abs(ref.validation![key]!), `validation ${key}`).toBeLessThan(TOLERANCE);
      }
    }
    expect(relError(dual.predictor.net.params.dataSync(), single.predictor.net.params.dataSync())).toBeLessThan(TOLERANCE);
    expect(relError(dual.predictor.net.adam.m.dataSync(), single.predictor.net.adam.m.dataSync())).toBeLessThan(TOLERANCE);
    expect(dual.predictor.net.adam.step).toBe(single.predictor.net.adam.step);
    const kernel = dual.predictor.fused!.threadedKernel!;
    expect(kernel.liveThreads).toHaveLength(2);
    const exited = dual.predictor.fused!.dispose();
    for (const r of [single, dual, again]) r.predictor.dispose();
    await exited;
    expect(kernel.liveThreads).toEqual([]);
    expect(dual.predictor.fused!.threadedKernel).toBeUndefined();
  });
});

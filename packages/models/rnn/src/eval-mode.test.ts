// "Must show": dropout is off in evaluation. A model configured with dropout 0.5 gives
// deterministic forecasts and validation losses equal to the same weights' with dropout 0,
// on both engines, while its training-mode losses differ (masks on).
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@anomalab/core';
import { loadTensorRuntime } from '@anomalab/tfjs';
import { augment, channelStd } from './augment.ts';
import { resolveOptions } from './config.ts';
import { counterMaskValues, windowMasks } from './dropout.ts';
import { FusedEngine } from './fused/engine.ts';
import { validateFused } from './fused/train.ts';
import { RnnNetwork } from './network.ts';
import { weightViews, windowLoss, zeroState } from './rnn-model.ts';
import { upload, windowTensors } from './train-loop.ts';
import { createPredictor, syntheticSplits, testServices, TINY, trainContext } from './test-support.ts';

const { tf, backend } = await loadTensorRuntime();
const { train, test } = syntheticSplits();

for (const engine of ['tfjs', 'fused'] as const) {
  describe(`dropout off in evaluation (engine ${engine})`, () => {
    it('forecasts: dropout 0.5 (after a training epoch with dropout) is deterministic and equals dropout 0 with the same weights', async () => {
      const trained = await createPredictor({ ...TINY, dropout: 0.5, engine }, 1);
      const services = testServices();
      await trained.train({ train, validation: test }, trainContext(1, services).context);
      const plain = await createPredictor({ ...TINY, dropout: 0, engine }, 1);
      await plain.setState(await trained.getState());

      const a = await trained.forecast(test, 5);
      const b = await trained.forecast(test, 5);
      const c = await plain.forecast(test, 5);
      expect(a.values.length).toBe(test.rows * 5);
      expect(a.values.every(Number.isFinite)).toBe(true);
      expect(Array.from(b.values)).toEqual(Array.from(a.values));
      expect(Array.from(c.values)).toEqual(Array.from(a.values));
      trained.dispose();
      plain.dispose();
    });

    it('validation loss: dropout 0.5 equals dropout 0 for the same weights; training loss differs', async () => {
      // lr 1e-30: Adam moves each weight by ~1e-30, below float32 resolution of the weights
      // (only the zero-initialised decoder bias becomes ~1e-30), so both runs validate the
      // same (initial) weights after their training epoch.
      const run = async (dropout: number) => {
        const services = testServices();
        // rng: counter: the weights before train() are the ones it starts from (rng: torch draws
        // them when training starts); the stream does not matter for what is tested here.
        const predictor = await createPredictor({ ...TINY, dropout, lr: 1e-30, weight_decay: 0, engine, rng: 'counter' }, 1, 1111, services);
        const initial = Float32Array.from(predictor.net.params.dataSync());
        const { context, reports } = trainContext(1, services);
        await predictor.train({ train, validation: test }, context);
        const after = predictor.net.params.dataSync();
        const drift = Math.max(...Array.from(after, (v, i) => Math.abs(v - initial[i]!)));
        predictor.dispose();
        return { report: reports[0]!, drift };
      };
      const withDropout = await run(0.5);
      const without = await run(0);
      expect(withDropout.drift).toBeLessThan(1e-20);
      expect(without.drift).toBeLessThan(1e-20);
      const v5 = withDropout.report.validation!;
      const v0 = without.report.validation!;
      for (const key of ['loss', 'free_running', 'teacher_forcing', 'hidden']) {
        expect(Math.abs(v5[key]! - v0[key]!) / v0[key]!, `validation ${key}`).toBeLessThan(1e-6);
      }
      // Training mode applies the masks: a clearly different training loss.
      expect(Math.abs(withDropout.report.train.loss! - without.report.train.loss!) / without.report.train.loss!).toBeGreaterThan(0.01);
    });
  });
}

describe('dropout off in evaluation: the loss functions both engines validate with', () => {
  // Masks from explicit counter seeds (the stream does not matter here; fused.test.ts covers rng: torch).
  const options = resolveOptions({ ...TINY, dropout: 0.5, bptt: 10, rng: 'counter' });
  const net = new RnnNetwork(tf, backend, options, 1, 1111);
  const batched = upload(net, augment(train, channelStd(train), options.noise, options.augment_length, new SeededRandom(5).fork('eval')), options.batch_size, 'validation');
  const window = batched.windows[0]!;
  const widths = [options.embedding, ...Array<number>(options.layers).fill(options.hidden)];

  it('tfjs windowLoss: eval mode (no masks) is repeatable; masks of different seeds give different losses', () => {
    const { inputs, targets, dispose } = windowTensors(net, batched, window);
    const loss = (seed?: number) => tf.tidy(() => {
      const masks = seed === undefined ? undefined : windowMasks(tf, counterMaskValues(0.5, inputs.length * 2 * options.batch_size * widths.reduce((a, b) => a + b, 0), seed), inputs.length, 2 * options.batch_size, widths);
      const r = windowLoss(tf, net.arch, weightViews(tf, net.arch, net.params), inputs, targets, zeroState(tf, net.arch, options.batch_size), masks?.perStep, net.detach);
      const terms = Array.from(r.terms.dataSync());
      masks?.dispose();
      return terms;
    });
    const evalA = loss();
    expect(loss()).toEqual(evalA);
    const trainA = loss(1);
    const trainB = loss(2);
    expect(Math.abs(trainA[0]! - evalA[0]!) / evalA[0]!).toBeGreaterThan(1e-3);
    expect(Math.abs(trainB[0]! - trainA[0]!) / trainA[0]!).toBeGreaterThan(1e-3);
    dispose();
  });

  it('fused: evalWindow == lossAndGrad with dropout 0, != with dropout 0.5; validateFused is repeatable', () => {
    const fused = new FusedEngine(net);
    fused.syncIn();
    const kernel = fused.kernel();
    const seq = kernel.loadSeries('validation', batched.data);
    const run = (f: () => Float64Array) => {
      kernel.resetState();
      return Array.from(f());
    };
    const evalTerms = run(() => kernel.evalWindow(seq, window.start, window.length));
    expect(run(() => kernel.lossAndGrad(seq, window.start, window.length, 0, 7))).toEqual(evalTerms);
    const dropped = run(() => kernel.lossAndGrad(seq, window.start, window.length, 0.5, 7));
    expect(Math.abs(dropped[0]! - evalTerms[0]!) / evalTerms[0]!).toBeGreaterThan(1e-3);
    const first = validateFused(fused, seq, batched);
    expect(validateFused(fused, seq, batched)).toEqual(first);
    expect(first.loss).toBeGreaterThan(0);
  });
});


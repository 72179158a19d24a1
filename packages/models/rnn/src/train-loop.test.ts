import { describe, expect, it } from 'vitest';
import { loadTensorRuntime } from '@anomalab/tfjs';
import type { CellType } from './config.ts';
import { createPredictor, syntheticSplits, testServices, trainContext, TINY } from './test-support.ts';
import { parameterCount } from './rnn-model.ts';

const { train, test } = syntheticSplits();

describe('rnn training (tfjs)', () => {
  it('reduces the loss on a learnable sine and reports every term', async () => {
    const services = testServices();
    // This suite tests the tfjs reference path; the fused engine has its own in src/fused/.
    // Seed 1112: with rng: torch, seed 1111's TINY network sits on the loss plateau for the
    // first epochs (2.01, 2.01, 2.01), as some of the original's seeds do.
    const predictor = await createPredictor({ ...TINY, engine: 'tfjs' }, 1, 1112, services);
    const { context, reports } = trainContext(3, services);
    const result = await predictor.train({ train, validation: test }, context);
    expect(result).toEqual({ epochs: 3, interrupted: false });
    expect(reports.map((r) => r.epoch)).toEqual([1, 2, 3]);
    for (const r of reports) {
      expect(Object.keys(r.train).sort()).toEqual(['free_running', 'hidden', 'loss', 'teacher_forcing']);
      expect(Object.keys(r.validation!).sort()).toEqual(['free_running', 'hidden', 'loss', 'teacher_forcing']);
      expect(r.train.loss).toBeCloseTo(r.train.free_running! + r.train.teacher_forcing! + r.train.hidden!, 10);
    }
    expect(reports[2]!.train.loss).toBeLessThan(reports[0]!.train.loss! * 0.95);
    expect(reports[2]!.validation!.loss).toBeLessThan(reports[0]!.validation!.loss!);
    expect(services.lines.filter((l) => l.startsWith('| end of epoch'))).toHaveLength(3);
    expect(services.lines[0]).toMatch(/^\| end of epoch {3}1 \| time: +\d+\.\d\ds \| valid loss +\d+\.\d{4} \|$/);
    expect(predictor.describe()).toEqual({ engine: `tfjs-${(await loadTensorRuntime()).backend}`, parameters: parameterCount(predictor.net.arch) });
    predictor.dispose();
  });

  it('is deterministic: same seed and config give the identical loss sequence; another seed differs', async () => {
    const run = async (seed: number) => {
      const services = testServices(seed);
      const predictor = await createPredictor(TINY, 1, seed, services);
      const { context, reports } = trainContext(2, services);
      await predictor.train({ train, validation: test }, context);
      predictor.dispose();
      return reports.map((r) => [r.train, r.validation]);
    };
    const a = await run(1111);
    expect(await run(1111)).toEqual(a);
    expect(await run(1112)).not.toEqual(a);
  });

  it('runs every cell type, residual and E != H (with the PyTorch parameter counts)', async () => {
    const gates: Record<CellType, number> = { LSTM: 4, GRU: 3, RNN_TANH: 1, RNN_RELU: 1 };
    const [E, H, C] = [6, 5, 2];
    const two = syntheticSplits(600, C);
    for (const cell of Object.keys(gates) as CellType[]) {
      for (const residual of [false, true]) {
        const services = testServices();
        const predictor = await createPredictor({ ...TINY, augment_length: 640, cell, residual, embedding: E, hidden: H }, C, 1111, services);
        const G = gates[cell];
        // encoder + 2 layers (PyTorch: W_ih, W_hh, b_ih, b_hh) + decoder
        expect(predictor.net.size).toBe(C * E + E + (G * H * (E + H) + 2 * G * H) + (G * H * (H + H) + 2 * G * H) + H * C + C);
        const { context, reports } = trainContext(1, services);
        await predictor.train({ train: two.train, validation: two.test }, context);
        expect(Number.isFinite(reports[0]!.train.loss), `${cell} residual=${residual}`).toBe(true);
        const forecast = await predictor.forecast(two.test, 3);
        expect(forecast.values).toHaveLength(two.test.rows * 3 * C);
        expect(forecast.values.every(Number.isFinite)).toBe(true);
        predictor.dispose();
      }
    }
  });

  it('keeps the number of tensors flat over epochs and frees everything on dispose', async () => {
    const { tf } = await loadTensorRuntime();
    const before = tf.memory().numTensors;
    const services = testServices();
    const predictor = await createPredictor(TINY, 1, 1111, services);
    const counts: number[] = [];
    const { context } = trainContext(3, services, 0, () => counts.push(tf.memory().numTensors));
    await predictor.train({ train, validation: test }, context);
    expect(new Set(counts).size, counts.join(',')).toBe(1);
    const afterTrain = tf.memory().numTensors;
    await predictor.forecast(test, 4);
    expect(tf.memory().numTensors).toBe(afterTrain);
    await predictor.getState();
    predictor.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops promptly after the current window when the signal is aborted', async () => {
    const services = testServices();
    // 4000 rows / 16 lanes / bptt 10: 25 windows per epoch; abort at the first batch log line (window 10).
    const predictor = await createPredictor({ ...TINY, augment_length: 4000, bptt: 10 }, 1, 1111, services);
    const { context, reports, controller } = trainContext(5, services);
    const info = services.logger.info;
    services.logger.info = (message) => {
      info(message);
      if (message.includes('batches') && !controller.signal.aborted) {
        controller.abort();
      }
    };
    const result = await predictor.train({ train, validation: test }, context);
    expect(result).toEqual({ epochs: 0, interrupted: true });
    expect(reports).toHaveLength(0);
    expect(services.lines.filter((l) => l.includes('batches'))).toEqual([expect.stringMatching(/^\| epoch {3}1 \| {4}10\/ {3}25 batches \| ms\/batch +\d+\.\d\d \| loss +\d+\.\d\d$/)]);
    expect(predictor.net.adam.step).toBe(11); // windows 0..10: stopped right after the aborting window
    // Aborting between epochs reports the completed ones.
    const again = trainContext(5, services, 0, () => again.controller.abort());
    expect(await predictor.train({ train, validation: test }, again.context)).toEqual({ epochs: 1, interrupted: true });
    predictor.dispose();
  });
});

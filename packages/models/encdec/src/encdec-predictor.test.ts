import { afterAll, describe, expect, it } from 'vitest';
import { AnomalabError, type EpochReport } from '@anomalab/core';
import { loadTensorRuntime } from '@anomalab/tfjs';
import { createTestServices, makeTempDir, standardizedConformanceData } from '@anomalab/core/testing';
import { resolveOptions, type EncDecOptions } from './config.ts';
import type { EncDecPredictor } from './encdec-predictor.ts';
import { encdecModel } from './index.ts';
import { encodeDecode } from './network.ts';
import { weightViews } from './parameters.ts';

const temp = makeTempDir('anomalab-encdec-');
afterAll(() => temp.cleanup());

const TINY: Partial<EncDecOptions> = { window_length: 10, hidden: 8, batch_size: 16, stride: 2, lr: 0.01 };
const data = standardizedConformanceData({ trainRows: 300, testRows: 120, channels: 2 });

async function create(options: Partial<EncDecOptions> = TINY, seed = 1) {
  const services = createTestServices(temp.dir, seed);
  const predictor = (await encdecModel.create({ channels: 2, options: resolveOptions(options), training: { epochs: 1, save_interval: 1 }, seed, services })) as EncDecPredictor;
  return { predictor, services };
}

async function train(predictor: EncDecPredictor, services: ReturnType<typeof createTestServices>, epochs: number) {
  const reports: EpochReport[] = [];
  await predictor.train({ train: data.train, validation: data.test }, { training: { epochs, save_interval: 1 }, services, signal: new AbortController().signal, startEpoch: 0, onEpochEnd: async (r) => void reports.push(r) });
  return reports;
}

describe('encdec predictor', () => {
  it('learns to reconstruct: train and validation loss fall, one log line per epoch', async () => {
    const { predictor, services } = await create();
    const reports = await train(predictor, services, 6);
    expect(reports.at(-1)!.train.loss).toBeLessThan(reports[0]!.train.loss * 0.8);
    expect(reports.at(-1)!.validation!.loss).toBeLessThan(reports[0]!.validation!.loss);
    expect(services.lines.filter((l) => l.startsWith('| end of epoch'))).toHaveLength(6);
    predictor.dispose();
  });

  it('decodes in reverse order: teacher forcing feeds x_p to emit x\'_{p-1}, inference feeds its own output', async () => {
    const { tf } = await loadTensorRuntime();
    const { predictor } = await create({ ...TINY, window_length: 3 });
    const steps = [0, 1, 2].map((p) => tf.fill([1, 2], p + 1) as import('@tensorflow/tfjs').Tensor2D);
    const [teacher, free] = tf.tidy(() => {
      const w = weightViews(tf, predictor.net.arch, predictor.net.params);
      return [tf.concat(encodeDecode(tf, w, steps, true)), tf.concat(encodeDecode(tf, w, steps, false))];
    });
    // The first emitted row (x'_{L-1}) depends only on the encoder: identical in both modes.
    const [a, b] = [teacher!.arraySync() as number[][], free!.arraySync() as number[][]];
    expect(a[0]).toEqual(b[0]);
    expect(a[1]).not.toEqual(b[1]);
    tf.dispose([teacher!, free!, ...steps]);
    predictor.dispose();
  });

  it('does not leak tensors in train, errors, getState/setState', async () => {
    const { tf } = await loadTensorRuntime();
    const { predictor, services } = await create();
    await train(predictor, services, 1);
    const before = tf.memory().numTensors;
    await train(predictor, services, 1);
    await predictor.errors(data.test, 5);
    await predictor.setState(await predictor.getState());
    expect(tf.memory().numTensors).toBe(before);
    predictor.dispose();
  });

  it('refuses a detector window longer than the model window, and splits shorter than a window', async () => {
    const { predictor } = await create();
    await expect(predictor.errors(data.test, 11)).rejects.toThrow(/detector.window 11 is larger than model.options.window_length 10/);
    await expect(predictor.errors({ rows: 5, channels: 2, values: new Float32Array(10) }, 3)).rejects.toBeInstanceOf(AnomalabError);
    predictor.dispose();
  });

  it('refuses a checkpoint of another architecture', async () => {
    const { predictor } = await create();
    const { predictor: other } = await create({ ...TINY, hidden: 4 });
    await expect(other.setState(await predictor.getState())).rejects.toThrow(/architecture/);
    predictor.dispose();
    other.dispose();
  });
});

import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from '@anomalab/core';
import { createPredictor, syntheticSplits, testServices, trainContext, TINY } from './test-support.ts';

const { train, test } = syntheticSplits();

describe('rnn predictor state', () => {
  it('round-trips through a checkpoint: a fresh predictor gives identical forecasts', async () => {
    const services = testServices();
    const a = await createPredictor(TINY, 1, 1111, services);
    await a.train({ train, validation: test }, trainContext(1, services).context);
    const state = await a.getState();
    expect(state.format).toBe('rnn/1');
    expect(state.json.step).toBe(a.net.adam.step);
    expect(state.tensors['weights/encoder.weight']!.shape).toEqual([1, TINY.embedding]);
    expect(state.tensors['adam_m/rnn.1.weight_hh']!.shape).toEqual([TINY.hidden, 4 * TINY.hidden!]);
    expect(Object.values(state.tensors).every((t) => t.data instanceof Float32Array)).toBe(true);
    // Through the core's checkpoint encoding, as written to disk.
    const restoredState = decodeCheckpoint(encodeCheckpoint({ epoch: 1, bestValidationLoss: null, config: {}, predictor: state, savedAt: '' }), 'test').predictor;
    const b = await createPredictor(TINY, 1, 4242, testServices(4242));
    await b.setState(restoredState);
    expect((await b.forecast(test, 5)).values).toEqual((await a.forecast(test, 5)).values);
    expect(await b.getState()).toEqual(state);
    a.dispose();
    b.dispose();
  });

  it('resuming from a checkpoint continues with the same losses as an uninterrupted run', async () => {
    const servicesA = testServices();
    const a = await createPredictor(TINY, 1, 1111, servicesA);
    const full = trainContext(3, servicesA);
    await a.train({ train, validation: test }, full.context);

    const servicesB = testServices();
    const b = await createPredictor(TINY, 1, 1111, servicesB);
    await b.train({ train, validation: test }, trainContext(1, servicesB).context);
    const saved = await b.getState();
    b.dispose();
    const servicesC = testServices();
    const c = await createPredictor(TINY, 1, 1111, servicesC);
    await c.setState(saved);
    const resumed = trainContext(3, servicesC, 1);
    expect(await c.train({ train, validation: test }, resumed.context)).toEqual({ epochs: 3, interrupted: false });
    expect(resumed.reports.map((r) => [r.epoch, r.train, r.validation])).toEqual(full.reports.slice(1).map((r) => [r.epoch, r.train, r.validation]));
    a.dispose();
    c.dispose();
  });

  it('refuses checkpoints of another format or architecture', async () => {
    const a = await createPredictor(TINY, 1);
    const state = await a.getState();
    await expect(a.setState({ ...state, format: 'baselines/1' })).rejects.toThrow(/not an rnn checkpoint/);
    const other = await createPredictor({ ...TINY, hidden: 9 }, 1);
    await expect(other.setState(state)).rejects.toThrow(/architecture/);
    a.dispose();
    other.dispose();
  });
});

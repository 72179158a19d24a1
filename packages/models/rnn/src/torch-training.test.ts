// rng: torch at the start of training: the draws the original makes before its first window
// (noise of the train split, of the test split, then the initial weights), and the checkpoint
// rules that keep a run on the stream it started with.
import { describe, expect, it } from 'vitest';
import { architectureOf } from './architecture.ts';
import { channelStd } from './augment.ts';
import { resolveOptions, type RnnOptions } from './config.ts';
import { createPredictor, syntheticSplits, testServices, TINY, trainContext } from './test-support.ts';
import { torchInitialDraws, torchInitialParameters } from './torch-init.ts';
import { randnDraws, TorchGenerator } from './torch-random.ts';
import { prepareTrainingData } from './train-loop.ts';

const { train, test } = syntheticSplits(600, 2);
const data = { train, validation: test };
const SEED = 4321;

async function prepared(options: Partial<RnnOptions>) {
  const predictor = await createPredictor({ ...TINY, ...options }, 2, SEED);
  const placeholder = Float32Array.from(predictor.net.params.dataSync());
  const batches = prepareTrainingData(predictor.net, data);
  return { predictor, placeholder, batches, params: Float32Array.from(predictor.net.params.dataSync()) };
}

describe('rng: torch, the start of training', () => {
  const arch = architectureOf(resolveOptions(TINY), 2);

  it("draws the noise of both splits, then the original's initial weights, and starts the mask stream after them", async () => {
    const { predictor, placeholder, batches, params } = await prepared({});
    const g = new TorchGenerator(SEED);
    const noise = g.randn(train.rows * 2);
    g.skip(randnDraws(test.rows * 2));
    const expected = torchInitialParameters(arch, g);
    expect([...params]).toEqual([...expected]);
    expect([...placeholder]).not.toEqual([...expected]);
    expect([...predictor.net.torchState!]).toEqual([...g.state()]);
    // The first noisy copy (rows train.rows.. of the augmented split, before batchify) is the split plus 0.05 x std x the torch draw.
    const std = channelStd(train);
    const lanes = TINY.batch_size!;
    const steps = batches.train.steps;
    const augmentedRow = (r: number, c: number) => batches.train.data[((r % steps) * lanes + Math.floor(r / steps)) * 2 + c]!;
    for (const r of [0, 1, 57, train.rows - 1])
      for (const c of [0, 1]) expect(augmentedRow(train.rows + r, c)).toBe(Math.fround(train.values[r * 2 + c]! + 0.05 * std[c]! * noise[r * 2 + c]!));
    predictor.dispose();
  });

  it('noise_mode: fresh keeps the same weights and mask stream (the noise draws are passed over)', async () => {
    const reference = await prepared({});
    const fresh = await prepared({ noise_mode: 'fresh' });
    expect([...fresh.params]).toEqual([...reference.params]);
    expect([...fresh.predictor.net.torchState!]).toEqual([...reference.predictor.net.torchState!]);
    expect([...fresh.batches.train.data.slice(0, 4000)]).not.toEqual([...reference.batches.train.data.slice(0, 4000)]);
    reference.predictor.dispose();
    fresh.predictor.dispose();
  });

  it('keeps weights given with setState and passes over the initial draws', async () => {
    const predictor = await createPredictor(TINY, 2, SEED);
    const state = await predictor.getState();
    // A state of given weights (as the replay's: no torch_init_pending flag).
    expect(state.json.torch_init_pending).toBe(true);
    delete state.json.torch_init_pending;
    state.tensors['weights/decoder.bias'] = { shape: [2], data: Float32Array.of(0.25, -0.5) };
    await predictor.setState(state);
    const given = Float32Array.from(predictor.net.params.dataSync());
    prepareTrainingData(predictor.net, data);
    expect([...predictor.net.params.dataSync()]).toEqual([...given]);
    const g = new TorchGenerator(SEED);
    g.skip(randnDraws(train.rows * 2) + randnDraws(test.rows * 2) + torchInitialDraws(arch));
    expect([...predictor.net.torchState!]).toEqual([...g.state()]);
    predictor.dispose();
  });

  it("an untrained model's state restored into another model trains exactly as the first would", async () => {
    const epoch = async (restoreFrom?: Awaited<ReturnType<typeof createPredictor>>) => {
      const services = testServices(SEED);
      const predictor = await createPredictor(TINY, 2, SEED, services);
      if (restoreFrom) await predictor.setState(await restoreFrom.getState());
      const { context, reports } = trainContext(1, services);
      await predictor.train(data, context);
      predictor.dispose();
      return reports[0]!.train;
    };
    const untrained = await createPredictor(TINY, 2, SEED + 1); // another seed: the state's seed is restored too
    const direct = await epoch();
    expect(await epoch(await createPredictor(TINY, 2, SEED))).toEqual(direct);
    expect(await epoch(untrained)).not.toEqual(direct);
    untrained.dispose();
  });
});

describe('rng: torch checkpoints', () => {
  async function trainedState() {
    const services = testServices(SEED);
    const predictor = await createPredictor(TINY, 2, SEED, services);
    await predictor.train(data, trainContext(1, services).context);
    const state = await predictor.getState();
    predictor.dispose();
    return state;
  }

  it('carry the generator state: a restored model continues the same masks (the same next epoch)', async () => {
    const state = await trainedState();
    expect(state.json.rng).toBe('torch');
    expect((state.json.torch_state as number[]).length).toBe(625);
    const epoch2 = async () => {
      const services = testServices(SEED);
      const predictor = await createPredictor(TINY, 2, SEED, services);
      await predictor.setState(state);
      const { context, reports } = trainContext(1, services);
      await predictor.train(data, context);
      predictor.dispose();
      return reports[0]!.train;
    };
    const a = await epoch2();
    expect(await epoch2()).toEqual(a);
    // Without the generator state the stream cannot be continued: training is refused, not guessed.
    const stripped = { ...state, json: { ...state.json, torch_state: undefined } };
    const predictor = await createPredictor(TINY, 2, SEED);
    await predictor.setState(stripped);
    await expect(predictor.train(data, trainContext(1, testServices(SEED)).context)).rejects.toThrow(/cannot continue at Adam step \d+ without the generator state/);
    predictor.dispose();
  });

  it("load into a model of the other rng (to score), but training from them is refused; a checkpoint from before rng existed continues on the counter stream", async () => {
    const state = await trainedState();
    const counter = await createPredictor({ ...TINY, rng: 'counter' }, 2, SEED);
    await counter.setState(state);
    await expect(counter.train(data, trainContext(1, testServices(SEED)).context)).rejects.toThrow(/continues the rng: torch stream at step \d+, the model is configured with rng: counter/);
    counter.dispose();
    const torch = await createPredictor(TINY, 2, SEED);
    await expect(torch.setState({ ...state, json: { ...state.json, torch_state: [1, 2, 3] } })).rejects.toThrow(/torch_state must be 625 32-bit words/);
    torch.dispose();

    // A counter-stream checkpoint as written before the option existed: no rng, no torch_state.
    const services = testServices(SEED);
    const old = await createPredictor({ ...TINY, rng: 'counter' }, 2, SEED, services);
    await old.train(data, trainContext(1, services).context);
    const oldState = await old.getState();
    delete oldState.json.rng;
    const next = async (options: Partial<RnnOptions>) => {
      const s = testServices(SEED);
      const p = await createPredictor({ ...TINY, ...options }, 2, SEED, s);
      await p.setState(oldState);
      const { context, reports } = trainContext(1, s);
      await p.train(data, context);
      p.dispose();
      return reports[0]!.train;
    };
    expect(await next({})).toEqual(await next({ rng: 'counter' }));
    old.dispose();
  });
});

// Issue 12.8: a run stopped by SIGINT/SIGTERM (the signal the CLI aborts) and resumed must
// equal an uninterrupted one, wherever the signal lands: inside an epoch, or after training.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AnomalabError, FsRunStore, gaussianDetectorPlugin, loadExperiment, PluginRegistry, runExperiment, type ExperimentConfig, type LogEvent } from '@anomalab/core';
import { makeTempDir } from '@anomalab/core/testing';
import datasets from '@anomalab/datasets';
import { findTestMirror } from '@anomalab/datasets/testing';
import { rnnModel } from './index.ts';

const mirror = findTestMirror();
if (mirror.dir) process.env.ANOMALAB_DATA_MIRROR ??= mirror.dir;
const temp = makeTempDir('anomalab-rnn-interrupt-');
afterAll(() => temp.cleanup());

// The real ECG series with a smaller model (E = H = 16); 38400 augmented rows = 12 BPTT windows
// per epoch, so the batch line after window 10 is a point inside an epoch.
const EXPERIMENT = JSON.stringify({
  name: 'interrupt-resume',
  seed: 1111,
  dataset: { name: 'ecg', series: 'chfdb_chf13_45590' },
  model: { name: 'rnn', options: { augment_length: 38400, embedding: 16, hidden: 16, lr: 0.003 } },
  training: { epochs: 3, save_interval: 10 },
  detector: { name: 'gaussian', window: 10 },
});

function registry(): PluginRegistry {
  const r = new PluginRegistry();
  r.register(rnnModel, '@anomalab/model-rnn');
  for (const d of datasets) r.register(d, '@anomalab/datasets');
  r.register(gaussianDetectorPlugin, '@anomalab/core');
  return r;
}

/** One run (or its resumption) in `runs`; `stopWhen` aborts the signal at the first log line it accepts. */
async function run(runs: FsRunStore, options: { resume?: string; stopWhen?: (message: string) => boolean } = {}) {
  const r = registry();
  const { config } = await loadExperiment({ text: EXPERIMENT }, r);
  const controller = new AbortController();
  const listener = (event: LogEvent) => {
    if (event.kind === 'log' && options.stopWhen?.(event.message) && !controller.signal.aborted) controller.abort();
  };
  return runExperiment(r, runs, { config: config as ExperimentConfig, baseDir: temp.dir, quiet: true, resume: options.resume, signal: controller.signal, listener });
}

/** What must be identical: every epoch's losses, the run's metrics, the score series files. */
function outcome(runs: FsRunStore, id: string) {
  const dir = runs.dirOf(id);
  const epochs = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    .filter((r) => r.type === 'epoch')
    .map((r) => ({ epoch: r.epoch, train: r.train, validation: r.validation }));
  const metrics = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')).metrics;
  const series = Object.fromEntries(readdirSync(join(dir, 'series')).map((f) => [f, readFileSync(join(dir, 'series', f)).toString('base64')]));
  return { epochs, metrics, series };
}

async function interruptedThenResumed(name: string, stopWhen: (message: string) => boolean) {
  const runs = new FsRunStore(join(temp.dir, name));
  const error = await run(runs, { stopWhen }).then(() => undefined, (e: unknown) => e);
  expect(error, 'the aborted run must stop').toBeInstanceOf(AnomalabError);
  expect((error as AnomalabError).code).toBe('ANOMALAB_INTERRUPTED');
  const [stopped] = await runs.list();
  expect(stopped!.status).toBe('interrupted');
  const checkpoint = await runs.checkpoints(stopped!.id).load('last');
  const resumed = await run(runs, { resume: stopped!.id });
  expect(resumed.run.status).toBe('completed');
  return { checkpoint, outcome: outcome(runs, stopped!.id) };
}

describe.skipIf(!mirror.dir)('interrupted and resumed runs equal uninterrupted ones (rnn, ECG)', () => {
  let uninterrupted: ReturnType<typeof outcome>;

  it('runs uninterrupted', async () => {
    const runs = new FsRunStore(join(temp.dir, 'uninterrupted'));
    const { run: done } = await run(runs);
    uninterrupted = outcome(runs, done.id);
    expect(uninterrupted.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
  }, 120_000);

  it('stopped inside epoch 2: the checkpoint is the state after epoch 1, the resumed run is bit-identical', async () => {
    const { checkpoint, outcome: resumed } = await interruptedThenResumed('mid-epoch', (m) => /^\| epoch +2 \| +10\//.test(m));
    expect(checkpoint!.epoch).toBe(1);
    // State after epoch 1: 12 Adam steps, not the 23 taken before the signal.
    expect(checkpoint!.predictor.json.step).toBe(12);
    expect(resumed).toEqual(uninterrupted);
  }, 120_000);

  it('stopped after training (while scoring): the run is interrupted, not completed; resuming scores it identically', async () => {
    const { checkpoint, outcome: resumed } = await interruptedThenResumed('after-training', (m) => m.startsWith('prediction errors (train'));
    expect(checkpoint!.epoch).toBe(3);
    expect(resumed).toEqual(uninterrupted);
  }, 120_000);
});

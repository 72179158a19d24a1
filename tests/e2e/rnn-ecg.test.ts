import { describe, expect, it, afterAll } from 'vitest';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@anomalab/core/testing';
import { decodeCheckpoint } from '@anomalab/core';
import { runCli, spawnCli } from './cli-helpers.ts';

const mirror = process.env.ANOMALAB_DATA_MIRROR;
if (!mirror) console.warn('skipping the rnn ECG tests: ANOMALAB_DATA_MIRROR is not set (they train on ecg/chfdb_chf13_45590)');

const temp = makeTempDir('anomalab-rnn-ecg-');
afterAll(() => temp.cleanup());

function records(runDir: string): Record<string, any>[] {
  return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

describe.skipIf(!mirror)('rnn on the real ECG series (experiments/ecg-smoke.yaml)', () => {
  it('trains, its validation loss falls, and it scores both leads', async () => {
    const runs = join(temp.dir, 'smoke');
    const result = await runCli(['experiment', 'experiments/ecg-smoke.yaml', '--runs', runs]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\| end of epoch {3}6 \| time: +\d+\.\d\ds \| valid loss +\d+\.\d{4} \|$/m);
    const [id] = readdirSync(runs);
    const dir = join(runs, id!);
    const epochs = records(dir).filter((r) => r.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    const valid = epochs.map((e) => e.validation.loss as number);
    expect(valid.at(-1)!).toBeLessThan(valid[0]! * 0.9);
    for (const e of epochs) expect(Object.keys(e.train).sort()).toEqual(['free_running', 'hidden', 'loss', 'teacher_forcing']);
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ status: 'completed', dataset: 'ecg/chfdb_chf13_45590', model: 'rnn', backend: 'wasm' });
    for (const channel of ['lead1', 'lead2', 'joint']) {
      expect(run.metrics[channel].aucPr).toBeGreaterThan(0.12); // above the 159/1287 anomaly fraction
      expect(run.metrics[channel].oracle.f1).toBeGreaterThan(0);
    }
  });

  it('resumes a run killed with SIGKILL mid-epoch and trains only the missing epochs', async () => {
    const runs = join(temp.dir, 'killed');
    const child = spawnCli(['experiment', 'experiments/ecg-smoke.yaml', '--runs', runs, '--set', 'training.epochs=400']);
    child.stdout!.resume();
    child.stderr!.resume();
    // Wait for epoch 7 (the checkpoint of epoch 6 exists), then kill hard in the middle of epoch 8.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const [id] = existsSync(runs) ? readdirSync(runs) : [];
        if (id && existsSync(join(runs, id, 'metrics.jsonl')) && records(join(runs, id)).some((r) => r.type === 'epoch' && r.epoch === 7)) {
          clearInterval(timer);
          resolve();
        }
      }, 20);
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const [id] = readdirSync(runs);
    const dir = join(runs, id!);
    const killed = JSON.parse((await runCli(['runs', 'show', id!, '--json', '--runs', runs])).stdout);
    expect(killed.status).toBe('failed');
    expect(killed.error.message).toMatch(/ended without finishing/);
    // Every checkpoint is complete (a write cut short by the kill leaves only a .tmp beside it).
    const checkpointFiles = readdirSync(join(dir, 'checkpoints')).filter((f) => f.endsWith('.ckpt'));
    expect(checkpointFiles).toContain('last.ckpt');
    for (const f of checkpointFiles) expect(decodeCheckpoint(readFileSync(join(dir, 'checkpoints', f)), f).epoch).toBeGreaterThanOrEqual(6);

    const resumed = await runCli(['experiment', '--resume', id!, '--runs', runs, '--set', 'training.epochs=9']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/resuming from the checkpoint of epoch 6/);
    const all = records(dir);
    const restart = all.findIndex((r) => r.type === 'run_started' && r.resumed);
    expect(all.slice(restart).filter((r) => r.type === 'epoch').map((r) => r.epoch)).toEqual([7, 8, 9]);
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'))).toMatchObject({ status: 'completed', resumedCount: 1 });
    // Resuming removed any temp file the kill left behind.
    expect(readdirSync(join(dir, 'checkpoints')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe.skipIf(!mirror)('a diverging run', () => {
  it('stops at the first NaN loss with a clear message, status failed and no NaN checkpoint', async () => {
    const runs = join(temp.dir, 'nan');
    const result = await runCli(['experiment', 'experiments/ecg-smoke.yaml', '--runs', runs, '--set', 'model.options.lr=1e30']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: (train|validation) \w+ is NaN at epoch 1: training diverged \(try a lower learning rate\); no checkpoint had been written yet$/m);
    const [id] = readdirSync(runs);
    const run = JSON.parse(readFileSync(join(runs, id!, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ status: 'failed', error: { code: 'ANOMALAB_TRAINING_DIVERGED' } });
    expect(existsSync(join(runs, id!, 'checkpoints', 'last.ckpt'))).toBe(false);
    expect(records(join(runs, id!)).filter((r) => r.type === 'epoch')).toEqual([]);
  });
});

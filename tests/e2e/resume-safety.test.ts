import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@anomalab/core/testing';
import { runCli, spawnCli } from './cli-helpers.ts';
import { tinyFileSystem } from './fs-faults.ts';

// Issue 12, items 5-7, 10 and 13: resume never lets two processes share a run, never
// rewrites a run's config unless it accepted the resume, never switches a run's data or
// model; broken records are listed, bad data leaves no run behind.
const temp = makeTempDir('anomalab-resume-');
const undo: (() => void)[] = [];
afterAll(() => {
  undo.splice(0).forEach((u) => u());
  temp.cleanup();
});
const epochsOf = (dir: string) =>
  readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'epoch').map((r) => r.epoch as number);

let store: string;
let completed: string; // a completed 1-epoch quickstart run
beforeAll(async () => {
  store = join(temp.dir, 'store');
  const done = await runCli(['experiment', 'experiments/quickstart.yaml', '--runs', store, '--quiet']);
  expect(done.code).toBe(0);
  completed = readdirSync(store)[0]!;
});

describe('resume of a live run (item 5)', () => {
  it('is refused while the process runs; a dead run whose pid was reused is not shown as running', async () => {
    const runs = join(temp.dir, 'live');
    const child = spawnCli(['experiment', 'experiments/quickstart.yaml', '--runs', runs, '--set', 'training.epochs=100000000', '--set', 'training.save_interval=100000000']);
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`training did not start: ${out}`)), 60_000);
      child.stdout!.on('data', (d) => {
        out += d;
        if (/training \(epochs/.test(out)) (clearTimeout(timer), resolve());
      });
    });
    const id = readdirSync(runs)[0]!;
    const dir = join(runs, id);
    const refused = await runCli(['experiment', '--resume', id, '--runs', runs]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`error: run ${id} is still running (pid ${child.pid}): two processes would write one folder`);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const epochs = epochsOf(dir);
    expect(epochs.length).toBeGreaterThan(0);
    expect(epochs).toEqual(epochs.map((_, i) => i + 1)); // one writer: 1, 2, 3, ... once each

    // Its pid now belongs to another live process (this test's): the recorded start time
    // tells them apart, so the run shows as failed rather than running forever.
    const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(record.processStart).toMatch(/^[0-9a-f-]+:\d+$/);
    writeFileSync(join(dir, 'run.json'), JSON.stringify({ ...record, status: 'running', pid: process.pid, processStart: `${record.processStart.split(':')[0]}:1` }));
    const [listed, resumed] = await Promise.all([
      runCli(['runs', 'list', '--json', '--runs', runs]),
      // Accepted past the liveness check; refused only for going back in epochs.
      runCli(['experiment', '--resume', id, '--runs', runs, '--set', 'training.epochs=1']),
    ]);
    expect(JSON.parse(listed.stdout)[0]).toMatchObject({ id, status: 'failed', error: { message: `process ${process.pid} ended without finishing the run (killed?)` } });
    expect(resumed.code).toBe(2);
    expect(resumed.stderr).toContain(`error: run ${id} has already trained ${epochs.at(-1)} epochs: training.epochs 1 would go back`);
  });
});

describe('resume overrides (items 6 and 7)', () => {
  it('refuses changes of data, model, detector and seed by name and leaves config.json untouched', async () => {
    const configFile = join(store, completed, 'config.json');
    const before = readFileSync(configFile, 'utf8');
    const [changes, noEpochs] = await Promise.all([
      runCli(['experiment', '--resume', completed, '--runs', store, ...['dataset.options.length=5000', 'model.options.period=16', 'detector.window=5', 'seed=4', 'training.epochs=3'].flatMap((s) => ['--set', s])]),
      runCli(['experiment', '--resume', completed, '--runs', store]),
    ]);
    expect(changes.code).toBe(2);
    expect(changes.stderr).toContain(`error: cannot change dataset.options.length, model.options.period, detector.window, seed when resuming run ${completed}`);
    expect(changes.stderr).toContain('only training.epochs, training.save_interval, evaluation.*, description may change');
    expect(noEpochs.code).toBe(2);
    expect(noEpochs.stderr).toContain(`error: run ${completed} is completed (1 epochs); to train it further give more epochs: anomalab experiment --resume ${completed} --set training.epochs=11`);
    expect(readFileSync(configFile, 'utf8')).toBe(before);
  });

  it('extends a completed run with more epochs, as the refusal says', async () => {
    const extended = await runCli(['experiment', '--resume', completed, '--runs', store, '--set', 'training.epochs=2', '--quiet']);
    expect(extended.stderr).toBe('');
    expect(extended.code).toBe(0);
    const dir = join(store, completed);
    expect(epochsOf(dir)).toEqual([1, 2]);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).training.epochs).toBe(2);
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'))).toMatchObject({ status: 'completed', resumedCount: 1 });
    expect(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')).scoredEpoch).toBe(2);
  });
});

describe('broken records and bad data (items 10 and 13)', () => {
  it('lists a corrupt run.json as unreadable with the reason', async () => {
    const runs = join(temp.dir, 'corrupt');
    mkdirSync(join(runs, 'broken-run'), { recursive: true });
    writeFileSync(join(runs, 'broken-run', 'run.json'), '{"id": "broken-run", "status": "runn');
    const [table, json] = await Promise.all([runCli(['runs', 'list', '--runs', runs]), runCli(['runs', 'list', '--json', '--runs', runs])]);
    expect(table.stdout).toMatch(/^broken-run +unreadable /m);
    expect(table.stdout).toContain(`unreadable: broken-run: ${join(runs, 'broken-run', 'run.json')} is not valid JSON (`);
    expect(JSON.parse(json.stdout)).toMatchObject([{ id: 'broken-run', status: 'unreadable', error: { code: 'ANOMALAB_RUN_UNREADABLE' } }]);
  });

  it('a full disk at run creation leaves no empty, invisible run folder', async () => {
    const disk = join(temp.dir, 'full');
    undo.push(tinyFileSystem(disk, 8));
    mkdirSync(join(disk, 'runs'));
    writeFileSync(join(disk, 'filler'), Buffer.alloc(8192)); // every byte taken; folders still fit
    const r = await runCli(['experiment', 'experiments/quickstart.yaml', '--runs', join(disk, 'runs')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no space left on the device.*\(ENOSPC\)/);
    expect(readdirSync(join(disk, 'runs'))).toEqual([]);
  });

  it('a CSV the dataset refuses exits 2 and leaves no run folder, like a YAML error', async () => {
    writeFileSync(join(temp.dir, 'bad.csv'), 'a,b\n1,2\n0x10,3\n4,5\n6,7\n');
    const file = join(temp.dir, 'csv-bad.yaml');
    writeFileSync(file, 'name: csv-bad\ndataset:\n  name: csv\n  options:\n    path: bad.csv\nmodel:\n  name: baselines\n');
    const runs = join(temp.dir, 'csv-runs');
    const r = await runCli(['experiment', file, '--runs', runs]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${join(temp.dir, 'bad.csv')}:3: column "a" (#0): expected a number, got "0x10"`);
    expect(existsSync(runs) ? readdirSync(runs) : []).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@anomalab/core/testing';
import { runCli, spawnCli } from './cli-helpers.ts';
import { readOnlyView, tinyFileSystem } from './fs-faults.ts';

// Issue 12: bad input and broken environments get a clear message, the right exit code
// and never a raw stack trace (a stack trace's frames start with "    at ").
const temp = makeTempDir('anomalab-cli-errors-');
const undo: (() => void)[] = [];
afterAll(() => {
  undo.splice(0).reverse().forEach((u) => u());
  temp.cleanup();
});
const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m);

let store: string; // one completed quickstart run, shared by the read-only tests
let runId: string;
beforeAll(async () => {
  store = join(temp.dir, 'store');
  const done = await runCli(['experiment', 'experiments/quickstart.yaml', '--runs', store, '--quiet']);
  expect(done.code).toBe(0);
  runId = readdirSync(store)[0]!;
});

describe('non-finite numbers are refused by validation (item 9)', () => {
  it('refuses .inf, 1e400, .nan and epochs 0 from --set and from the file with file:line:col, before any run folder', async () => {
    const runs = join(temp.dir, 'nonfinite');
    const file = join(temp.dir, 'nonfinite.yaml');
    writeFileSync(file, 'name: nonfinite\nseed: .inf\ndataset:\n  name: synthetic\n  options:\n    length: 1e400\nmodel:\n  name: baselines\n  options:\n    period: .nan\n');
    const sets = ['training.epochs=.inf', 'training.save_interval=1e400', 'seed=.nan', 'model.options.period=-.inf', 'evaluation.beta=.inf', 'detector.window=.nan'];
    const [fromSet, fromFile, zero] = await Promise.all([
      runCli(['experiment', 'experiments/quickstart.yaml', '--runs', runs, ...sets.flatMap((s) => ['--set', s])]),
      runCli(['experiment', file, '--runs', runs]),
      runCli(['experiment', 'experiments/quickstart.yaml', '--runs', runs, '--set', 'training.epochs=0']),
    ]);
    for (const r of [fromSet, fromFile, zero]) {
      expect(r.code).toBe(2);
      noStack(r.stderr);
    }
    // Each reported once (not again as "must be integer, got number null").
    const [heading, ...problems] = fromSet.stderr.trim().split('\n');
    expect(heading).toBe('6 problems in the experiment:');
    expect(problems.sort()).toEqual([
      '--set training.epochs=.inf: training.epochs: must be a finite number, got infinity (.inf, or a number beyond ±1.8e308 such as 1e400)',
      '--set training.save_interval=1e400: training.save_interval: must be a finite number, got infinity (.inf, or a number beyond ±1.8e308 such as 1e400)',
      '--set seed=.nan: seed: must be a finite number, got NaN (.nan)',
      '--set model.options.period=-.inf: model.options.period: must be a finite number, got -infinity (-.inf, or a number beyond ±1.8e308 such as -1e400)',
      '--set evaluation.beta=.inf: evaluation.beta: must be a finite number, got infinity (.inf, or a number beyond ±1.8e308 such as 1e400)',
      '--set detector.window=.nan: detector.window: must be a finite number, got NaN (.nan)',
    ].sort());
    expect(fromFile.stderr).toContain(`${file}:2:7: seed: must be a finite number`);
    expect(fromFile.stderr).toContain(`${file}:6:13: dataset.options.length: must be a finite number`);
    expect(fromFile.stderr).toContain(`${file}:10:13: model.options.period: must be a finite number, got NaN`);
    // training.epochs: 0 would score with untrained weights.
    expect(zero.stderr).toContain('--set training.epochs=0: training.epochs: must be >= 1, got number 0');
    expect(existsSync(runs)).toBe(false);
  });
});

describe('no raw stack traces (item 11)', () => {
  it('a read-only run store: experiment and score name the folder and EROFS', async () => {
    const view = join(temp.dir, 'read-only');
    const ro = readOnlyView(store, view);
    undo.push(ro.undo);
    const [experiment, score] = await Promise.all([
      runCli(['experiment', 'experiments/quickstart.yaml', '--runs', view, '--quiet']),
      runCli(['score', runId, '--series', 'synthetic/sines', '--runs', view]),
    ]);
    for (const r of [experiment, score]) {
      expect(r.code).toBe(1);
      noStack(r.stderr);
    }
    expect(experiment.stderr).toMatch(new RegExp(`^error: cannot mkdir ${view}/\\S+: .*\\(${ro.errno}\\)$`, 'm'));
    // Not the misleading ENOENT of a recursive mkdir.
    expect(score.stderr).toContain(`error: cannot mkdir ${view}/${runId}/scores: `);
    expect(score.stderr).toContain(`(${ro.errno})`);
    expect(readdirSync(view)).toEqual([runId]);
  });

  it('a full disk: a clear ENOSPC message', async () => {
    const disk = join(temp.dir, 'full');
    undo.push(tinyFileSystem(disk, 48));
    const r = await runCli(['experiment', 'experiments/quickstart.yaml', '--runs', disk, '--quiet']);
    expect(r.code).toBe(1);
    noStack(r.stderr);
    expect(r.stderr).toMatch(/no space left on the device.*\(ENOSPC\)/);
  });

  it('billion-laughs YAML is refused as a problem of the file, exit 2', async () => {
    const file = join(temp.dir, 'laughs.yaml');
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${new Array(9).fill(`*${prev}`).join(',')}]`);
    }
    writeFileSync(file, levels.join('\n') + '\n');
    const r = await runCli(['experiment', file, '--runs', join(temp.dir, 'laughs')]);
    expect(r.code).toBe(2);
    noStack(r.stderr);
    expect(r.stderr).toContain(`${file}:1:1: (yaml): cannot expand the document: Excessive alias count`);
  });

  it('a corrupt run.json: runs show and --resume name the file', async () => {
    const runs = join(temp.dir, 'corrupt');
    mkdirSync(join(runs, 'broken-run'), { recursive: true });
    writeFileSync(join(runs, 'broken-run', 'run.json'), '{"id": "broken-run", "status": "runn');
    const [show, resume] = await Promise.all([runCli(['runs', 'show', 'broken-run', '--runs', runs]), runCli(['experiment', '--resume', 'broken-run', '--runs', runs])]);
    for (const r of [show, resume]) {
      expect(r.code).toBe(1);
      noStack(r.stderr);
      expect(r.stderr).toContain(`error: ${join(runs, 'broken-run', 'run.json')} is not valid JSON (`);
    }
  });
});

describe('a closed stdout pipe is not an error (item 12)', () => {
  it('runs show and runs list --json exit 0 without EPIPE when the reader has gone', async () => {
    const outcomes = await Promise.all(
      [['runs', 'show', runId], ['runs', 'list', '--json']].map(
        (args) =>
          new Promise<{ code: number | null; stderr: string }>((resolve) => {
            const child = spawnCli([...args, '--runs', store]);
            // Like `| head -1` having exited: the read end is closed before the CLI writes.
            child.stdout!.destroy();
            let stderr = '';
            child.stderr!.on('data', (d) => (stderr += d));
            child.on('close', (code) => resolve({ code, stderr }));
          }),
      ),
    );
    for (const o of outcomes) expect(o).toEqual({ code: 0, stderr: '' });
  });
});

describe('command-line mistakes: exit 2 and a clear message (item 14)', () => {
  it('refuses each bad argument', async () => {
    const file = join(temp.dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const cases: [string[], RegExp][] = [
      [['runs', 'list', '--runs', file], new RegExp(`^error: --runs ${file} is a file, not a folder`)],
      [['runs', 'list', '--status', 'bogus', '--runs', store], /^error: --status must be one of running, completed, failed, interrupted, unreadable/],
      [['datasets', 'info', 'ecg/nosuch'], /^error: dataset ecg has no series "nosuch"; available: chfdb_chf01_275, /],
      [['experiment', '--resume', ''], /^error: --resume needs a run id/],
      [['experiment', 'experiments/quickstart.yaml', '--parallel', '0'], /^error: --parallel must be a whole number >= 1, got "0"/],
      [['serve', '--port', '99999'], /^error: --port must be a whole number from 0 to 65535, got "99999"/],
      [['serve', '--stream-idle', '0'], /^error: --stream-idle must be a whole number >= 1, got "0"/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(args)));
    results.forEach((r, i) => {
      expect({ args: cases[i]![0], code: r.code }).toEqual({ args: cases[i]![0], code: 2 });
      expect(r.stderr).toMatch(cases[i]![1]);
    });
  });

  it('experiment --json prints only the run record on stdout; the log goes to stderr', async () => {
    const r = await runCli(['experiment', 'experiments/quickstart.yaml', '--runs', join(temp.dir, 'json'), '--json']);
    expect(r.code).toBe(0);
    const record = JSON.parse(r.stdout);
    expect(record).toMatchObject({ status: 'completed', experiment: 'quickstart' });
    expect(r.stderr).toMatch(/^run \S+: quickstart \| synthetic\/sines/m);
  });
});

import { describe, expect, it, afterAll } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@anomalab/core/testing';
import { runCli, spawnCli } from './cli-helpers.ts';

const temp = makeTempDir('anomalab-sweep-');
afterAll(() => temp.cleanup());

/** A fast offline sweep: synthetic series x 2 baseline variants x 2 seeds. */
const offlineSweep = (epochs: number) => `
name: offline-sweep
dataset: { name: synthetic, options: { length: 2000 } }
model: { name: baselines }
training: { epochs: ${epochs}, save_interval: 100000 }
matrix:
  model:
    - { label: naive-last, name: baselines, options: { method: last-value } }
    - { label: seasonal, name: baselines, options: { method: seasonal-naive } }
  seed: [1, 2]
sweep:
  overrides:
    - match: { model.options.method: last-value }
      set: { detector.window: 5 }
`;

describe('matrix experiments (sweeps)', () => {
  it('expands the matrix into runs with deterministic ids, applying per-entry overrides', async () => {
    const file = join(temp.dir, 'sweep.yaml');
    writeFileSync(file, offlineSweep(1));
    const runs = join(temp.dir, 'runs-a');
    const result = await runCli(['experiment', file, '--runs', runs]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const id = /sweep (offline-sweep-[0-9a-f]{8}): 4 runs \(model x seed\), 1 at a time/.exec(result.stdout)![1]!;
    expect(readdirSync(runs).filter((d) => d !== '_sweeps').sort()).toEqual([`${id}-1`, `${id}-2`, `${id}-3`, `${id}-4`]);
    const configs = [1, 2, 3, 4].map((i) => JSON.parse(readFileSync(join(runs, `${id}-${i}`, 'config.json'), 'utf8')));
    expect(configs.map((c) => [c.model.options.method, c.seed, c.detector.window])).toEqual([
      ['last-value', 1, 5],
      ['last-value', 2, 5],
      ['seasonal-naive', 1, 10],
      ['seasonal-naive', 2, 10],
    ]);
    const records = [1, 2, 3, 4].map((i) => JSON.parse(readFileSync(join(runs, `${id}-${i}`, 'run.json'), 'utf8')));
    expect(records.every((r) => r.status === 'completed' && r.sweep === id)).toBe(true);
    const manifest = JSON.parse(readFileSync(join(runs, '_sweeps', id, 'sweep.json'), 'utf8'));
    expect(manifest.entries.map((e: { labels: Record<string, string> }) => e.labels)).toEqual([
      { model: 'naive-last', seed: '1' },
      { model: 'naive-last', seed: '2' },
      { model: 'seasonal', seed: '1' },
      { model: 'seasonal', seed: '2' },
    ]);
    // Running the same command again redoes nothing.
    const again = await runCli(['experiment', file, '--runs', runs]);
    expect(again.code).toBe(0);
    expect(again.stdout.match(/already completed: skipped/g)).toHaveLength(4);
  });

  it('reports an invalid entry anywhere in the matrix before any run starts', async () => {
    const file = join(temp.dir, 'bad-sweep.yaml');
    writeFileSync(
      file,
      `dataset: { name: synthetic }
model: { name: baselines }
matrix:
  model:
    - { name: baselines }
    - { name: baselines, options: { methd: last-value } }
  seed: [1, -2]
`,
    );
    const runs = join(temp.dir, 'runs-bad');
    const result = await runCli(['experiment', file, '--runs', runs]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe('4 problems in the experiment:');
    expect(lines.slice(1)).toEqual([
      `${file} [run 2/4: baselines x -2]: seed: must be >= 0, got number -2`,
      `${file} [run 3/4: baselines x 1]: model.options.methd: unknown key "methd"; did you mean "method"?`,
      `${file} [run 4/4: baselines x -2]: model.options.methd: unknown key "methd"; did you mean "method"?`,
      `${file} [run 4/4: baselines x -2]: seed: must be >= 0, got number -2`,
    ]);
    expect(existsSync(runs)).toBe(false);
  });

  it('finishes a killed sweep when the same command is run again, without redoing finished runs', async () => {
    const file = join(temp.dir, 'long-sweep.yaml');
    writeFileSync(file, offlineSweep(300));
    const runs = join(temp.dir, 'runs-kill');
    // Let run 1 finish and run 2 train for a while, then SIGINT the sweep.
    const child = spawnCli(['experiment', file, '--runs', runs]);
    let out = '';
    child.stderr!.on('data', () => undefined);
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (d) => {
        out += d;
        if (/\[2\/4\] \| end of epoch {2}20 /.test(out)) resolve();
      });
    });
    child.kill('SIGINT');
    expect(await new Promise((r) => child.on('close', r))).toBe(130);
    const id = /sweep (offline-sweep-[0-9a-f]{8})/.exec(out)![1]!;
    const status = (i: number) => JSON.parse(readFileSync(join(runs, `${id}-${i}`, 'run.json'), 'utf8'));
    expect(status(1).status).toBe('completed');
    expect(status(2).status).toBe('interrupted');
    expect(existsSync(join(runs, `${id}-3`))).toBe(false);
    const firstEnded = status(1).endedAt;

    const again = await runCli(['experiment', file, '--runs', runs]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`\\[1/4\\] ${id}-1 already completed: skipped`));
    expect(again.stdout).toMatch(new RegExp(`\\[2/4\\] resuming ${id}-2`));
    expect(again.stdout).toMatch(/\[2\/4\] resuming from the checkpoint of epoch \d+/);
    expect(again.stdout).toMatch(new RegExp(`\\[3/4\\] starting ${id}-3`));
    expect([1, 2, 3, 4].map((i) => status(i).status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(status(1).endedAt).toBe(firstEnded); // not redone
    expect(status(2).resumedCount).toBe(1);
  });
});

const mirror = process.env.ANOMALAB_DATA_MIRROR;
if (!mirror) console.warn('skipping the benchmark-smoke sweep test: ANOMALAB_DATA_MIRROR is not set (it needs the benchmark data)');

describe.skipIf(!mirror)('experiments/benchmark-smoke.yaml and anomalab report', () => {
  it('runs the smoke sweep end to end and reports one row per series x model x channel, plus random rows', async () => {
    const runs = join(temp.dir, 'runs-smoke');
    const result = await runCli(['experiment', 'experiments/benchmark-smoke.yaml', '--runs', runs, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const id = /sweep (benchmark-smoke-[0-9a-f]{8}): 6 runs/.exec(result.stdout)![1]!;

    const report = JSON.parse((await runCli(['report', id, '--runs', runs, '--format', 'json'])).stdout);
    const keys = report.rows.map((r: { series: string; model: string; channel: string }) => `${r.series} ${r.model} ${r.channel}`);
    const expected: string[] = [];
    for (const [series, channels] of [
      ['ecg/chfdb_chf13_45590', ['lead1', 'lead2', 'joint']],
      ['respiration/nprs43', ['value']],
      ['space_shuttle/TEK16', ['value']],
    ] as const) {
      for (const channel of channels) expected.push(`${series} baselines ${channel}`, `${series} rnn-small ${channel}`, `${series} random ${channel}`);
    }
    expect(keys.sort()).toEqual(expected.sort());
    expect(report.missing).toEqual([]);
    for (const row of report.rows) {
      expect(row.seeds).toEqual([1111]);
      for (const metric of ['vus-pr', 'vus-roc', 'auc-pr', 'f1@oracle', 'range-f1@oracle', 'affiliation-f1@oracle']) {
        expect(row.metrics[metric].mean, `${row.series} ${row.model} ${row.channel} ${metric}`).toBeGreaterThan(0);
        expect(row.metrics[metric].mean).toBeLessThanOrEqual(1);
      }
    }
    // Random scores sit near chance: AUC-PR close to the anomaly fraction (TEK16 test: 99 of 951 rows).
    const randomTek = report.rows.find((r: { series: string; model: string }) => r.series === 'space_shuttle/TEK16' && r.model === 'random');
    expect(randomTek.metrics['auc-pr'].mean).toBeGreaterThan(0.05);
    expect(randomTek.metrics['auc-pr'].mean).toBeLessThan(0.2);
    expect(randomTek.metrics['vus-pr'].mean).toBeLessThan(0.35);
    // Ranked by VUS-PR by default: per series and channel the model rows carry ranks 1 and 2 (ties share 1.5),
    // best VUS-PR first, and each model's mean rank over the 5 series x channel groups.
    expect(report.rankBy).toBe('vus-pr');
    expect(report.columns.slice(0, 3)).toEqual(['vus-pr', 'vus-roc', 'auc-pr']);
    const groups = new Map<string, { rank: number; vus: number }[]>();
    for (const r of report.rows.filter((row: { kind: string }) => row.kind === 'model')) {
      groups.set(`${r.series} ${r.channel}`, [...(groups.get(`${r.series} ${r.channel}`) ?? []), { rank: r.rank, vus: r.metrics['vus-pr'].mean }]);
    }
    expect(groups.size).toBe(5);
    for (const [, [first, second]] of groups) {
      expect(first!.rank).toBeLessThanOrEqual(second!.rank);
      expect(first!.vus).toBeGreaterThanOrEqual(second!.vus);
      expect(first!.rank + second!.rank).toBe(3);
    }
    expect(report.ranking.map((r: { model: string }) => r.model).sort()).toEqual(['baselines', 'rnn-small']);
    for (const r of report.ranking) {
      expect(r.n).toBe(5);
      const mine = report.rows.filter((row: { model: string; rank: number | null }) => row.model === r.model && row.rank !== null).map((row: { rank: number }) => row.rank);
      expect(r.meanRank).toBeCloseTo(mine.reduce((a: number, b: number) => a + b, 0) / mine.length, 12);
    }
    // Exactly one best value per series, channel and metric among the models (or a tie).
    const ecgJoint = report.rows.filter((r: { series: string; channel: string; kind: string }) => r.series === 'ecg/chfdb_chf13_45590' && r.channel === 'joint' && r.kind === 'model');
    expect(ecgJoint.filter((r: { best: Record<string, boolean> }) => r.best['auc-pr']).length).toBeGreaterThanOrEqual(1);
    expect(report.protocol.join('\n')).toMatch(/Ranked by VUS-PR[\s\S]*unofficial labels[\s\S]*VUS-PR \/ VUS-ROC[\s\S]*window: period[\s\S]*threshold chosen on the test labels[\s\S]*Epochs: .*rnn-small: 2/);

    const markdown = (await runCli(['report', id, '--runs', runs])).stdout;
    expect(markdown.split('\n').filter((l) => /^\| (ecg|respiration|space_shuttle)\//.test(l)).length).toBe(expected.length);
    expect(markdown).toContain('Ranked by VUS-PR.');
    expect(markdown).toMatch(/## Mean rank by VUS-PR\n\n\| model \| mean rank \| ranked in \|\n\|---\|---\|---\|\n\| (baselines|rnn-small) \| \d\.\d\d \| 5 series x channel \|/);
    // Any metric key ranks (the server's sweep test covers unknown keys).
    const byAuc = (await runCli(['report', id, '--runs', runs, '--format', 'csv', '--rank-by', 'auc-pr'])).stdout.trim().split('\n');
    expect(byAuc).toHaveLength(expected.length + 1);
    const head = byAuc[0]!.split(',');
    for (const line of byAuc.slice(1).map((l) => l.split(','))) {
      if (line[head.indexOf('auc-pr_best')] === '1' && line[head.indexOf('kind')] === 'model') expect(Number(line[head.indexOf('rank')])).toBeLessThanOrEqual(1.5);
    }
  }, 240_000); // six runs that train (rnn 2 epochs) on a shared 2-core machine
});

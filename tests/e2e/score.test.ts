import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@anomalab/core/testing';
import { readSeriesFolder } from '@anomalab/core';
import { runCli } from './cli-helpers.ts';

const temp = makeTempDir('anomalab-score-');
afterAll(() => temp.cleanup());
const runs = join(temp.dir, 'runs');
let id = '';

/** Stderr without warnings about other packages' plugins that fail to load. */
const errors = (stderr: string) => stderr.split('\n').filter((l) => l && !l.startsWith('warning: cannot load plugin')).join('\n');

describe('anomalab score', () => {
  beforeAll(async () => {
    const result = await runCli(['experiment', 'experiments/quickstart.yaml', '--runs', runs, '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    id = readdirSync(runs)[0]!;
  });

  it('reproduces the run when scoring its own series, and scores another generator seed', async () => {
    const run = JSON.parse(readFileSync(join(runs, id, 'run.json'), 'utf8'));
    const same = await runCli(['score', id, '--series', 'synthetic/sines', '--runs', runs, '--json']);
    expect(errors(same.stderr)).toBe('');
    expect(same.code).toBe(0);
    const sameOut = JSON.parse(same.stdout);
    expect(sameOut.dir).toBe(join(runs, id, 'scores', 'synthetic__sines'));
    // Same weights, detector, statistics and thresholds: the same numbers as the run.
    expect(sameOut.metrics.joint.oracle.f1).toBeCloseTo(run.metrics.joint.oracle.f1, 10);
    expect(sameOut.metrics.ch0.aucPr).toBeCloseTo(run.metrics.ch0.aucPr, 10);
    expect(sameOut.metrics.ch1.deployable.threshold).toBe(run.metrics.ch1.deployable.threshold);

    const other = await runCli(['score', id, '--series', 'synthetic/sines', '--set', 'dataset.options.seed=8', '--runs', runs]);
    expect(errors(other.stderr)).toBe('');
    expect(other.code).toBe(0);
    expect(other.stdout).toMatch(/^scoring synthetic\/sines \(test split, 3000 rows\) with run /m);
    expect(other.stdout).toMatch(/^ {2}joint +\d\.\d{3} /m);
    expect(other.stdout).toMatch(/deploy: threshold = max train score of run .* \(no labels of this series used\)/);
    const dir = join(runs, id, 'scores', 'synthetic__sines');
    expect(readdirSync(dir).sort()).toEqual(['log.txt', 'metrics.json', 'results.json', 'series']);
    expect(readdirSync(join(runs, id, 'scores'))).toEqual(['synthetic__sines']); // replaced, no temp folders left
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ format: 'anomalab-results/2', dataset: 'synthetic/sines', labelled: true, scoredWith: { run: id, dataset: 'synthetic/sines' } });
    expect(results.channels[0].metrics.oracle.f1).not.toBeCloseTo(sameOut.metrics.ch0.oracle.f1, 6); // really another series
    const { entries } = await readSeriesFolder(join(dir, 'series'));
    expect(entries.joint!.score).toHaveLength(3000);
  });

  it('scores an unlabelled csv and reports flagged rows only', async () => {
    const csv = join(temp.dir, 'series.csv');
    const rows = Array.from({ length: 400 }, (_, t) => `${Math.sin((2 * Math.PI * t) / 50).toFixed(5)},${Math.cos((2 * Math.PI * t) / 50).toFixed(5)}`);
    writeFileSync(csv, `a,b\n${rows.join('\n')}\n`);
    const result = await runCli(['score', id, '--series', csv, '--runs', runs]);
    expect(errors(result.stderr)).toBe("warn: channel names differ from the run's (a, b vs ch0, ch1): matched by position");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/FLAGGED ROWS/);
    expect(result.stdout).toMatch(/unlabelled: no metrics/);
    const metrics = JSON.parse(readFileSync(join(runs, id, 'scores', 'csv__series.csv', 'metrics.json'), 'utf8'));
    expect(Object.keys(metrics)).toEqual(['a', 'b', 'joint']);
    expect(metrics.a).toMatchObject({ aucPr: null, anomalousRows: null, oracle: { f1: null } });
  });

  it('refuses bad requests with clear messages', async () => {
    const noSeries = await runCli(['score', id, '--runs', runs]);
    expect(noSeries.code).toBe(2);
    expect(noSeries.stderr).toMatch(/--series <dataset>\/<series> is required/);
    const badSet = await runCli(['score', id, '--series', 'synthetic/sines', '--set', 'training.epochs=3', '--runs', runs]);
    expect(badSet.code).toBe(2);
    expect(badSet.stderr).toMatch(/only dataset\.\* can change/);
    const channels = await runCli(['score', id, '--series', 'synthetic/sines', '--set', 'dataset.options.channels=1', '--runs', runs]);
    expect(channels.code).toBe(2); // ANOMALAB_DATA_INVALID: bad input, like a bad experiment
    expect(channels.stderr).toMatch(/has 1 channel\(s\), run .* was trained on 2/);
    expect(existsSync(join(runs, id, 'scores', 'synthetic__sines'))).toBe(true); // the earlier result is intact
    expect(readdirSync(join(runs, id, 'scores')).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

// A matrix-profile run end to end through the CLI on real data: the pipeline's direct-score
// path (no detector), its discords in results.json, and `anomalab score` on another series.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@anomalab/core/testing';
import { findTestMirror } from '@anomalab/datasets/testing';
import { runCli } from './cli-helpers.ts';

const temp = makeTempDir('anomalab-mp-');
afterAll(() => temp.cleanup());
const runs = join(temp.dir, 'runs');
const mirror = findTestMirror();
let id = '';

describe('matrix-profile through the CLI (ecg/chfdb_chf13_45590)', () => {
  beforeAll(async () => {
    if (!mirror.dir) throw new Error(mirror.reason);
    const env = { ANOMALAB_DATA_MIRROR: mirror.dir };
    const result = await runCli(['experiment', 'experiments/ecg-chfdb_chf13_45590.yaml', '--set', 'model.name=matrix-profile', '--set', 'model.options={}', '--set', 'training.epochs=1', '--runs', runs, '--quiet'], env);
    expect(result.code, result.stderr).toBe(0);
    id = readdirSync(runs)[0]!;
  });

  it('scores rows itself: no detector, train self-join threshold, discords on the labelled beat', () => {
    const results = JSON.parse(readFileSync(join(runs, id, 'results.json'), 'utf8'));
    expect(results.detector).toHaveProperty('none');
    expect(results.model.window).toBe(143); // TSB-AD's estimate on this train split
    expect(results.model.join).toBe('train');
    // The top discord of each lead overlaps the labelled anomaly, rows 2800-2960 of the file.
    for (const [top] of results.model.discords) {
      const first = results.offset + top.start;
      expect(first + top.length).toBeGreaterThan(2800);
      expect(first).toBeLessThan(2960);
    }
    for (const channel of [...results.channels, results.joint]) {
      expect(channel.metrics.deployable.threshold).toBeGreaterThan(0);
      // Ranks the labelled beat far above chance (anomalous rows are 12% of the test split).
      expect(channel.metrics.aucPr).toBeGreaterThan(0.5);
    }
  });

  it('anomalab score: the run scores another ECG record with its thresholds', async () => {
    const result = await runCli(['score', id, '--series', 'ecg/chfdb_chf01_275', '--runs', runs, '--json'], { ANOMALAB_DATA_MIRROR: mirror.dir! });
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.dir).toBe(join(runs, id, 'scores', 'ecg__chfdb_chf01_275'));
    const scored = JSON.parse(readFileSync(join(out.dir, 'results.json'), 'utf8'));
    const run = JSON.parse(readFileSync(join(runs, id, 'results.json'), 'utf8'));
    expect(scored.scoredWith.run).toBe(id);
    expect(scored.model.discords).toHaveLength(2);
    expect(scored.channels.map((c: any) => c.metrics.deployable.threshold)).toEqual(run.channels.map((c: any) => c.metrics.deployable.threshold));
    expect(scored.joint.metrics.aucPr).toBeGreaterThan(0.3);
  });

  it('anomalab score --split train of the run\'s own series: scored as in the run (self-join), not matched with itself', async () => {
    const result = await runCli(['score', id, '--series', 'ecg/chfdb_chf13_45590', '--split', 'train', '--runs', runs, '--json'], { ANOMALAB_DATA_MIRROR: mirror.dir! });
    expect(result.code, result.stderr).toBe(0);
    const scored = JSON.parse(readFileSync(join(JSON.parse(result.stdout).dir, 'results.json'), 'utf8'));
    expect(scored.model.neighbours).toMatch(/self-join of the train split/);
    // Matched with itself every distance would be 0.
    expect(scored.model.discords[0][0].distance).toBeGreaterThan(1);
  });
});

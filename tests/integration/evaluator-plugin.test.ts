import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createAnomalab, readSeriesFolder, type Anomalab, type ChannelMetrics } from '@anomalab/core';

const root = join(import.meta.dirname, '..', '..');
const fixtureWorkspace = join(import.meta.dirname, '__fixtures__', 'evaluator-workspace');

const experiment = (metrics: string) => `
name: with-a-plugin-metric
dataset: { name: synthetic, series: sines, options: { length: 2000, channels: 1, period: 50, anomalies: 4 } }
model: { name: baselines, options: { method: seasonal-naive, period: 0 } }
training: { epochs: 1 }
detector: { window: 5 }
evaluation: { metrics: ${metrics} }
`;

/** Independent precision@k over the saved scores and labels of the run's series/ folder. */
function precisionAtK(scores: ArrayLike<number>, labels: ArrayLike<number>, from: number): number {
  const rows = Array.from({ length: scores.length - from }, (_, i) => from + i);
  const k = rows.reduce((n, t) => n + labels[t]!, 0);
  const top = [...rows].sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, k);
  return top.reduce((n, t) => n + labels[t]!, 0) / k;
}

describe('an evaluator added as a small package', () => {
  let app: Anomalab;
  let runsDir: string;
  beforeAll(async () => {
    runsDir = await mkdtemp(join(tmpdir(), 'anomalab-evaluator-plugin-'));
    app = await createAnomalab({ runsDir, root });
    await app.discover({ root: fixtureWorkspace }); // the fixture's workspace, found by its package.json manifest
    expect(app.pluginFailures).toEqual([]);
  });
  afterAll(() => rm(runsDir, { recursive: true, force: true }));

  it('is discovered next to the built-in evaluators', () => {
    expect(app.registry.names('evaluator')).toEqual(['affiliation', 'pa-k', 'precision-at-k', 'range-pr', 'vus']);
    expect(app.registry.sourceOf('evaluator', 'precision-at-k')).toContain('precision-at-k');
  });

  it('runs when the experiment selects it, with its options validated, and is reported in results.json and run.json', async () => {
    const loaded = await app.load({ text: experiment('[vus, { name: precision-at-k, options: { factor: 1 } }]') });
    expect(loaded.config.evaluation.metrics).toEqual([{ name: 'vus', options: { window: 'period', thresholds: 250 } }, { name: 'precision-at-k', options: { factor: 1 } }]);
    const { run, results } = await app.run(loaded, { quiet: true });
    const ch0 = results.channels[0]!.metrics;
    expect(Object.keys(ch0.evaluators!)).toEqual(['vus', 'precision-at-k']);
    const { index, entries } = await readSeriesFolder(join(run.dir, 'series'));
    const saved = entries[index.entries[0]!.name]!;
    const expected = precisionAtK(saved.score!, saved.label!, results.window);
    expect(ch0.evaluators!['precision-at-k']!.metrics['precision-at-k']).toBeCloseTo(expected, 12);
    expect(ch0.evaluators!['precision-at-k']!.parameters.k).toBe(ch0.anomalousRows);
    const runJson = JSON.parse(await readFile(join(run.dir, 'run.json'), 'utf8'));
    expect((runJson.metrics as Record<string, ChannelMetrics>)[results.channels[0]!.channel]!.evaluators!['precision-at-k']!.metrics['precision-at-k']).toBeCloseTo(expected, 12);
    // The VUS curve per window goes to series/ for the run page.
    expect(saved['curve.vus.rangeAucPr']!.length).toBe(ch0.evaluators!.vus!.parameters.window as number + 1);
  });

  it('an unknown evaluator or bad options are config errors naming the field', async () => {
    const error = await app.load({ text: experiment('[vus, nope, { name: precision-at-k, options: { factor: -1 } }]') }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    expect(text).toMatch(/evaluation\.metrics\[1\]: unknown evaluator "nope"; available: affiliation, pa-k, precision-at-k, range-pr, vus/);
    expect(text).toMatch(/evaluation\.metrics\[2\]\.options\.factor: must be > 0/);
  });
});

import { describe, expect, it, afterAll } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@anomalab/core/testing';
import { runCli } from './cli-helpers.ts';

const temp = makeTempDir('anomalab-compare-');
afterAll(() => temp.cleanup());

describe('anomalab runs compare', () => {
  it('shows the config keys that differ and metric deltas to the first run', async () => {
    const runs = join(temp.dir, 'runs');
    expect((await runCli(['experiment', 'experiments/quickstart.yaml', '--runs', runs, '--quiet'])).code).toBe(0);
    expect((await runCli(['experiment', 'experiments/quickstart.yaml', '--runs', runs, '--quiet', '--set', 'model.options.method=last-value', '--set', 'detector.window=5'])).code).toBe(0);
    const ids = readdirSync(runs).sort();
    const json = JSON.parse((await runCli(['runs', 'compare', ...ids, '--runs', runs, '--json'])).stdout);
    expect(json.configDiff).toEqual([
      { key: 'detector.window', values: [10, 5] },
      { key: 'model.options.method', values: ['seasonal-naive', 'last-value'] },
    ]);
    const show = await Promise.all(ids.map(async (id) => JSON.parse((await runCli(['runs', 'show', id, '--runs', runs, '--json'])).stdout)));
    const joint = json.metrics.find((m: { channel: string; metric: string }) => m.channel === 'joint' && m.metric === 'oracle F1');
    expect(joint.values).toEqual([show[0].metrics.joint.oracle.f1, show[1].metrics.joint.oracle.f1]);
    expect(joint.deltas[1]).toBeCloseTo(show[1].metrics.joint.oracle.f1 - show[0].metrics.joint.oracle.f1, 12);
    // ch0, ch1, joint x VUS-PR, VUS-ROC, AUC-PR, AUC-ROC, R-AUC-PR, and F1, F1-PA%0, R-F1, AFF-F1 at both thresholds.
    expect(json.metrics).toHaveLength(3 * 13);
    const vus = json.metrics.find((m: { channel: string; key: string }) => m.channel === 'joint' && m.key === 'vus-pr');
    expect(vus.values).toEqual([show[0].metrics.joint.evaluators.vus.metrics['vus-pr'], show[1].metrics.joint.evaluators.vus.metrics['vus-pr']]);
    const rangeF1 = json.metrics.find((m: { channel: string; key: string }) => m.channel === 'ch0' && m.key === 'range-f1@deployable');
    expect(rangeF1.values[1]).toBe(show[1].metrics.ch0.evaluators['range-pr'].deployable.metrics['range-f1']);

    const text = await runCli(['runs', 'compare', ...ids, '--runs', runs]);
    expect(text.stdout).toMatch(/config differences:\nKEY\s+.*\ndetector\.window\s+10\s+5\nmodel\.options\.method\s+"seasonal-naive"\s+"last-value"/);
    expect((await runCli(['runs', 'compare', ids[0]!, '--runs', runs])).code).toBe(2);
  });
});

// The local launcher against real child processes and real (tiny) runs.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAnomalab, type LaunchEvent } from '@anomalab/core';
import { makeTempDir } from '@anomalab/core/testing';
import { LocalLauncher } from './local-launcher.ts';

const temp = makeTempDir('anomalab-launcher-');
afterAll(() => temp.cleanup());
const runsDir = join(temp.dir, 'runs');

async function resolved(yaml: string): Promise<Record<string, unknown>> {
  const app = await createAnomalab({ runsDir });
  return (await app.load({ text: yaml })).config as unknown as Record<string, unknown>;
}

describe('LocalLauncher', () => {
  it('runs a resolved config in a child and reports structured events in order', async () => {
    const config = await resolved('name: launched\nseed: 3\ndataset: { name: synthetic, options: { length: 1500 } }\nmodel: { name: baselines }\ntraining: { epochs: 3, save_interval: 2 }\n');
    const launcher = new LocalLauncher({ runsDir, parallel: 1, quiet: true });
    const events: LaunchEvent[] = [];
    const outcome = await launcher.launch({ runId: 'launched-1', config, baseDir: temp.dir }, { onEvent: (e) => events.push(e) });
    await launcher.close();
    expect(outcome.status).toBe('completed');
    expect(outcome.run).toMatchObject({ id: 'launched-1', status: 'completed', seed: 3 });
    const kinds = events.filter((e) => e.type !== 'log').map((e) => (e.type === 'epoch' || e.type === 'checkpoint' ? `${e.type}:${e.epoch}` : e.type));
    expect(kinds).toEqual(['queued', 'starting', 'started', 'epoch:1', 'epoch:2', 'checkpoint:2', 'epoch:3', 'checkpoint:3', 'checkpoint:3', 'outcome']);
    // The quiet child prints its one summary line, passed on as a log event.
    expect(events.filter((e) => e.type === 'log').map((e) => (e as { line: string }).line)).toEqual(['launched-1 completed']);
    expect(JSON.parse(readFileSync(join(runsDir, 'launched-1', 'config.json'), 'utf8')).training.epochs).toBe(3);
  });

  it('records a run that fails before its folder would exist (plugin unknown to the child) as failed', async () => {
    const config = { ...(await resolved('dataset: { name: synthetic }\nmodel: { name: baselines }\n')), model: { name: 'not-installed-here', options: {} } };
    const launcher = new LocalLauncher({ runsDir, quiet: true });
    const outcome = await launcher.launch({ runId: 'early-fail', config, baseDir: temp.dir });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('ANOMALAB_CONFIG_INVALID');
    expect(outcome.error?.message).toMatch(/model\.name: unknown model "not-installed-here"/);
    const record = JSON.parse(readFileSync(join(runsDir, 'early-fail', 'run.json'), 'utf8'));
    expect(record).toMatchObject({ status: 'failed', model: 'not-installed-here', error: { code: 'ANOMALAB_CONFIG_INVALID' } });
  });

  it('drops a queued launch on abort and interrupts a running one with a checkpoint', async () => {
    const config = await resolved('name: long\ndataset: { name: synthetic, options: { length: 1500 } }\nmodel: { name: baselines }\ntraining: { epochs: 100000, save_interval: 100000 }\n');
    const launcher = new LocalLauncher({ runsDir, parallel: 1, quiet: true });
    const first = new AbortController();
    const second = new AbortController();
    const running = launcher.launch({ runId: 'long-1', config, baseDir: temp.dir }, { signal: first.signal, onEvent: (e) => e.type === 'epoch' && e.epoch === 5 && first.abort() });
    const queued = launcher.launch({ runId: 'long-2', config, baseDir: temp.dir }, { signal: second.signal });
    second.abort();
    expect(await queued).toEqual({ runId: 'long-2', status: 'cancelled' });
    const outcome = await running;
    expect(outcome.status).toBe('interrupted');
    expect(outcome.error?.code).toBe('ANOMALAB_INTERRUPTED');
    expect(outcome.run?.status).toBe('interrupted');
    await launcher.close();
  });
});

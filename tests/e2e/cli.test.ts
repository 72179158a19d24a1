import { describe, expect, it, afterAll } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@anomalab/core/testing';
import { decodeCheckpoint, readSeriesFolder } from '@anomalab/core';
import { runCli, spawnCli, repoRoot } from './cli-helpers.ts';

const temp = makeTempDir('anomalab-cli-');
afterAll(() => temp.cleanup());
const runsDir = (name: string) => join(temp.dir, name);

describe('anomalab CLI', () => {
  it('runs the quickstart end to end and leaves a complete run folder', async () => {
    const runs = runsDir('quickstart');
    const result = await runCli(['experiment', 'experiments/quickstart.yaml', '--runs', runs]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^run \d{8}-\d{6}-quickstart-[0-9a-f]{4}: quickstart \| synthetic\/sines \| model baselines \| seed 1111$/m);
    expect(result.stdout).toMatch(/metrics \(synthetic\/sines, test rows 3000, W=10, final weights of epoch 1\):/);
    expect(result.stdout).toMatch(/^ {2}joint +\d\.\d{3} /m); // the summary table's joint row

    const [id] = readdirSync(runs);
    const dir = join(runs, id!);
    expect(readdirSync(dir).sort()).toEqual(['checkpoints', 'config.json', 'log.txt', 'metrics.jsonl', 'results.json', 'run.json', 'series']);
    expect(readdirSync(join(dir, 'series')).sort()).toEqual(['channel-0.f32', 'channel-1.f32', 'index.json', 'joint.f32']);
    const checkpoint = decodeCheckpoint(readFileSync(join(dir, 'checkpoints', 'last.ckpt')), 'last.ckpt');
    expect(checkpoint.epoch).toBe(1);
    expect(checkpoint.predictor.json.period).toBe(50); // the synthetic period, estimated from train
    expect(checkpoint.detector).toBeDefined();
    const metricTypes = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).type);
    expect(metricTypes).toEqual(['run_started', 'epoch', 'results', 'run_completed']);

    const list = await runCli(['runs', 'list', '--json', '--runs', runs]);
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout);
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ id, status: 'completed', experiment: 'quickstart', dataset: 'synthetic/sines', model: 'baselines', backend: 'none', engine: 'js' });

    const show = JSON.parse((await runCli(['runs', 'show', id!, '--json', '--runs', runs])).stdout);
    expect(show).toMatchObject({ id, status: 'completed', experiment: 'quickstart', dataset: 'synthetic/sines', model: 'baselines' });
    expect(show.config.detector).toEqual({ name: 'gaussian', window: 10, weights: 'final', options: { joint: true } });
    // The detector must beat flagging everything (F1 = 2p/(1+p) for anomaly fraction p).
    const { index, entries } = await readSeriesFolder(join(dir, 'series'));
    expect(index).toMatchObject({ format: 'anomalab-series/1', split: 'test', rows: 3000, window: 10 });
    const labels = entries.joint!.label!;
    const p = labels.reduce((a, b) => a + b, 0) / labels.length;
    for (const name of ['ch0', 'ch1', 'joint']) {
      const m = show.metrics[name];
      expect(Object.keys(m.oracle)).toEqual(expect.arrayContaining(['f1', 'precision', 'recall', 'threshold']));
      expect(m.oracle.protocol).toMatch(/test labels/);
      expect(m.deployable.protocol).toMatch(/no test labels used/);
      for (const key of ['aucPr', 'aucRoc']) expect(m[key]).toBeGreaterThan(0);
      expect(m.events.deployable).toMatchObject({ ranges: 8 });
    }
    expect(show.metrics.joint.oracle.f1).toBeGreaterThan((2 * p) / (1 + p) + 0.2);
    expect(show.metrics.joint.oracle.f1).toBeLessThanOrEqual(1);
    expect(show.metrics.joint.aucRoc).toBeGreaterThan(0.8);
    expect(show.results.channels[0].metrics).toEqual(show.metrics.ch0);
    expect(entries.ch0!.score).toHaveLength(3000);
    expect(Array.from(entries.ch0!.score!.subarray(0, 10))).toEqual(new Array(10).fill(0));
    expect(Number.isNaN(entries.ch0!.predictionMean![9]!)).toBe(true);
    expect(entries.ch0!['curve.f']!.length).toBeGreaterThan(10);

    const human = await runCli(['runs', 'list', '--runs', runs]);
    expect(human.stdout).toMatch(new RegExp(`${id}\\s+completed\\s+quickstart\\s+synthetic/sines\\s+baselines`));
  });

  it('reports a misspelled key, a wrong type and an unknown plugin with exit 2 and no run folder', async () => {
    const runs = runsDir('invalid');
    const result = await runCli(['experiment', 'tests/e2e/__fixtures__/invalid-experiment.yaml', '--runs', runs]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe('3 problems in the experiment:');
    expect(lines.slice(1)).toEqual([
      'tests/e2e/__fixtures__/invalid-experiment.yaml:5:5: dataset.options.lenght: unknown key "lenght"; did you mean "length"?',
      expect.stringMatching(/^tests\/e2e\/__fixtures__\/invalid-experiment\.yaml:7:9: model\.name: unknown model "baselinez"; available: .*baselines/),
      'tests/e2e/__fixtures__/invalid-experiment.yaml:9:11: training.epochs: must be integer, got string "five"',
    ]);
    expect(existsSync(runs)).toBe(false);
  });

  it('rejects bad command lines with exit 2 and a pointer to --help', async () => {
    const unknownFlag = await runCli(['runs', 'list', '--colour']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toMatch(/Unknown option '--colour'[\s\S]*anomalab runs list --help/);
    const unknownCommand = await runCli(['rnus']);
    expect(unknownCommand.code).toBe(2);
    expect(unknownCommand.stderr).toMatch(/unknown command: rnus/);
    const missingRun = await runCli(['runs', 'show', 'no-such-run', '--runs', runsDir('empty')]);
    expect(missingRun.code).toBe(2);
    expect(missingRun.stderr).toMatch(/no run "no-such-run"/);
    const missingFile = await runCli(['experiment', 'experiments/nope.yaml', '--runs', runsDir('empty')]);
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toMatch(/experiments\/nope\.yaml: \(root\): cannot read experiment file \(ENOENT\)/);
  });

  it('prints help for every command', async () => {
    const overview = await runCli(['--help']);
    expect(overview.code).toBe(0);
    const commands = [...overview.stdout.matchAll(/^  ((?:[a-z]+ )*[a-z]+)\s{2,}/gm)].map((m) => m[1]!).filter((c) => !c.startsWith('-'));
    expect(commands).toEqual(expect.arrayContaining(['experiment', 'runs list', 'runs show', 'datasets list', 'datasets info', 'datasets fetch', 'models list', 'evaluators list', 'schema']));
    for (const command of commands) {
      const help = await runCli([...command.split(' '), '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(new RegExp(`^Usage: anomalab ${command}`));
    }
  });

  it('lists models and datasets and prints the editor schema', async () => {
    const models = JSON.parse((await runCli(['models', 'list', '--json'])).stdout);
    expect(models.models.map((m: { name: string }) => m.name)).toContain('baselines');
    expect(models.detectors.map((d: { name: string }) => d.name)).toEqual(['gaussian']);
    const evaluators = JSON.parse((await runCli(['evaluators', 'list', '--json'])).stdout);
    expect(evaluators.map((e: { name: string }) => e.name)).toEqual(['vus', 'range-pr', 'affiliation', 'pa-k']);
    expect(evaluators.find((e: { name: string }) => e.name === 'vus').metrics.map((m: { key: string }) => m.key)).toEqual(['vus-pr', 'vus-roc', 'range-auc-pr', 'range-auc-roc']);
    const table = (await runCli(['evaluators', 'list'])).stdout;
    expect(table).toMatch(/^EVALUATOR\s+METRIC\s+THRESHOLD\s+DESCRIPTION$/m);
    expect(table).toMatch(/^\s+range-f1\s+oracle\+deployable\s+harmonic mean/m);
    const datasets = JSON.parse((await runCli(['datasets', 'list', '--json'])).stdout);
    expect(datasets.find((d: { name: string }) => d.name === 'synthetic').series[0].name).toBe('sines');
    const schema = JSON.parse((await runCli(['schema'])).stdout);
    expect(schema.title).toBe('anomalab experiment');
    expect(schema.properties.model.properties.name.enum).toContain('baselines');
  });

  it('stops on SIGINT with a checkpoint and status interrupted, then resumes in the same folder', async () => {
    const runs = runsDir('interrupt');
    const child = spawnCli(['experiment', 'experiments/quickstart.yaml', '--runs', runs, '--set', 'training.epochs=100000', '--set', 'training.save_interval=100000']);
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (d) => {
        stdout += d;
        if (/end of epoch {2}20 /.test(stdout)) resolve();
      });
    });
    child.kill('SIGINT');
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(stderr).toMatch(/SIGINT: stopping after the current window/);
    expect(stderr).toMatch(/interrupted after epoch \d+; checkpoint written\. Continue with: anomalab experiment --resume /);

    const [id] = readdirSync(runs);
    const dir = join(runs, id!);
    const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(record.status).toBe('interrupted');
    const checkpoint = decodeCheckpoint(readFileSync(join(dir, 'checkpoints', 'last.ckpt')), 'last.ckpt');
    const epochs = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'epoch');
    expect(checkpoint.epoch).toBe(epochs.at(-1).epoch);
    expect(readdirSync(join(dir, 'checkpoints'))).toEqual(['best.ckpt', 'last.ckpt']); // no temp files left

    const resumed = await runCli(['experiment', '--resume', id!, '--runs', runs, '--set', `training.epochs=${checkpoint.epoch + 3}`]);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`resuming from the checkpoint of epoch ${checkpoint.epoch}`));
    expect(readdirSync(runs)).toEqual([id]);
    const after = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(after).toMatchObject({ status: 'completed', resumedCount: 1 });
    const allEpochs = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'epoch').map((r) => r.epoch);
    expect(allEpochs.slice(-3)).toEqual([checkpoint.epoch + 1, checkpoint.epoch + 2, checkpoint.epoch + 3]);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).training.epochs).toBe(checkpoint.epoch + 3);
  });

  it('runs the quickstart through the nx target with paths relative to the repo root', async () => {
    const { spawnSync } = await import('node:child_process');
    const runs = runsDir('nx');
    const result = spawnSync('npx', ['nx', 'run', 'cli:experiment', '--config=experiments/quickstart.yaml', `--runs=${runs}`, '--set', 'seed=3', '--quiet'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    });
    expect(result.status, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toMatch(/\d{8}-\d{6}-quickstart-[0-9a-f]{4} completed/);
    const [id] = readdirSync(runs);
    expect(JSON.parse(readFileSync(join(runs, id!, 'run.json'), 'utf8'))).toMatchObject({ status: 'completed', seed: 3 });
  });
});

// The distributed executor against a real redis-server, real `anomalab worker` processes and
// real runs: results equal local runs, kill -9 of a worker, a Redis restart and a killed
// submitter lose nothing and duplicate nothing.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@anomalab/core/testing';
import { startTestRedis, type TestRedis } from '../src/testing/index.ts';
import { cli, epochs, folders, record, startWorker, stopAll, type CliProcess } from './helpers.ts';

let redis: TestRedis;
const temp = makeTempDir('anomalab-distributed-');
const live: CliProcess[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
});
// Every test's workers and submitters stop with it, even when it fails.
afterEach(() => stopAll(live.splice(0)));
afterAll(async () => {
  await redis?.dispose();
  temp.cleanup();
});

/** Long enough to kill something mid-run (baselines epochs take milliseconds), seconds in all. */
const longSweep = (name: string, seeds: number[], epochsCount = 1500) => `name: ${name}
dataset: { name: synthetic, options: { length: 1500 } }
model: { name: baselines }
training: { epochs: ${epochsCount}, save_interval: 100 }
matrix:
  seed: [${seeds.join(', ')}]
`;

function file(name: string, text: string): string {
  const path = join(temp.dir, name);
  writeFileSync(path, text);
  return path;
}

const resultsOf = (runsDir: string, runId: string) => JSON.parse(readFileSync(join(runsDir, runId, 'results.json'), 'utf8'));

describe('anomalab experiment --queue with anomalab worker', () => {
  it('spreads a sweep over two workers; the report equals the local run of the same sweep', async () => {
    const sweep = file(
      'real-sweep.yaml',
      `name: real-sweep
seed: 1111
dataset: { name: space_shuttle, series: TEK16 }
model: { name: baselines }
training: { epochs: 2 }
detector: { window: 10 }
matrix:
  model:
    - { label: rnn-small, name: rnn, options: { embedding: 8, hidden: 8, layers: 1, batch_size: 16, bptt: 20, augment_length: 1000 } }
    - { label: baselines, name: baselines }
  seed: [1111]
`,
    );
    const workers = [await startWorker(redis.url), await startWorker(redis.url)];
    live.push(...workers);
    const local = join(temp.dir, 'runs-local');
    const queued = join(temp.dir, 'runs-queued');
    const [viaQueue, viaLocal] = [cli(['experiment', sweep, '--queue', redis.url, '--runs', queued]), cli(['experiment', sweep, '--runs', local])];
    expect(await viaQueue.exit, viaQueue.output()).toBe(0);
    expect(await viaLocal.exit, viaLocal.output()).toBe(0);
    // Both workers took runs.
    const where = [...viaQueue.output().matchAll(/starting \S+ \(.*\) on \S+:(\d+)/g)].map((m) => Number(m[1]));
    expect(new Set(where)).toEqual(new Set(workers.map((w) => w.pid)));

    const id = /sweep (real-sweep-[0-9a-f]{8})/.exec(viaQueue.output())![1]!;
    const report = async (runs: string) => {
      const r = cli(['report', id, '--runs', runs, '--format', 'json']);
      expect(await r.exit).toBe(0);
      return JSON.parse(r.output());
    };
    const [a, b] = [await report(queued), await report(local)];
    expect(a.rows.length).toBe(b.rows.length);
    expect(a.missing).toEqual([]);
    for (const [i, row] of a.rows.entries()) {
      const other = b.rows[i];
      expect(`${row.series} ${row.model} ${row.channel}`).toBe(`${other.series} ${other.model} ${other.channel}`);
      expect(row.seeds).toEqual(other.seeds);
      for (const [metric, stat] of Object.entries(row.metrics as Record<string, { mean: number | null }>)) {
        if (stat.mean === null) expect(other.metrics[metric].mean).toBeNull();
        else expect(stat.mean, `${row.model} ${row.channel} ${metric}`).toBeCloseTo(other.metrics[metric].mean, 9);
      }
    }
    expect(folders(queued)).toEqual([1, 2].map((i) => `${id}-${i}`));
    for (const i of [1, 2]) expect(record(queued, `${id}-${i}`)).toMatchObject({ status: 'completed', sweep: id });
    await stopAll(workers);
  });

  it('kill -9 of a worker mid-run: another worker continues from the last shipped checkpoint; one folder, right epochs and metrics', async () => {
    const sweep = file('kill.yaml', longSweep('kill-sweep', [7], 900));
    const local = join(temp.dir, 'runs-kill-local');
    const reference = cli(['experiment', sweep, '--runs', local, '--quiet']);
    const first = await startWorker(redis.url);
    live.push(first);
    const runs = join(temp.dir, 'runs-kill');
    const submitter = cli(['experiment', sweep, '--queue', redis.url, '--runs', runs]);
    live.push(submitter);
    await first.waitFor(/checkpoint of epoch 300 shipped/);
    first.child.kill('SIGKILL');
    await first.exit;
    const second = await startWorker(redis.url);
    live.push(second);
    expect(await submitter.exit, submitter.output()).toBe(0);
    expect(await reference.exit).toBe(0);

    const id = /sweep (kill-sweep-[0-9a-f]{8})/.exec(submitter.output())![1]!;
    const runId = `${id}-1`;
    expect(folders(runs)).toEqual([runId]);
    const run = record(runs, runId);
    expect(run).toMatchObject({ status: 'completed', resumedCount: 1 });
    const log = readFileSync(join(runs, runId, 'log.txt'), 'utf8');
    const resumedAt = Number(/resuming from the checkpoint of epoch (\d+)/.exec(log)![1]);
    expect(resumedAt).toBeGreaterThanOrEqual(300);
    const seen = epochs(runs, runId);
    expect(seen.at(-1)).toBe(900);
    expect(seen.slice(seen.lastIndexOf(resumedAt + 1))).toEqual(Array.from({ length: 900 - resumedAt }, (_, i) => resumedAt + 1 + i));
    expect(resultsOf(runs, runId).joint.metrics).toEqual(resultsOf(local, runId).joint.metrics);
    expect(second.output()).toContain(`[${runId}] resuming`);
    await stopAll([second]);
  });

  it('survives a Redis restart mid-sweep: every run completes exactly once', async () => {
    const sweep = file('restart.yaml', longSweep('restart-sweep', [1, 2], 800));
    const workers = [await startWorker(redis.url), await startWorker(redis.url)];
    live.push(...workers);
    const runs = join(temp.dir, 'runs-restart');
    const submitter = cli(['experiment', sweep, '--queue', redis.url, '--runs', runs]);
    live.push(submitter);
    await workers[0]!.waitFor(/saving checkpoint \(epoch 200\)/);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1500));
    await redis.start();
    expect(await submitter.exit, submitter.output()).toBe(0);
    const id = /sweep (restart-sweep-[0-9a-f]{8})/.exec(submitter.output())![1]!;
    expect(folders(runs)).toEqual([`${id}-1`, `${id}-2`]);
    for (const runId of [`${id}-1`, `${id}-2`]) {
      expect(record(runs, runId).status).toBe('completed');
      expect(epochs(runs, runId).at(-1)).toBe(800);
    }
    await stopAll(workers);
  });

  it('a killed submitter run again attaches: completed runs are skipped, the rest collected', async () => {
    const sweep = file('attach.yaml', longSweep('attach-sweep', [1, 2, 3], 400));
    const worker = await startWorker(redis.url);
    live.push(worker);
    const runs = join(temp.dir, 'runs-attach');
    const first = cli(['experiment', sweep, '--queue', redis.url, '--runs', runs]);
    const id = (await first.waitFor(/sweep (attach-sweep-[0-9a-f]{8})/))[1]!;
    // Run 1 collected, run 2 running: kill the submitter; the worker goes on meanwhile.
    await first.waitFor(/\[2\/3\] starting/);
    await worker.waitFor(new RegExp(`\\[${id}-2\\] \\| end of epoch +50 `));
    first.child.kill('SIGKILL');
    await first.exit;
    expect(existsSync(join(runs, `${id}-1`, 'run.json'))).toBe(true);
    await worker.waitFor(new RegExp(`\\[${id}-2\\] completed`));

    const again = cli(['experiment', sweep, '--queue', redis.url, '--runs', runs]);
    expect(await again.exit, again.output()).toBe(0);
    expect(again.output()).toMatch(new RegExp(`\\[1/3\\] ${id}-1 already completed: skipped`));
    expect(folders(runs)).toEqual([1, 2, 3].map((i) => `${id}-${i}`));
    for (const i of [1, 2, 3]) {
      expect(record(runs, `${id}-${i}`)).toMatchObject({ status: 'completed' });
      expect(epochs(runs, `${id}-${i}`)).toEqual(Array.from({ length: 400 }, (_, e) => e + 1));
    }
    await stopAll([worker]);
  });
  it('Ctrl-C on the submitter cancels: the running run stops with a checkpoint and is collected as interrupted; the same command resumes it', async () => {
    const sweep = file('cancel.yaml', longSweep('cancel-sweep', [1, 2], 2500));
    const worker = await startWorker(redis.url);
    live.push(worker);
    const runs = join(temp.dir, 'runs-cancel');
    const first = cli(['experiment', sweep, '--queue', redis.url, '--runs', runs]);
    live.push(first);
    await worker.waitFor(/checkpoint of epoch 200 shipped/);
    first.child.kill('SIGINT');
    expect(await first.exit).toBe(130);
    const id = /sweep (cancel-sweep-[0-9a-f]{8})/.exec(first.output())![1]!;
    expect(first.output()).toMatch(new RegExp(`${id}-1  interrupted`));
    expect(first.output()).toMatch(new RegExp(`${id}-2  not started`));
    expect(folders(runs)).toEqual([`${id}-1`]);
    expect(record(runs, `${id}-1`).status).toBe('interrupted');

    const again = cli(['experiment', sweep, '--queue', redis.url, '--runs', runs]);
    expect(await again.exit, again.output()).toBe(0);
    expect(again.output()).toMatch(new RegExp(`\\[1/2\\] resuming ${id}-1`));
    expect(record(runs, `${id}-1`)).toMatchObject({ status: 'completed', resumedCount: 1 });
    expect(epochs(runs, `${id}-1`).at(-1)).toBe(2500);
    expect(record(runs, `${id}-2`).status).toBe('completed');
  });
});

describe('failures on the queue', () => {
  it('bad input fails once; a crashed run process is retried from its checkpoint; malformed job data is refused; all show in runs list', async () => {
    const { BullMqLauncher, parseQueueAddress } = await import('../src/index.ts');
    const { Queue } = await import('bullmq');
    const { createAnomalab } = await import('@anomalab/core');
    const runs = join(temp.dir, 'runs-failures');
    const worker = await startWorker(redis.url);
    live.push(worker);
    const launcher = new BullMqLauncher({ address: parseQueueAddress(redis.url), runsDir: runs, backoffMs: 500 });
    const app = await createAnomalab({ runsDir: runs });
    const config = (await app.load({ text: longSweep('x', [1], 600).replace(/matrix:[\s\S]*/, '') })).config as unknown as Record<string, unknown>;
    try {
      // A model this worker does not have: the plugin check fails it at once, no retries.
      const bad = await launcher.launch({ runId: 'bad-plugin', config: { ...config, model: { name: 'not-installed', options: {} } }, baseDir: temp.dir });
      expect(bad.status).toBe('failed');
      expect(bad.error?.code).toBe('ANOMALAB_CONFIG_INVALID');
      expect(bad.error?.message).toMatch(/unknown model "not-installed"/);
      expect(worker.output().match(/\[bad-plugin\] (starting|resuming) \(attempt/g)).toHaveLength(1);

      // The run's own process killed (OOM killer, a crash): transient, retried with backoff from the shipped checkpoint.
      const events: string[] = [];
      const crashed = launcher.launch({ runId: 'crashed', config, baseDir: temp.dir }, { onEvent: (e) => events.push(e.type) });
      await worker.waitFor(/\[crashed\] checkpoint of epoch 200 shipped/);
      const child = execFileSync('ps', ['-o', 'pid=', '--ppid', String(worker.pid)], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
      expect(child).toHaveLength(1);
      process.kill(child[0]!, 'SIGKILL');
      const recovered = await crashed;
      expect(recovered.status).toBe('completed');
      expect(events).toContain('retrying');
      expect(record(runs, 'crashed').resumedCount).toBe(1);
      expect(epochs(runs, 'crashed').at(-1)).toBe(600);

      // A queue message that is not an anomalab job: refused once with the reason.
      const queue = new Queue('anomalab-runs', { connection: { url: redis.url } });
      const job = await queue.add('run', { format: 'something-else' }, { jobId: 'not-a-job', attempts: 3 });
      for (let i = 0; i < 100 && (await job.getState()) !== 'failed'; i++) await new Promise((r) => setTimeout(r, 100));
      const failed = await queue.getJob('not-a-job');
      expect(await failed!.getState()).toBe('failed');
      expect(failed!.attemptsMade).toBe(1);
      expect(failed!.failedReason).toMatch(/^ANOMALAB_JOB_INVALID: job data format is "something-else", expected "anomalab-job\/1"/);
      await queue.close();

      const listed = cli(['runs', 'list', '--runs', runs]);
      expect(await listed.exit).toBe(0);
      expect(listed.output()).toMatch(/bad-plugin.*failed/);
      expect(listed.output()).toMatch(/crashed.*completed/);
    } finally {
      await launcher.close();
    }
  });
});

// The launch form's API through a BullMQ queue: a real redis-server, a real `anomalab worker`
// process, the server launching with the BullMQ launcher (what `anomalab serve --queue` does).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BullMqLauncher, parseQueueAddress } from '@anomalab/executor-bullmq';
import { startTestRedis, type TestRedis } from '@anomalab/executor-bullmq/testing';
import { startServer, type RunningServer } from '../src/index.ts';
import { api, openApp, readSse, sleep, tempDir, workspaceRoot } from './helpers.ts';

let redis: TestRedis;
let root: string;
let server: RunningServer;
let worker: ChildProcess;
let workerOutput = '';

beforeAll(async () => {
  redis = await startTestRedis();
  root = await tempDir('queue');
  const app = await openApp(join(root, 'runs'));
  const launcher = new BullMqLauncher({ address: parseQueueAddress(redis.url), runsDir: app.runs.root });
  server = await startServer({ app, launcher, port: 0, host: '127.0.0.1', experimentsDir: join(workspaceRoot, 'experiments') });
  worker = spawn(process.execPath, [join(workspaceRoot, 'packages', 'cli', 'bin', 'anomalab.js'), 'worker', '--queue', redis.url], { cwd: workspaceRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  worker.stdout!.on('data', (d) => (workerOutput += d));
  worker.stderr!.on('data', (d) => (workerOutput += d));
});

afterAll(async () => {
  await server?.close();
  if (worker && worker.exitCode === null) {
    const exited = new Promise((r) => worker.once('close', r));
    worker.kill('SIGTERM');
    await exited;
  }
  await redis?.dispose();
  await rm(root, { recursive: true, force: true });
});

describe('serve --queue', () => {
  it('shows the queue and its workers, and runs a launched experiment on a worker into the server run store', async () => {
    let queue: any;
    for (let i = 0; i < 100; i++) {
      queue = (await api(server.url, '/api/queue')).body;
      if (queue.workers?.length) break;
      await sleep(200);
    }
    expect(queue).toMatchObject({ kind: 'queue', queue: 'anomalab-runs', url: redis.url });
    expect(queue.workers.map((w: any) => w.name)).toEqual([expect.stringMatching(new RegExp(`:${worker.pid}$`))]);
    expect(queue.counts).toMatchObject({ waiting: 0, active: 0 });

    const posted = await api(server.url, '/api/runs', { body: { experiment: 'quickstart.yaml', overrides: ['training.epochs=2', 'seed=9'] } });
    expect(posted.status).toBe(202);
    const id: string = posted.body.id;
    const events = await readSse(`${server.url}/api/runs/${id}/events`, { until: (e) => e.event === 'end', timeoutMs: 90_000 });
    const end = events.find((e) => e.event === 'end')!.data;
    expect(end).toEqual({ id, status: 'completed' });
    // The shipped log.txt is streamed once the folder has arrived.
    expect(events.filter((e) => e.event === 'log').map((e) => e.data.line).join('\n')).toMatch(/completed in/);
    const run = (await api(server.url, `/api/runs/${id}`)).body.run;
    expect(run).toMatchObject({ id, status: 'completed', seed: 9, job: { state: 'finished', where: expect.stringMatching(new RegExp(`:${worker.pid}$`)) } });
    const record = JSON.parse(await readFile(join(root, 'runs', id, 'run.json'), 'utf8'));
    expect(record.status).toBe('completed');
    expect(workerOutput).toContain(`[${id}] completed`);
    // Collected: the queue forgot the job.
    expect((await api(server.url, '/api/queue')).body.counts).toMatchObject({ waiting: 0, active: 0, completed: 0 });
  });
});

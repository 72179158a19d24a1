// Launching experiments through the API: child processes, the queue, SSE, cancel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningServer } from '../src/index.ts';
import { api, openApp, readSse, serve, tempDir, workspaceRoot, type SseEvent } from './helpers.ts';

let root: string;
let runsDir: string;
let server: RunningServer;
let base: string;

beforeAll(async () => {
  root = await tempDir('lifecycle');
  runsDir = join(root, 'runs');
  server = await serve(await openApp(runsDir), { experimentsDir: join(workspaceRoot, 'experiments'), maxConcurrent: 1 });
  base = server.url;
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

const byEvent = (events: SseEvent[], name: string) => events.filter((e) => e.event === name).map((e) => e.data);

describe('POST /api/runs', () => {
  it('runs an experiment file in a child process and streams it to completion over SSE', async () => {
    const posted = await api(base, '/api/runs', { body: { experiment: 'quickstart.yaml', overrides: ['training.epochs=3', 'seed=5'] } });
    expect(posted.status).toBe(202);
    const jobId: string = posted.body.id;
    expect(posted.headers.get('location')).toBe(`/api/runs/${jobId}`);

    const events = await readSse(`${base}/api/runs/${jobId}/events`, { until: (e) => e.event === 'end' });
    const statuses = byEvent(events, 'status').map((s) => s.status);
    expect(statuses.at(-1)).toBe('completed');
    // A quick run may finish between two polls, so 'running' itself is not guaranteed.
    expect(['queued', 'starting', 'running']).toContain(statuses[0]);
    expect(byEvent(events, 'epoch').map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(byEvent(events, 'epoch')[0].train.loss).toBeTypeOf('number');
    const lines = byEvent(events, 'log').map((l) => l.line as string);
    // The pipeline's training progress line, e.g. `training (epochs 1..3): started (3)`.
    expect(lines.some((l) => /training\b.*epochs 1\.\.3/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/completed in/);
    expect(byEvent(events, 'metric').map((r) => r.type)).toEqual(expect.arrayContaining(['run_started', 'results', 'run_completed']));
    const end = byEvent(events, 'end')[0];
    expect(end.status).toBe('completed');

    // The id returned at submission is the run's id (chosen up front, passed as --run-id).
    const runId: string = end.id;
    expect(runId).toBe(jobId);
    expect(runId).toMatch(/^\d{8}-\d{6}-quickstart-[0-9a-f]{4}$/);
    const viaJob = await api(base, `/api/runs/${jobId}`);
    expect(viaJob.body.run).toMatchObject({ id: runId, status: 'completed', seed: 5, job: { id: jobId, state: 'finished' } });
    expect(viaJob.body.config.training.epochs).toBe(3);
    const record = JSON.parse(await readFile(join(runsDir, runId, 'run.json'), 'utf8'));
    expect(record.status).toBe('completed');
    expect(record.configFile).toContain('quickstart.yaml');
    // Replaying the events of a finished run gives the same log, then ends.
    const replay = await readSse(`${base}/api/runs/${runId}/events`);
    expect(byEvent(replay, 'log').map((l) => l.line)).toEqual(lines);
    expect(replay.at(-1)!.event).toBe('end');
  });

  it('runs inline YAML (handed to the launcher as a resolved config, no file)', async () => {
    const yaml = (await readFile(join(workspaceRoot, 'experiments', 'quickstart.yaml'), 'utf8')).replace('name: quickstart', 'name: inline-test');
    const posted = await api(base, '/api/runs', { body: { yaml } });
    expect(posted.status).toBe(202);
    const events = await readSse(`${base}/api/runs/${posted.body.id}/events`, { until: (e) => e.event === 'end' });
    const end = byEvent(events, 'end')[0];
    expect(end.status).toBe('completed');
    const run = (await api(base, `/api/runs/${end.id}`)).body.run;
    expect(run.experiment).toBe('inline-test');
    expect(run.configFile).toBeUndefined();
  });
});

describe('queue and cancel', () => {
  it('queues beyond the concurrency, cancels a queued run, and interrupts a running one gracefully', async () => {
    // A long run: the baselines model re-estimates its period every epoch (a few ms each).
    const long = await api(base, '/api/runs', { body: { experiment: 'quickstart.yaml', overrides: ['training.epochs=100000', 'training.save_interval=50', 'name=long'] } });
    const queued = await api(base, '/api/runs', { body: { experiment: 'quickstart.yaml', overrides: ['name=waiting'] } });
    expect(long.status).toBe(202);
    expect(queued.status).toBe(202);
    expect(queued.body.status).toBe('queued');
    expect(queued.body.run.job.position).toBe(0);
    const listed = await api(base, '/api/runs?status=queued');
    expect(listed.body.runs.map((r: any) => r.id)).toEqual([queued.body.id]);
    expect(listed.body.runs[0]).toMatchObject({ experiment: 'waiting', dataset: 'synthetic/sines', model: 'baselines' });

    // Cancel the queued one: it never starts.
    const dropped = await api(base, `/api/runs/${queued.body.id}/cancel`, { method: 'POST' });
    expect(dropped.status).toBe(202);
    expect(dropped.body.state).toBe('cancelled');
    expect((await api(base, `/api/runs/${queued.body.id}`)).body.run.status).toBe('cancelled');
    expect((await api(base, `/api/runs/${queued.body.id}/cancel`, { method: 'POST' })).status).toBe(409);

    // Cancel the long one after its second epoch, from inside the event stream.
    let cancelled = false;
    const events = await readSse(`${base}/api/runs/${long.body.id}/events`, {
      until: (e) => e.event === 'end',
      onEvent: async (e) => {
        if (e.event === 'epoch' && e.data.epoch >= 2 && !cancelled) {
          cancelled = true;
          const res = await api(base, `/api/runs/${long.body.id}/cancel`, { method: 'POST' });
          expect(res.status).toBe(202);
        }
      },
    });
    const end = byEvent(events, 'end')[0];
    expect(end.status).toBe('interrupted');
    expect(byEvent(events, 'metric').map((r) => r.type)).toContain('run_interrupted');
    const record = JSON.parse(await readFile(join(runsDir, end.id, 'run.json'), 'utf8'));
    expect(record.status).toBe('interrupted');
    expect(record.error.code).toBe('ANOMALAB_INTERRUPTED');
    expect(await readdir(join(runsDir, end.id, 'checkpoints'))).toContain('last.ckpt');
    const epochs = byEvent(events, 'epoch').length;
    expect(epochs).toBeLessThan(100000);
    // An ended run cannot be cancelled again; runs not started here are refused politely.
    expect((await api(base, `/api/runs/${end.id}/cancel`, { method: 'POST' })).status).toBe(409);
    // The cancelled job left no run folder behind.
    const folders = await readdir(runsDir);
    const experiments = await Promise.all(folders.map(async (f) => JSON.parse(await readFile(join(runsDir, f, 'run.json'), 'utf8')).experiment));
    expect(experiments).not.toContain('waiting');
  });

  it('bounds the waiting queue: past maxQueued a submission is answered 429 with Retry-After', async () => {
    const small = await serve(await openApp(join(root, 'runs-bounded')), { maxConcurrent: 1, maxQueued: 2 });
    try {
      const body = (name: string) => ({ body: { experiment: 'quickstart.yaml', overrides: ['training.epochs=100000', `name=${name}`] } });
      const posted = [];
      for (const name of ['first', 'second', 'third']) posted.push(await api(small.url, '/api/runs', body(name)));
      expect(posted.map((p) => p.status)).toEqual([202, 202, 202]);
      // One runs (or is starting), two wait: the next one is refused without queueing anything.
      const refused = await api(small.url, '/api/runs', body('fourth'));
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('ANOMALAB_QUEUE_FULL');
      expect(refused.body.error.message).toMatch(/2 experiments are already waiting \(at most 2\)/);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(5);
      const listed = (await api(small.url, '/api/runs')).body.runs.map((r: any) => r.experiment);
      expect(listed).not.toContain('fourth');
      // A freed slot takes submissions again.
      expect((await api(small.url, `/api/runs/${posted[2]!.body.id}/cancel`, { method: 'POST' })).status).toBe(202);
      expect((await api(small.url, '/api/runs', body('fifth'))).status).toBe(202);
    } finally {
      await small.close();
    }
  });

  it('404s events of unknown runs as JSON', async () => {
    const res = await api(base, '/api/runs/20990101-000000-none-0000/events');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('ANOMALAB_RUN_NOT_FOUND');
  });
});

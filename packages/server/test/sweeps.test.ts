// GET /api/sweeps and /api/sweeps/:id/report against a real server, over a real sweep made by the CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSweepReport } from '@anomalab/core';
import type { RunningServer } from '../src/index.ts';
import { api, cliSweep, openApp, rawGet, serve, tempDir } from './helpers.ts';

let root: string;
let runsDir: string;
let server: RunningServer;
let sweepId: string;

beforeAll(async () => {
  root = await tempDir('sweeps');
  runsDir = join(root, 'runs');
  sweepId = await cliSweep(runsDir);
  // A sweep folder that leads out of the store, and a secret it must not reveal.
  await mkdir(join(root, 'outside'));
  await writeFile(join(root, 'outside', 'sweep.json'), JSON.stringify({ id: 'SECRET', name: 'SECRET', entries: [] }));
  await symlink(join(root, 'outside'), join(runsDir, '_sweeps', 'linked-sweep'));
  server = await serve(await openApp(runsDir));
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

describe('GET /api/sweeps', () => {
  it('lists the sweep with its run counts and the manifest time', async () => {
    const { status, body } = await api(server.url, '/api/sweeps');
    expect(status).toBe(200);
    const mtime = (await stat(join(runsDir, '_sweeps', sweepId, 'sweep.json'))).mtime.toISOString();
    // The symlinked sweep folder is left out.
    expect(body.sweeps).toEqual([{ id: sweepId, name: 'ui-sweep', axes: ['model', 'seed'], runs: 4, completed: 4, createdAt: mtime }]);
  });
});

describe('GET /api/sweeps/:id/report', () => {
  it('answers the core report: 2 variants x (ch0, ch1, joint) + a random row per channel', async () => {
    const { status, body } = await api(server.url, `/api/sweeps/${sweepId}/report`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ sweep: sweepId, name: 'ui-sweep', missing: [] });
    const model = body.rows.filter((r: any) => r.kind === 'model');
    const random = body.rows.filter((r: any) => r.kind === 'random');
    expect(model.map((r: any) => `${r.model}/${r.channel}`).sort()).toEqual(['naive-last/ch0', 'naive-last/ch1', 'naive-last/joint', 'seasonal/ch0', 'seasonal/ch1', 'seasonal/joint']);
    expect(random.map((r: any) => r.channel)).toEqual(['ch0', 'ch1', 'joint']);
    for (const r of body.rows) {
      expect(r.series).toBe('synthetic/sines');
      expect(r.seeds).toEqual([1, 2]);
      for (const m of ['vus-pr', 'auc-pr', 'f1@oracle', 'f1@deployable']) expect(r.metrics[m]).toMatchObject({ n: 2, mean: expect.any(Number), std: expect.any(Number) });
    }
    for (const r of model) expect(r.runs).toHaveLength(2);
    // Every channel has a best AUC-PR among the model rows; random rows are never marked.
    for (const channel of ['ch0', 'ch1', 'joint']) expect(model.filter((r: any) => r.channel === channel && r.best['auc-pr'])).not.toHaveLength(0);
    // Ranked by VUS-PR (default), with each variant's mean rank over the 3 channels.
    expect(body.rankBy).toBe('vus-pr');
    expect(body.ranking.map((r: any) => r.n)).toEqual([3, 3]);
    const ranked = await api(server.url, `/api/sweeps/${sweepId}/report?rank-by=range-f1@oracle`);
    expect(ranked.body.rankBy).toBe('range-f1@oracle');
    for (const r of ranked.body.rows.filter((row: any) => row.kind === 'model' && row.best['range-f1@oracle'])) expect(r.rank).toBeLessThanOrEqual(1.5);
    expect((await api(server.url, `/api/sweeps/${sweepId}/report?rank-by=DROP%20TABLE`)).status).toBe(400);
    const unknown = await api(server.url, `/api/sweeps/${sweepId}/report?rank-by=nope@oracle`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/no run of sweep .* has metric "nope@oracle"; metrics: vus-pr, /);
    for (const r of random) expect(r.best).toEqual({});
    expect(body.protocol.some((l: string) => l.startsWith('Seeds: 1, 2'))).toBe(true);
    // Exactly what `anomalab report --format json` builds.
    const app = await openApp(runsDir);
    expect(body).toEqual(JSON.parse(JSON.stringify(await buildSweepReport(app.runs, sweepId, { registry: app.registry }))));
  });

  it('answers 404 JSON for an unknown sweep', async () => {
    const { status, body } = await api(server.url, '/api/sweeps/no-such-sweep/report');
    expect(status).toBe(404);
    expect(body.error).toMatchObject({ code: 'ANOMALAB_NOT_FOUND', message: expect.stringContaining('no-such-sweep') });
  });

  it.each([
    ['..', '/api/sweeps/../report'],
    ['encoded ..', '/api/sweeps/%2e%2e/report'],
    ['encoded ../ in an id', '/api/sweeps/..%2f_sweeps%2fx/report'],
    ['encoded ../../', '/api/sweeps/%2e%2e%2f%2e%2e%2foutside/report'],
    ['absolute id', '/api/sweeps/%2fetc%2fpasswd/report'],
    ['hidden name', '/api/sweeps/_sweeps/report'],
  ])('refuses %s', async (_name, path) => {
    const { status, text } = await rawGet(server, path);
    expect([400, 404]).toContain(status);
    expect(JSON.parse(text).error.code).toMatch(/^ANOMALAB_(INVALID_PATH|NOT_FOUND)$/);
    expect(text).not.toContain('SECRET');
  });

  it('refuses ids that reach the route with 400, and a sweep folder symlinked out with 403', async () => {
    const bad = await rawGet(server, '/api/sweeps/..%2foutside/report');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error.code).toBe('ANOMALAB_INVALID_PATH');
    const linked = await rawGet(server, '/api/sweeps/linked-sweep/report');
    expect(linked.status).toBe(403);
    expect(linked.text).not.toContain('SECRET');
  });
});

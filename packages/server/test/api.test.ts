// The JSON API against a real server on an ephemeral port, over real quickstart runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Anomalab } from '@anomalab/core';
import type { RunningServer } from '../src/index.ts';
import { api, openApp, quickRun, rawGet, readSeriesEntry, serve, tempDir } from './helpers.ts';

let root: string;
let runsDir: string;
let experimentsDir: string;
let app: Anomalab;
let server: RunningServer;
let base: string;
let runA: string; // quickstart, seed 1111
let runB: string; // quickstart, seed 7, 2 epochs
let big: string; // 45,000 test rows

beforeAll(async () => {
  root = await tempDir('api');
  runsDir = join(root, 'runs');
  experimentsDir = join(root, 'experiments');
  await mkdir(experimentsDir);
  await writeFile(join(experimentsDir, 'quickstart.yaml'), await readFile(join(import.meta.dirname, '..', '..', '..', 'experiments', 'quickstart.yaml'), 'utf8'));
  // Three problems on known lines: an unknown model, a negative epoch count, an unknown key.
  await writeFile(join(experimentsDir, 'broken.yaml'), 'name: broken\ndataset:\n  name: synthetic\nmodel:\n  name: no-such-model\ntraining:\n  epochs: -3\nbogus: 1\n');
  app = await openApp(runsDir);
  runA = await quickRun(app);
  runB = await quickRun(app, ['seed=7', 'training.epochs=2']);
  big = await quickRun(app, ['dataset.options.length=90000', 'name=big']);
  // Things outside both folders that must stay unreadable.
  await mkdir(join(root, 'secret'));
  await writeFile(join(root, 'secret', 'run.json'), JSON.stringify({ id: 'secret', status: 'completed', experiment: 'SECRET' }));
  await writeFile(join(root, 'secret', 'series.json'), '{"SECRET":true}');
  await writeFile(join(root, 'secret.yaml'), 'name: SECRET\n');
  await symlink(join(root, 'secret'), join(runsDir, 'linked-run'));
  await symlink(join(root, 'secret.yaml'), join(experimentsDir, 'linked.yaml'));
  server = await serve(app, { experimentsDir, bodyLimit: 4096 });
  base = server.url;
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

describe('GET /api/health', () => {
  it('answers ok with the plugins and folders', async () => {
    const { status, body } = await api(base, '/api/health');
    expect(status).toBe(200);
    expect(body.ok).toBe(true);
    expect(body.plugins.models).toContain('baselines');
    expect(body.queue).toEqual({ queued: 0, running: 0 });
  });
});

describe('GET /api/runs', () => {
  it('lists every run with headline metrics and a total, newest first', async () => {
    const { status, body } = await api(base, '/api/runs');
    expect(status).toBe(200);
    expect(body.total).toBe(3);
    expect(body.runs.map((r: any) => r.id)).toEqual([big, runB, runA]);
    const a = body.runs.find((r: any) => r.id === runA);
    expect(a).toMatchObject({ status: 'completed', experiment: 'quickstart', dataset: 'synthetic/sines', model: 'baselines', seed: 1111 });
    expect(a.oracle_f).toBe(a.metrics.joint.oracle.f1);
    expect(a.summary.joint).toMatchObject({ oracle_f: a.oracle_f, deployable_f: a.deployable_f, auc_pr: a.metrics.joint.aucPr });
    expect(a.auc_pr).toBeGreaterThan(0);
    expect(a.dir).toBeUndefined(); // absolute paths stay on the server
  });

  it('filters by experiment, dataset, model and status', async () => {
    expect((await api(base, '/api/runs?experiment=big')).body.runs.map((r: any) => r.id)).toEqual([big]);
    expect((await api(base, '/api/runs?dataset=synthetic')).body.total).toBe(3);
    expect((await api(base, '/api/runs?dataset=synthetic/sines&model=baselines&status=completed')).body.total).toBe(3);
    expect((await api(base, '/api/runs?model=rnn')).body.total).toBe(0);
    expect((await api(base, '/api/runs?status=running,failed')).body.total).toBe(0);
  });

  it('sorts by startedAt, duration and oracle_f in either order, and paginates', async () => {
    const all = (await api(base, '/api/runs')).body.runs;
    const byF = (await api(base, '/api/runs?sort=oracle_f&order=desc')).body.runs.map((r: any) => r.oracle_f);
    expect(byF).toEqual([...all.map((r: any) => r.oracle_f)].sort((x: number, y: number) => y - x));
    const byDuration = (await api(base, '/api/runs?sort=duration&order=asc')).body.runs.map((r: any) => r.durationMs);
    expect(byDuration).toEqual([...byDuration].sort((x: number, y: number) => x - y));
    const oldest = (await api(base, '/api/runs?sort=startedAt&order=asc')).body.runs.map((r: any) => r.id);
    expect(oldest).toEqual([runA, runB, big]);
    const page = (await api(base, '/api/runs?sort=startedAt&order=asc&limit=1&offset=1')).body;
    expect(page).toMatchObject({ total: 3, limit: 1, offset: 1 });
    expect(page.runs.map((r: any) => r.id)).toEqual([runB]);
  });

  it('rejects unknown sort keys and bad numbers with 400', async () => {
    const bad = await api(base, '/api/runs?sort=color');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('ANOMALAB_BAD_REQUEST');
    expect(bad.body.error.message).toContain('oracle_f');
    expect((await api(base, '/api/runs?limit=-1')).status).toBe(400);
  });
});

describe('GET /api/runs/:id', () => {
  it('returns the record, the resolved config and the results summary', async () => {
    const { status, body } = await api(base, `/api/runs/${runB}`);
    expect(status).toBe(200);
    expect(body.run).toMatchObject({ id: runB, status: 'completed', seed: 7 });
    expect(body.config).toMatchObject({ seed: 7, training: { epochs: 2 }, detector: { name: 'gaussian', window: 10 } });
    expect(body.channels).toEqual(['ch0', 'ch1']);
    expect(body.joint).toBe(true);
    expect(body.rows).toBe(3000);
    expect(body.results.joint.metrics.oracle.f1).toBe(body.run.summary.joint.oracle_f);
    expect(body.results.channels.map((c: any) => c.channel)).toEqual(['ch0', 'ch1']);
  });

  it('404s unknown runs with a JSON error', async () => {
    const { status, body } = await api(base, '/api/runs/20990101-000000-nothing-0000');
    expect(status).toBe(404);
    expect(body.error.code).toBe('ANOMALAB_RUN_NOT_FOUND');
  });
});

describe('GET /api/runs/:id/history, /curves, /log', () => {
  it('gives per-epoch train terms and validation loss', async () => {
    const { status, body } = await api(base, `/api/runs/${runB}/history`);
    expect(status).toBe(200);
    expect(body.epoch).toEqual([1, 2]);
    expect(Object.keys(body.train).sort()).toEqual(['loss', 'period']);
    expect(body.train.loss).toHaveLength(2);
    expect(body.validation.loss.every((v: number) => typeof v === 'number')).toBe(true);
  });

  it('gives the oracle precision/recall/F curves per channel and joint', async () => {
    const { body } = await api(base, `/api/runs/${runA}/curves`);
    expect(body.channels.map((c: any) => c.channel)).toEqual(['ch0', 'ch1', 'joint']);
    const joint = body.channels[2];
    expect(joint.curves.threshold.length).toBeGreaterThan(10);
    expect(joint.curves.threshold).toEqual([...joint.curves.threshold].sort((x: number, y: number) => x - y));
    // float32 on disk: the curve's maximum is the oracle F1 to float32 precision.
    expect(Math.max(...joint.curves.f)).toBeCloseTo(joint.oracle.f, 6);
  });

  it('tails log.txt', async () => {
    const { body } = await api(base, `/api/runs/${runA}/log?tail=3`);
    expect(body.lines).toHaveLength(3);
    expect(body.lines[2]).toContain(`run ${runA} completed`);
    expect(body.total).toBeGreaterThan(3);
  });
});

describe('GET /api/runs/:id/series/:channel', () => {
  it('returns a small range at full resolution, by channel name or index', async () => {
    const byName = await api(base, `/api/runs/${runA}/series/ch1?from=100&to=150`);
    expect(byName.status).toBe(200);
    expect(byName.body.downsampled).toBe(false);
    expect(byName.body.x).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
    expect(Object.keys(byName.body.series)).toEqual(['target', 'prediction1', 'predictionW', 'predictionMean', 'score', 'labels']);
    const full = await readSeriesEntry(join(runsDir, runA), 'ch1');
    expect(byName.body.series.target).toEqual(full.arrays.target!.slice(100, 150));
    const byIndex = await api(base, `/api/runs/${runA}/series/1?from=100&to=150`);
    expect(byIndex.body.series).toEqual(byName.body.series);
    expect(byIndex.body.channel).toEqual({ index: 1, name: 'ch1', kind: 'channel' });
    expect(byName.body.thresholds.oracle).toBeGreaterThan(0);
  });

  it('downsamples a 45,000-row series to <= maxPoints, keeping every min and max (latency: npm run bench:server)', async () => {
    const full = await readSeriesEntry(join(runsDir, big), 'ch0');
    expect(full.rows).toBe(45_000);
    await api(base, `/api/runs/${big}/series/ch0?maxPoints=10`); // warm the parse cache
    const { status, body } = await api(base, `/api/runs/${big}/series/ch0?maxPoints=1000`);
    expect(status).toBe(200);
    expect(body.downsampled).toBe(true);
    expect(body.x.length).toBeLessThanOrEqual(1000);
    for (const key of ['target', 'score'] as const) {
      const values = full.arrays[key]!.filter((v): v is number => v !== null);
      const sampled = body.series[key].filter((v: number | null) => v !== null);
      expect(sampled.length).toBe(body.x.length);
      expect(Math.max(...sampled)).toBe(Math.max(...values));
      expect(Math.min(...sampled)).toBe(Math.min(...values));
    }
    // Labelled ranges are exact (full resolution), whatever the downsampling.
    const labelled = full.arrays.label!.reduce((n: number, v) => n + (v ?? 0), 0);
    expect(body.anomalies.reduce((n: number, [s, e]: [number, number]) => n + e - s + 1, 0)).toBe(labelled);
    // A zoomed window keeps its own extremes too.
    const zoom = await api(base, `/api/runs/${big}/series/ch0?from=10000&to=20000&maxPoints=300`);
    expect(zoom.body.x.length).toBeLessThanOrEqual(300);
    expect(zoom.body.x[0]).toBe(10000);
    expect(zoom.body.x.at(-1)).toBe(19999);
    expect(Math.max(...zoom.body.series.target)).toBe(Math.max(...(full.arrays.target!.slice(10000, 20000) as number[])));
    // Predictions are missing before the first window: null, never NaN or 0.
    const start = await api(base, `/api/runs/${big}/series/ch0?from=0&to=5`);
    expect(start.body.series.prediction1[0]).toBeNull();
    expect(start.body.series.predictionMean.slice(0, 5)).toEqual([null, null, null, null, null]);
  });

  it('serves the joint score', async () => {
    const { status, body } = await api(base, `/api/runs/${runA}/series/joint?maxPoints=100`);
    expect(status).toBe(200);
    expect(Object.keys(body.series)).toEqual(['score', 'labels']);
    expect(body.x.length).toBeLessThanOrEqual(100);
  });

  it('rejects unknown channels and bad ranges', async () => {
    const missing = await api(base, `/api/runs/${runA}/series/ch9`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('0=ch0');
    expect((await api(base, `/api/runs/${runA}/series/ch0?maxPoints=1`)).status).toBe(400);
    expect((await api(base, `/api/runs/${runA}/series/ch0?from=abc`)).status).toBe(400);
    expect((await api(base, `/api/runs/${runA}/series/ch0?from=50&to=10`)).status).toBe(400);
  });
});

describe('runs written before the current formats', () => {
  it('reads run.json v1 metrics, series.json and results.json curves', async () => {
    const id = '20200101-000000-legacy-0000';
    const dir = join(runsDir, id);
    await mkdir(dir);
    const metrics = { x: { oracle_f: 0.5, oracle_precision: 0.4, oracle_recall: 0.7, oracle_threshold: 3, deployable_f: 0.1, deployable_precision: 1, deployable_recall: 0.05, deployable_threshold: 9 } };
    await writeFile(join(dir, 'run.json'), JSON.stringify({ id, status: 'completed', experiment: 'legacy', dataset: 'old/one', model: 'baselines', seed: 1, startedAt: '2020-01-01T00:00:00.000Z', durationMs: 5, backend: 'none', node: 'v20', versions: {}, metrics }));
    await writeFile(join(dir, 'config.json'), '{}');
    const rows = 8;
    await writeFile(join(dir, 'series.json'), JSON.stringify({ split: 'test', offset: 0, rows, window: 2, labels: [0, 0, 1, 1, 0, 0, 0, 1], channels: [{ name: 'x', target: [1, 2, 3, 4, 5, 6, 7, 8], prediction1: [null, 1, 2, 3, 4, 5, 6, 7], predictionMean: [null, null, 1, 2, 3, 4, 5, 6], score: [0, 0, 5, 6, 1, 1, 1, 9] }], jointScore: null }));
    await writeFile(join(dir, 'results.json'), JSON.stringify({ dataset: 'old/one', labelled: true, channels: [{ channel: 'x', evaluations: [{ evaluator: 'oracle', metrics: { f: 0.5 }, curves: { threshold: [1, 3], precision: [0.3, 0.4], recall: [0.9, 0.7], f: [0.45, 0.5] } }] }] }));
    try {
      const listed = (await api(base, '/api/runs?experiment=legacy')).body.runs[0];
      expect(listed).toMatchObject({ oracle_f: 0.5, deployable_f: 0.1, auc_pr: null });
      expect(listed.summary.x.oracle_threshold).toBe(3);
      const detail = (await api(base, `/api/runs/${id}`)).body;
      expect(detail.channels).toEqual(['x']);
      expect(detail.results.channels[0].evaluations[0].curves).toBeUndefined();
      const series = (await api(base, `/api/runs/${id}/series/x?maxPoints=4`)).body;
      expect(series.x.length).toBeLessThanOrEqual(4);
      expect(Math.max(...series.series.score)).toBe(9);
      expect(series.anomalies).toEqual([[2, 3], [7, 7]]);
      const curves = (await api(base, `/api/runs/${id}/curves`)).body;
      expect(curves.channels).toEqual([{ channel: 'x', curves: { threshold: [1, 3], precision: [0.3, 0.4], recall: [0.9, 0.7], f: [0.45, 0.5] }, oracle: { f: 0.5, threshold: 3 } }]);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('GET /api/leaderboard and /api/experiments', () => {
  it('ranks completed runs per dataset by VUS-PR, or by any metric key', async () => {
    const { body } = await api(base, '/api/leaderboard');
    expect(body.metric).toBe('vus-pr');
    expect(body.datasets).toHaveLength(1);
    const [board] = body.datasets;
    expect(board.dataset).toBe('synthetic/sines');
    expect(board.runs).toBe(3);
    // The value is the joint score's VUS-PR from run.json.
    const runs = (await api(base, '/api/runs')).body.runs;
    for (const r of board.top) expect(r.value).toBe(runs.find((x: any) => x.id === r.id).metrics.joint.evaluators.vus.metrics['vus-pr']);
    const vus = board.top.map((r: any) => r.value);
    expect(vus).toEqual([...vus].sort((x: number, y: number) => y - x));
    expect(board.hasAucPr).toBe(true);
    expect(board.top[0].auc_pr).toBeGreaterThan(0);
    for (const metric of ['f1@oracle', 'affiliation-f1@deployable']) {
      const other = (await api(base, `/api/leaderboard?metric=${encodeURIComponent(metric)}`)).body;
      expect(other.metric).toBe(metric);
      const values = other.datasets[0].top.map((r: any) => r.value);
      expect(values.every((v: unknown) => typeof v === 'number')).toBe(true);
      expect(values).toEqual([...values].sort((x: number, y: number) => y - x));
    }
    expect((await api(base, '/api/leaderboard?metric=f1@nowhere')).status).toBe(400);
  });

  it('lists the experiments folder and reads one file; symlinks out of it are not offered', async () => {
    const list = await api(base, '/api/experiments');
    expect(list.body.experiments.map((e: any) => e.name)).toEqual(['broken.yaml', 'quickstart.yaml']);
    expect(list.body.experiments[1]).toMatchObject({ experiment: 'quickstart', dataset: 'synthetic', model: 'baselines' });
    const one = await api(base, '/api/experiments/quickstart.yaml');
    expect(one.body.yaml).toContain('name: quickstart');
  });
});

describe('POST /api/runs validation', () => {
  it('400s a bad experiment file with every problem and its file:line', async () => {
    const { status, body } = await api(base, '/api/runs', { body: { experiment: 'broken.yaml' } });
    expect(status).toBe(400);
    expect(body.error.code).toBe('ANOMALAB_CONFIG_INVALID');
    const problems = body.error.problems;
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.every((p: any) => p.source.endsWith('broken.yaml'))).toBe(true);
    expect(problems.find((p: any) => p.path === 'model.name')).toMatchObject({ line: 5 });
    expect(problems.map((p: any) => p.message).join('\n')).toContain('no-such-model');
    // Nothing was queued or created.
    expect((await api(base, '/api/runs')).body.total).toBe(3);
  });

  it('400s bad inline YAML: syntax errors with line and column, overrides named', async () => {
    const syntax = await api(base, '/api/runs', { body: { yaml: 'name: x\ndataset: [unclosed\n' } });
    expect(syntax.status).toBe(400);
    expect(syntax.body.error.problems[0]).toMatchObject({ source: '<inline>', path: '(yaml)' });
    expect(syntax.body.error.problems[0].line).toBeGreaterThanOrEqual(2);
    const overrides = await api(base, '/api/runs', { body: { yaml: 'dataset: {name: synthetic}\nmodel: {name: baselines}\n', overrides: ['training.epochs=-1', 'detector.window=zero'] } });
    expect(overrides.status).toBe(400);
    expect(overrides.body.error.problems).toHaveLength(2);
  });

  it('refuses plugin modules from a request', async () => {
    const { status, body } = await api(base, '/api/runs', { body: { yaml: 'plugins: [./evil.ts]\ndataset: {name: synthetic}\nmodel: {name: baselines}\n' } });
    expect(status).toBe(400);
    expect(body.error.problems[0]).toMatchObject({ path: 'plugins', line: 1 });
    expect((await api(base, '/api/runs', { body: { experiment: 'quickstart.yaml', overrides: ['plugins=[x]'] } })).status).toBe(400);
  });

  it('sends matrix experiments (sweeps) to the CLI', async () => {
    const { status, body } = await api(base, '/api/runs', { body: { yaml: 'dataset: {name: synthetic}\nmodel: {name: baselines}\nmatrix:\n  seed: [1, 2]\n' } });
    expect(status).toBe(400);
    expect(body.error.message).toContain('anomalab experiment');
  });

  it('400s malformed bodies', async () => {
    expect((await api(base, '/api/runs', { body: '{not json' })).status).toBe(400);
    expect((await api(base, '/api/runs', { body: {} })).body.error.code).toBe('ANOMALAB_BAD_REQUEST');
    expect((await api(base, '/api/runs', { body: { yaml: 'a: 1', experiment: 'x.yaml' } })).status).toBe(400);
    expect((await api(base, '/api/runs', { body: { experiment: 'quickstart.yaml', overrides: 'seed=1' } })).status).toBe(400);
    expect((await api(base, '/api/runs', { body: { experiment: 'missing.yaml' } })).status).toBe(404);
  });

  it('413s bodies over the limit', async () => {
    const { status, body } = await api(base, '/api/runs', { body: { yaml: `# ${'x'.repeat(8000)}\n` } });
    expect(status).toBe(413);
    expect(body.error.code).toBe('ANOMALAB_PAYLOAD_TOO_LARGE');
  });
});

describe('path safety', () => {
  const leaks = (text: string) => text.includes('SECRET') || text.includes('root:');

  it.each([
    ['..', '/api/runs/../secret'],
    ['encoded ..', '/api/runs/%2e%2e/history'],
    ['encoded ../ in an id', '/api/runs/..%2fsecret'],
    ['encoded ../../ to /etc', '/api/runs/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd/log'],
    ['absolute id', '/api/runs/%2fetc%2fpasswd'],
    ['experiment ..', '/api/experiments/..%2fsecret.yaml'],
    ['absolute experiment', '/api/experiments/%2Fetc%2Fpasswd'],
    ['static ..', '/../../../../etc/passwd'],
    ['static encoded ..', '/%2e%2e/%2e%2e/package.json'],
    ['static encoded slash', '/..%2f..%2fsrc%2fapp.ts'],
  ])('refuses %s', async (_name, path) => {
    const { status, text } = await rawGet(server, path);
    expect([400, 403, 404]).toContain(status);
    expect(leaks(text)).toBe(false);
    expect(text).not.toContain('createServerApp');
    expect(JSON.parse(text).error.code).toMatch(/^ANOMALAB_/);
  });

  it('refuses a run folder that is a symlink out of the store', async () => {
    for (const path of ['/api/runs/linked-run', '/api/runs/linked-run/series/0', '/api/runs/linked-run/log']) {
      const { status, text } = await rawGet(server, path);
      expect(status).toBe(403);
      expect(leaks(text)).toBe(false);
    }
    // And it is not listed either.
    expect((await api(base, '/api/runs')).body.runs.map((r: any) => r.id)).not.toContain('linked-run');
  });

  it('refuses a file inside a run that is a symlink out of the store', async () => {
    const victim = await quickRun(app, ['name=victim']);
    await rm(join(runsDir, victim, 'series', 'index.json'));
    await symlink(join(root, 'secret', 'series.json'), join(runsDir, victim, 'series', 'index.json'));
    const { status, text } = await rawGet(server, `/api/runs/${victim}/series/0`);
    expect(status).toBe(403);
    expect(leaks(text)).toBe(false);
    await rm(join(runsDir, victim), { recursive: true });
  });

  it('refuses an experiment that is a symlink out of the folder', async () => {
    const read = await rawGet(server, '/api/experiments/linked.yaml');
    expect(read.status).toBe(403);
    expect(leaks(read.text)).toBe(false);
    const launch = await api(base, '/api/runs', { body: { experiment: 'linked.yaml' } });
    expect(launch.status).toBe(403);
    expect((await api(base, '/api/experiments')).body.experiments.map((e: any) => e.name)).not.toContain('linked.yaml');
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const { status, body } = await api(base, '/api/nope');
    expect(status).toBe(404);
    expect(body.error.code).toBe('ANOMALAB_NOT_FOUND');
  });
});

describe('web UI files', () => {
  it('serves index.html, the app modules and uPlot from node_modules', async () => {
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    const html = await index.text();
    expect(html).toContain('<script type="module"');
    const uplot = await fetch(`${base}/vendor/uplot/uPlot.esm.js`);
    expect(uplot.status).toBe(200);
    expect(uplot.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${base}/vendor/uplot/package.json`)).status).toBe(404);
  });
});

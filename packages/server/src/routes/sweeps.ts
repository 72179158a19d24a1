import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { Hono } from 'hono';
import { buildSweepReport, SWEEP_MANIFEST, SWEEPS_FOLDER } from '@anomalab/core';
import type { ServerContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { metricParam } from './leaderboard.ts';
import { assertSafeSweepId, resolveInside } from '../safe-paths.ts';


interface SweepManifest {
  id?: string;
  name?: string;
  file?: string;
  axes?: string[];
  entries?: Array<{ index: number; runId: string; labels: Record<string, string> }>;
}

/** One sweep as `GET /api/sweeps` lists it. */
export interface ApiSweep {
  id: string;
  name: string;
  axes: string[];
  runs: number;
  completed: number;
  /** mtime of sweep.json (ISO). */
  createdAt: string;
}

/**
 * Real path of `<runs>/_sweeps`, or undefined when there is none. `_sweeps` itself must not
 * lead out of the run store (a symlink out is refused like a symlinked run folder).
 */
async function sweepsRoot(ctx: ServerContext): Promise<string | undefined> {
  const realRoot = await realpath(resolve(ctx.app.runs.root)).catch(() => undefined);
  if (!realRoot) return undefined;
  const real = await realpath(join(realRoot, SWEEPS_FOLDER)).catch(() => undefined);
  if (!real) return undefined;
  if (!real.startsWith(realRoot + sep)) throw new HttpError(403, 'ANOMALAB_FORBIDDEN_PATH', `${SWEEPS_FOLDER} resolves outside the run store (symlink?): refused`);
  return real;
}

/** Real path of a sweep's sweep.json (id checked by shape and location), or undefined. */
async function manifestPath(ctx: ServerContext, id: string): Promise<string | undefined> {
  assertSafeSweepId(id);
  const root = await sweepsRoot(ctx);
  return root ? resolveInside(root, [id, SWEEP_MANIFEST]) : undefined;
}

async function describeSweep(ctx: ServerContext, id: string, path: string): Promise<ApiSweep | undefined> {
  let manifest: SweepManifest;
  let mtime: Date;
  try {
    [manifest, mtime] = await Promise.all([readFile(path, 'utf8').then((t) => JSON.parse(t) as SweepManifest), stat(path).then((s) => s.mtime)]);
  } catch {
    return undefined; // half-written or not a manifest: not listed
  }
  const entries = Array.isArray(manifest.entries) ? manifest.entries : [];
  const statuses = await Promise.all(entries.map((e) => ctx.files.record(String(e?.runId)).then((r) => r.status, () => undefined)));
  return {
    id: typeof manifest.id === 'string' ? manifest.id : id,
    name: typeof manifest.name === 'string' ? manifest.name : id,
    axes: Array.isArray(manifest.axes) ? manifest.axes : [],
    runs: entries.length,
    completed: statuses.filter((s) => s === 'completed').length,
    createdAt: mtime.toISOString(),
  };
}

/**
 * `GET /api/sweeps`: the sweeps of the run store, newest first.
 * `GET /api/sweeps/:id/report?rank-by=<metric>`: the sweep's benchmark table (`buildSweepReport`, as
 * `anomalab report --format json [--rank-by]`; default rank metric vus-pr).
 */
export function sweepRoutes(ctx: ServerContext): Hono {
  const api = new Hono();

  api.get('/', async (c) => {
    const root = await sweepsRoot(ctx);
    const names = root ? await readdir(root).catch(() => [] as string[]) : [];
    const sweeps: ApiSweep[] = [];
    for (const name of names) {
      let path: string | undefined;
      try {
        path = await manifestPath(ctx, name);
      } catch {
        continue; // odd names and symlinks out are left out of the list
      }
      const sweep = path ? await describeSweep(ctx, name, path) : undefined;
      if (sweep) sweeps.push(sweep);
    }
    sweeps.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
    return c.json({ sweeps });
  });

  api.get('/:id/report', async (c) => {
    const id = c.req.param('id');
    if (!(await manifestPath(ctx, id))) throw new HttpError(404, 'ANOMALAB_NOT_FOUND', `no sweep ${JSON.stringify(id)} (its id is printed when the sweep starts; GET /api/sweeps lists them)`);
    const rankBy = metricParam(c.req.query('rank-by'), 'rank-by');
    return c.json(await buildSweepReport(ctx.app.runs, id, { rankBy, registry: ctx.app.registry }));
  });

  return api;
}

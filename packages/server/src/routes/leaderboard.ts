import { Hono } from 'hono';
import type { ServerContext } from '../context.ts';
import { HttpError } from '../errors.ts';

/**
 * `GET /api/leaderboard?limit=10&dataset=`: completed runs per dataset, best oracle F
 * first, with AUC-PR where the run's metrics have it (joint, else the channel mean).
 */
export function leaderboardRoutes(ctx: ServerContext): Hono {
  const api = new Hono();

  api.get('/', async (c) => {
    const limitRaw = c.req.query('limit') ?? '10';
    if (!/^\d+$/.test(limitRaw) || Number(limitRaw) < 1) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', `limit must be a positive whole number, got ${JSON.stringify(limitRaw)}`);
    const limit = Math.min(Number(limitRaw), 100);
    const only = c.req.query('dataset');
    const runs = (await ctx.catalog.list()).filter((r) => r.status === 'completed' && r.oracle_f !== null && (!only || r.dataset === only));
    const byDataset = new Map<string, typeof runs>();
    for (const r of runs) byDataset.set(r.dataset, [...(byDataset.get(r.dataset) ?? []), r]);
    const datasets = [];
    for (const [dataset, list] of [...byDataset.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      list.sort((a, b) => b.oracle_f! - a.oracle_f! || (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
      const top = [];
      for (const r of list.slice(0, limit)) {
        top.push({ id: r.id, experiment: r.experiment, model: r.model, seed: r.seed, startedAt: r.startedAt, durationMs: r.durationMs, oracle_f: r.oracle_f, deployable_f: r.deployable_f, auc_pr: r.auc_pr });
      }
      datasets.push({ dataset, runs: list.length, hasAucPr: top.some((r) => r.auc_pr !== null), top });
    }
    return c.json({ datasets });
  });
  return api;
}

import { Hono } from 'hono';
import type { ServerContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import type { ResultsFile } from './runs.ts';

const AUC_PR_KEYS = ['auc_pr', 'aucpr', 'pr_auc', 'average_precision'];

/** AUC-PR of a run when some evaluator reported one: joint if present, else the channel mean. */
function aucPr(results: ResultsFile | undefined): number | null {
  if (!results) return null;
  const of = (ch: ResultsFile['channels'][number]) => {
    for (const e of ch.evaluations) for (const k of AUC_PR_KEYS) if (typeof e.metrics[k] === 'number') return e.metrics[k] as number;
    return null;
  };
  if (results.joint) {
    const joint = of(results.joint);
    if (joint !== null) return joint;
  }
  const values = results.channels.map(of).filter((v): v is number => v !== null);
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

/**
 * `GET /api/leaderboard?limit=10&dataset=`: completed runs per dataset, best oracle F
 * first. AUC-PR comes from results.json (only for the listed runs; completed results do
 * not change, so it is computed once per run).
 */
export function leaderboardRoutes(ctx: ServerContext): Hono {
  const api = new Hono();
  const aucCache = new Map<string, number | null>();

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
        if (!aucCache.has(r.id)) aucCache.set(r.id, aucPr(await ctx.files.readJson<ResultsFile>(r.id, 'results.json').catch(() => undefined)));
        top.push({ id: r.id, experiment: r.experiment, model: r.model, seed: r.seed, startedAt: r.startedAt, durationMs: r.durationMs, oracle_f: r.oracle_f, deployable_f: r.deployable_f, auc_pr: aucCache.get(r.id) ?? null });
      }
      datasets.push({ dataset, runs: list.length, hasAucPr: top.some((r) => r.auc_pr !== null), top });
    }
    return c.json({ datasets });
  });
  return api;
}

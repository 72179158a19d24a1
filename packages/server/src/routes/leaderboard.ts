import { Hono } from 'hono';
import { DEFAULT_RANK_METRIC, runMetricValue, type ChannelMetrics } from '@anomalab/core';
import type { ServerContext } from '../context.ts';
import { HttpError } from '../errors.ts';

/** A metric key query parameter (e.g. `vus-pr`, `range-f1@oracle`), or a 400. */
export function metricParam(value: string | undefined, name: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[a-z0-9-]{1,40}(@(oracle|deployable))?$/.test(value)) {
    throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', `${name} must be a metric key such as vus-pr, auc-pr, f1@oracle or range-f1@deployable, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * `GET /api/leaderboard?limit=10&dataset=&metric=vus-pr`: completed runs per dataset, best
 * first by `metric` (default vus-pr; any metric key, the joint score's value or else the
 * channel mean), with oracle/deployable F1 and AUC-PR beside it. Runs without the metric
 * (e.g. made before evaluators existed) are listed after the others.
 */
export function leaderboardRoutes(ctx: ServerContext): Hono {
  const api = new Hono();

  api.get('/', async (c) => {
    const limitRaw = c.req.query('limit') ?? '10';
    if (!/^\d+$/.test(limitRaw) || Number(limitRaw) < 1) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', `limit must be a positive whole number, got ${JSON.stringify(limitRaw)}`);
    const limit = Math.min(Number(limitRaw), 100);
    const metric = metricParam(c.req.query('metric'), 'metric') ?? DEFAULT_RANK_METRIC;
    const only = c.req.query('dataset');
    const runs = (await ctx.catalog.list())
      .filter((r) => r.status === 'completed' && r.oracle_f !== null && (!only || r.dataset === only))
      .map((r) => ({ run: r, value: runMetricValue(r.metrics as Record<string, ChannelMetrics> | undefined, metric) }));
    const byDataset = new Map<string, typeof runs>();
    for (const r of runs) byDataset.set(r.run.dataset, [...(byDataset.get(r.run.dataset) ?? []), r]);
    const datasets = [];
    for (const [dataset, list] of [...byDataset.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      list.sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity) || b.run.oracle_f! - a.run.oracle_f! || (a.run.startedAt ?? '').localeCompare(b.run.startedAt ?? ''));
      const top = list.slice(0, limit).map(({ run: r, value }) => ({
        id: r.id, experiment: r.experiment, model: r.model, seed: r.seed, startedAt: r.startedAt, durationMs: r.durationMs,
        value, oracle_f: r.oracle_f, deployable_f: r.deployable_f, auc_pr: r.auc_pr,
      }));
      datasets.push({ dataset, runs: list.length, hasAucPr: top.some((r) => r.auc_pr !== null), top });
    }
    return c.json({ metric, datasets });
  });
  return api;
}

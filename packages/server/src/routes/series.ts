import { Hono } from 'hono';
import type { ServerContext } from '../context.ts';
import { downsampleMinMax, labelRanges, type Value } from '../downsample.ts';
import { HttpError } from '../errors.ts';

/** series.json as written by the pipeline (test split, standardised units). */
interface SeriesFile {
  split: string;
  offset: number;
  rows: number;
  window: number;
  labels: number[] | null;
  channels: Array<{ name: string; target: Value[]; prediction1: Value[]; predictionMean: Value[]; score: Value[] }>;
  jointScore: Value[] | null;
}

const DEFAULT_MAX_POINTS = 2000;
const MAX_MAX_POINTS = 200_000;

function intQuery(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', `${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/**
 * `GET /api/runs/:id/series/:channel?from=&to=&maxPoints=`: one channel (by name, index or
 * `joint`) of the test split, rows `[from, to)`, min/max-downsampled to at most maxPoints.
 * Label ranges are computed at full resolution so no anomaly disappears when zoomed out.
 */
export function seriesRoutes(ctx: ServerContext): Hono {
  const api = new Hono();
  api.get('/:id/series/:channel', async (c) => {
    const { resolved, view } = await ctx.catalog.view(c.req.param('id'));
    const id = resolved.runId;
    const series = id ? await ctx.files.readJson<SeriesFile>(id, 'series.json') : undefined;
    if (!id || !series) throw new HttpError(404, 'ANOMALAB_NOT_FOUND', `run ${c.req.param('id')} has no series yet (status ${view.status}): series.json is written when scoring ends`);

    const wanted = c.req.param('channel');
    let index: number | 'joint';
    if (wanted === 'joint') {
      if (!series.jointScore) throw new HttpError(404, 'ANOMALAB_NOT_FOUND', `run ${id} has no joint score (one channel, or the detector's joint option is off)`);
      index = 'joint';
    } else {
      const byName = series.channels.findIndex((ch) => ch.name === wanted);
      index = byName >= 0 ? byName : /^\d+$/.test(wanted) && Number(wanted) < series.channels.length ? Number(wanted) : -1;
      if (index < 0) throw new HttpError(404, 'ANOMALAB_NOT_FOUND', `run ${id} has no channel ${JSON.stringify(wanted)}; channels: ${series.channels.map((ch, i) => `${i}=${ch.name}`).join(', ')}${series.jointScore ? ', joint' : ''}`);
    }

    const rows = series.rows;
    const from = Math.max(0, intQuery('from', c.req.query('from'), 0));
    const to = Math.min(rows, intQuery('to', c.req.query('to'), rows));
    if (to < from) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', `empty range: from ${from} > to ${to}`);
    const maxPoints = intQuery('maxPoints', c.req.query('maxPoints'), DEFAULT_MAX_POINTS);
    if (maxPoints < 2 || maxPoints > MAX_MAX_POINTS) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', `maxPoints must be between 2 and ${MAX_MAX_POINTS}`);

    const names = index === 'joint' ? ['score'] : ['target', 'prediction1', 'predictionMean', 'score'];
    const columns: Value[][] = index === 'joint' ? [series.jointScore!] : (['target', 'prediction1', 'predictionMean', 'score'] as const).map((k) => series.channels[index as number]![k]);
    if (series.labels) {
      names.push('labels');
      columns.push(series.labels);
    }
    const sampled = downsampleMinMax(columns, from, to, maxPoints);
    const channelName = index === 'joint' ? 'joint' : series.channels[index]!.name;
    const metrics = (view.metrics?.[channelName] ?? {}) as Record<string, number | null>;
    return c.json({
      id,
      channel: { index, name: channelName },
      split: series.split,
      offset: series.offset,
      rows,
      window: series.window,
      from,
      to,
      maxPoints,
      downsampled: sampled.downsampled,
      x: sampled.x,
      series: Object.fromEntries(names.map((n, k) => [n, sampled.values[k]])),
      anomalies: labelRanges(series.labels, from, to),
      thresholds: { oracle: metrics.oracle_threshold ?? null, deployable: metrics.deployable_threshold ?? null },
    });
  });
  return api;
}

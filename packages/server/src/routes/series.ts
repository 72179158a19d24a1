import { Hono } from 'hono';
import type { ServerContext } from '../context.ts';
import { downsampleMinMax, labelRanges } from '../downsample.ts';
import { HttpError } from '../errors.ts';
import { loadSeriesData } from '../series-data.ts';

const DEFAULT_MAX_POINTS = 2000;
const MAX_MAX_POINTS = 200_000;
/** Row arrays sent to charts, in this order (`label` goes out as `labels`). */
const ROW_ARRAYS = ['target', 'prediction1', 'predictionW', 'predictionMean', 'score', 'label'];

function intQuery(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', `${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/**
 * `GET /api/runs/:id/series/:channel?from=&to=&maxPoints=`: one channel (by name, index or
 * `joint`) of the test split, rows `[from, to)`, min/max-downsampled to at most maxPoints.
 * Label ranges are computed at full resolution so no anomaly disappears when zoomed out.
 * Missing values (NaN on disk: predictions before the first window) are `null`.
 */
export function seriesRoutes(ctx: ServerContext): Hono {
  const api = new Hono();
  api.get('/:id/series/:channel', async (c) => {
    const { resolved, view } = await ctx.catalog.view(c.req.param('id'));
    const id = resolved.runId;
    const data = id ? await loadSeriesData(ctx.files, id) : undefined;
    if (!id || !data) throw new HttpError(404, 'ANOMALAB_NOT_FOUND', `run ${c.req.param('id')} has no series yet (status ${view.status}): they are written when scoring ends`);

    const wanted = c.req.param('channel');
    const channels = data.entries.filter((e) => e.kind === 'channel');
    const entry =
      data.entries.find((e) => e.name === wanted) ??
      (/^\d+$/.test(wanted) ? channels[Number(wanted)] : undefined);
    if (!entry) {
      const names = [...channels.map((e, i) => `${i}=${e.name}`), ...data.entries.filter((e) => e.kind === 'joint').map((e) => e.name)];
      throw new HttpError(404, 'ANOMALAB_NOT_FOUND', `run ${id} has no channel ${JSON.stringify(wanted)}; channels: ${names.join(', ')}`);
    }

    const rows = data.rows;
    const from = Math.max(0, intQuery('from', c.req.query('from'), 0));
    const to = Math.min(rows, intQuery('to', c.req.query('to'), rows));
    if (to < from) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', `empty range: from ${from} > to ${to}`);
    const maxPoints = intQuery('maxPoints', c.req.query('maxPoints'), DEFAULT_MAX_POINTS);
    if (maxPoints < 2 || maxPoints > MAX_MAX_POINTS) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', `maxPoints must be between 2 and ${MAX_MAX_POINTS}`);

    const names = ROW_ARRAYS.filter((k) => entry.arrays[k]?.length === rows);
    const sampled = downsampleMinMax(names.map((k) => entry.arrays[k]!), from, to, maxPoints);
    const summary = view.summary[entry.name];
    return c.json({
      id,
      channel: { index: entry.kind === 'joint' ? 'joint' : channels.indexOf(entry), name: entry.name, kind: entry.kind },
      split: data.split,
      offset: data.offset,
      rows,
      window: data.window,
      from,
      to,
      maxPoints,
      downsampled: sampled.downsampled,
      x: sampled.x,
      series: Object.fromEntries(names.map((n, k) => [n === 'label' ? 'labels' : n, sampled.values[k]])),
      anomalies: labelRanges(entry.arrays.label, from, to),
      thresholds: { oracle: summary?.oracle_threshold ?? null, deployable: summary?.deployable_threshold ?? null },
    });
  });
  return api;
}

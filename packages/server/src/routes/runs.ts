import { Hono } from 'hono';
import type { ServerContext } from '../context.ts';
import { hideServerPaths, HttpError } from '../errors.ts';
import { parseHistory } from '../history.ts';
import { loadSeriesData } from '../series-data.ts';
import { queryRuns, type ApiRunStatus, type RunQuery } from '../run-views.ts';

/** Every status a listed run can have (`GET /api/runs?status=`). */
const RUN_STATUSES: readonly ApiRunStatus[] = ['queued', 'starting', 'running', 'completed', 'interrupted', 'failed', 'cancelled', 'unreadable'];

/** results.json, v1 (`evaluations[]` with `curves`) or v2 (`metrics` + `events`); read loosely. */
export interface ResultsFile {
  format?: string;
  channels: Array<{ channel: string; evaluations?: Array<{ evaluator: string; metrics: Record<string, unknown>; curves?: Curves }>; [key: string]: unknown }>;
  joint?: ResultsFile['channels'][number] | null;
  [key: string]: unknown;
}

interface Curves {
  threshold: ArrayLike<number>;
  precision: ArrayLike<number>;
  recall: ArrayLike<number>;
  f: ArrayLike<number>;
}

/** results.json without v1's threshold curves (those are at /curves). */
function resultsSummary(results: ResultsFile) {
  const strip = (ch: ResultsFile['channels'][number]) => (ch.evaluations ? { ...ch, evaluations: ch.evaluations.map(({ curves: _curves, ...e }) => e) } : ch);
  return { ...results, channels: results.channels.map(strip), joint: results.joint ? strip(results.joint) : results.joint };
}

/** Range-AUC per buffer window (the VUS curve), when the run's vus evaluator saved it. */
interface VusCurve {
  window: number[];
  rangeAucPr: number[];
  rangeAucRoc: number[];
}

/** Oracle sweep curves per channel: from series/*.f32 (`curve.*`) or, for v1 runs, results.json; plus the VUS curve. */
async function curvesOf(ctx: ServerContext, id: string): Promise<Array<{ channel: string; curves: Curves; vus?: VusCurve }>> {
  const series = await loadSeriesData(ctx.files, id);
  if (series?.format !== 'series.json' && series) {
    return series.entries
      .filter((e) => e.arrays['curve.threshold'] || e.arrays['curve.vus.window'])
      .map((e) => ({
        channel: e.name,
        curves: { threshold: Array.from(e.arrays['curve.threshold'] ?? []), precision: Array.from(e.arrays['curve.precision'] ?? []), recall: Array.from(e.arrays['curve.recall'] ?? []), f: Array.from(e.arrays['curve.f'] ?? []) },
        ...(e.arrays['curve.vus.window']
          ? { vus: { window: Array.from(e.arrays['curve.vus.window']), rangeAucPr: Array.from(e.arrays['curve.vus.rangeAucPr'] ?? []), rangeAucRoc: Array.from(e.arrays['curve.vus.rangeAucRoc'] ?? []) } }
          : {}),
      }));
  }
  const results = await ctx.files.readResults<ResultsFile>(id);
  return [...(results?.channels ?? []), ...(results?.joint ? [results.joint] : [])]
    .map((ch) => ({ channel: ch.channel, curves: ch.evaluations?.find((e) => e.evaluator === 'oracle')?.curves }))
    .filter((c): c is { channel: string; curves: Curves } => Boolean(c.curves));
}

/** Read endpoints of one run and of the run list. */
export function runRoutes(ctx: ServerContext): Hono {
  const api = new Hono();

  api.get('/', async (c) => {
    const q = c.req.query() as RunQuery;
    const unknown = q.status?.split(',').map((s) => s.trim()).filter((s) => !RUN_STATUSES.includes(s as ApiRunStatus));
    if (unknown?.length) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', `unknown status ${unknown.map((s) => JSON.stringify(s)).join(', ')}; status is one or more (comma-separated) of ${RUN_STATUSES.join(', ')}`);
    const page = queryRuns(await ctx.catalog.list(), q);
    // An unreadable record's reason names its file: relative to the run store, as in GET /:id.
    const runs = page.runs.map((r) => (r.error ? { ...r, error: { ...r.error, message: hideServerPaths(r.error.message, [ctx.app.runs.root]) } } : r));
    return c.json({ ...page, runs });
  });

  api.get('/:id', async (c) => {
    const { view, resolved } = await ctx.catalog.view(c.req.param('id'));
    if (!resolved.runId) return c.json({ run: view, config: null, results: null, channels: [] });
    const id = resolved.runId;
    const [config, results, series] = await Promise.all([
      ctx.files.readConfig(id),
      ctx.files.readResults<ResultsFile>(id),
      loadSeriesData(ctx.files, id),
    ]);
    // Channel names from the plot data (present for unlabelled runs too), else results.json.
    const channels = series ? series.entries.filter((e) => e.kind === 'channel').map((e) => e.name) : (results?.channels.map((ch) => ch.channel) ?? []);
    const joint = series ? series.entries.some((e) => e.kind === 'joint') : Boolean(results?.joint);
    // Whether the run page can score a local file in the browser (the model has a browser module).
    const modelName = (config as { model?: { name?: string } } | undefined)?.model?.name;
    const inPageScoring = Boolean(results && modelName && ctx.app.registry.has('model', modelName) && ctx.app.registry.get('model', modelName).browser);
    return c.json({ run: view, config: config ?? null, results: results ? resultsSummary(results) : null, channels, joint, rows: series?.rows ?? null, inPageScoring });
  });

  api.get('/:id/history', async (c) => {
    const { resolved } = await ctx.catalog.view(c.req.param('id'));
    const text = resolved.runId ? await ctx.files.readMetricsLog(resolved.runId) : undefined;
    return c.json({ id: resolved.runId ?? c.req.param('id'), ...parseHistory(text ?? '') });
  });

  api.get('/:id/curves', async (c) => {
    const { view, resolved } = await ctx.catalog.view(c.req.param('id'));
    const curves = resolved.runId ? await curvesOf(ctx, resolved.runId) : [];
    // Each curve with the oracle point of that channel (the F1 maximum, where the sweep picked).
    return c.json({ id: view.id, channels: curves.map((ch) => ({ ...ch, oracle: { f: view.summary[ch.channel]?.oracle_f ?? null, threshold: view.summary[ch.channel]?.oracle_threshold ?? null } })) });
  });

  api.get('/:id/log', async (c) => {
    const tailParam = c.req.query('tail') ?? '200';
    if (!/^\d+$/.test(tailParam)) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', `tail must be a whole number, got ${JSON.stringify(tailParam)}`);
    const { resolved } = await ctx.catalog.view(c.req.param('id'));
    const text = resolved.runId ? await ctx.files.readLog(resolved.runId) : undefined;
    const lines = (text ?? resolved.job?.output.join('\n') ?? '').split('\n').filter(Boolean);
    const tail = Math.min(Number(tailParam), 10_000);
    return c.json({ id: resolved.runId ?? c.req.param('id'), total: lines.length, lines: tail ? lines.slice(-tail) : [] });
  });

  return api;
}

import { Hono } from 'hono';
import type { ServerContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { parseHistory } from '../history.ts';
import { queryRuns, type RunQuery } from '../run-views.ts';

interface Evaluation {
  evaluator: string;
  protocol?: string;
  metrics: Record<string, unknown>;
  curves?: { threshold: number[]; precision: number[]; recall: number[]; f: number[] };
  notes?: string[];
}
interface ChannelResults {
  channel: string;
  evaluations: Evaluation[];
}
/** results.json as written by the pipeline (only the fields the server reads). */
export interface ResultsFile {
  dataset: string;
  labelled: boolean;
  window: number;
  weights: string;
  scoredEpoch: number;
  detector: Record<string, unknown>;
  channels: ChannelResults[];
  joint?: ChannelResults;
  standardization?: unknown;
}

/** results.json without the threshold curves (those are at /curves). */
function resultsSummary(results: ResultsFile) {
  const strip = (ch: ChannelResults) => ({ channel: ch.channel, evaluations: ch.evaluations.map(({ curves: _curves, ...e }) => e) });
  return { ...results, channels: results.channels.map(strip), joint: results.joint ? strip(results.joint) : undefined };
}

/** Read endpoints of one run and of the run list. */
export function runRoutes(ctx: ServerContext): Hono {
  const api = new Hono();

  api.get('/', async (c) => {
    const q = c.req.query() as RunQuery;
    return c.json(queryRuns(await ctx.catalog.list(), q));
  });

  api.get('/:id', async (c) => {
    const { view, resolved } = await ctx.catalog.view(c.req.param('id'));
    if (!resolved.runId) return c.json({ run: view, config: null, results: null, channels: [] });
    const id = resolved.runId;
    const [config, results] = await Promise.all([ctx.files.readJson<Record<string, unknown>>(id, 'config.json'), ctx.files.readJson<ResultsFile>(id, 'results.json')]);
    let channels = results?.channels.map((ch) => ch.channel) ?? [];
    if (!channels.length && view.status === 'completed') {
      // Unlabelled runs have no per-channel results: take the names from series.json.
      const series = await ctx.files.readJson<{ channels: Array<{ name: string }> }>(id, 'series.json');
      channels = series?.channels.map((ch) => ch.name) ?? [];
    }
    return c.json({ run: view, config: config ?? null, results: results ? resultsSummary(results) : null, channels, joint: Boolean(results?.joint) });
  });

  api.get('/:id/history', async (c) => {
    const { resolved } = await ctx.catalog.view(c.req.param('id'));
    const text = resolved.runId ? await ctx.files.readText(resolved.runId, 'metrics.jsonl') : undefined;
    return c.json({ id: resolved.runId ?? c.req.param('id'), ...parseHistory(text ?? '') });
  });

  api.get('/:id/curves', async (c) => {
    const { resolved } = await ctx.catalog.view(c.req.param('id'));
    const results = resolved.runId ? await ctx.files.readJson<ResultsFile>(resolved.runId, 'results.json') : undefined;
    const curves = results ? [...results.channels, ...(results.joint ? [results.joint] : [])].map((ch) => ({ channel: ch.channel, evaluations: ch.evaluations.filter((e) => e.curves).map((e) => ({ evaluator: e.evaluator, metrics: e.metrics, curves: e.curves })) })) : [];
    return c.json({ id: resolved.runId ?? c.req.param('id'), channels: curves });
  });

  api.get('/:id/log', async (c) => {
    const tailParam = c.req.query('tail') ?? '200';
    if (!/^\d+$/.test(tailParam)) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', `tail must be a whole number, got ${JSON.stringify(tailParam)}`);
    const { resolved } = await ctx.catalog.view(c.req.param('id'));
    const text = resolved.runId ? await ctx.files.readText(resolved.runId, 'log.txt') : undefined;
    const lines = (text ?? resolved.job?.output.join('\n') ?? '').split('\n').filter(Boolean);
    const tail = Math.min(Number(tailParam), 10_000);
    return c.json({ id: resolved.runId ?? c.req.param('id'), total: lines.length, lines: tail ? lines.slice(-tail) : [] });
  });

  return api;
}

import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Hono } from 'hono';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { ConfigError, isMatrixExperiment, newRunId, type ConfigProblem, type LoadedExperiment } from '@anomalab/core';
import { parse as parseYaml } from 'yaml';
import type { ServerContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { jobView } from '../run-views.ts';
import { assertSafeExperimentName, resolveInside } from '../safe-paths.ts';

interface LaunchBody {
  yaml?: unknown;
  experiment?: unknown;
  overrides?: unknown;
}

const INLINE = '<inline>';

/**
 * Experiment text from a request may not load plugin modules: `plugins:` would make the
 * server (and the child) import arbitrary code. Files in the experiments folder may.
 */
function pluginProblems(yamlText: string | undefined, overrides: string[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const message = 'plugin modules cannot be loaded from a request; put the experiment in the experiments folder instead';
  overrides.forEach((o, i) => {
    if (/^plugins(\.|=)/.test(o)) problems.push({ source: `overrides[${i}]`, path: 'plugins', message });
  });
  if (yamlText !== undefined) {
    const lineCounter = new LineCounter();
    const doc = parseDocument(yamlText, { lineCounter });
    // Syntax errors are left to the experiment loader, which reports them all with positions.
    if (!doc.errors.length && isMap(doc.contents)) {
      const pair = doc.contents.items.find((p) => (p.key as { value?: unknown } | null)?.value === 'plugins');
      const value = pair?.value as { items?: unknown[] } | null | undefined;
      if (pair && value && (!Array.isArray(value.items) || value.items.length > 0)) {
        const offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? 0;
        const pos = lineCounter.linePos(offset);
        problems.push({ source: INLINE, line: pos.line, col: pos.col, path: 'plugins', message });
      }
    }
  }
  return problems;
}

function isMatrix(text: string): boolean {
  try {
    return isMatrixExperiment(parseYaml(text));
  } catch {
    return false; // invalid YAML: the loader reports it with positions
  }
}

function parseBody(body: LaunchBody): { yaml?: string; experiment?: string; overrides: string[] } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', 'expected a JSON object { yaml } or { experiment }, plus optional overrides');
  const { yaml, experiment, overrides = [] } = body;
  if ((yaml === undefined) === (experiment === undefined)) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', 'give exactly one of "yaml" (experiment text) or "experiment" (a file name under the experiments folder)');
  if (yaml !== undefined && typeof yaml !== 'string') throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', '"yaml" must be a string');
  if (experiment !== undefined && typeof experiment !== 'string') throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', '"experiment" must be a string');
  if (!Array.isArray(overrides) || overrides.some((o) => typeof o !== 'string')) throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', '"overrides" must be an array of "key=value" strings');
  return { yaml, experiment, overrides };
}

/** `POST /api/runs` (validate, then hand to the run launcher) and `POST /api/runs/:id/cancel`. */
export function launchRoutes(ctx: ServerContext): Hono {
  const api = new Hono();

  api.post('/', async (c) => {
    let raw: LaunchBody;
    try {
      raw = await c.req.json<LaunchBody>();
    } catch {
      throw new HttpError(400, 'ANOMALAB_BAD_REQUEST', 'the request body is not valid JSON');
    }
    const body = parseBody(raw);
    const forbidden = pluginProblems(body.yaml, body.overrides);
    if (forbidden.length) throw new ConfigError(forbidden);
    let text = body.yaml;
    if (body.experiment !== undefined) {
      const name = assertSafeExperimentName(body.experiment);
      const real = await resolveInside(ctx.experimentsDir, [name]);
      if (!real) throw new HttpError(404, 'ANOMALAB_NOT_FOUND', `no experiment ${JSON.stringify(name)} in ${ctx.experimentsDir}`);
      text = await readFile(real, 'utf8');
    }
    if (isMatrix(text!)) {
      throw new HttpError(400, 'ANOMALAB_USAGE', 'matrix experiments run as sweeps: start them with `anomalab experiment <file>`; their runs then show up here');
    }

    // Same validation as the CLI, in-process, so a bad experiment is a 400 listing every
    // problem and never a run process or a run folder. The launcher gets the resolved
    // config: nothing is parsed again from a file, so inline text needs no temp file.
    const loaded: LoadedExperiment =
      body.experiment !== undefined
        ? await ctx.app.load({ file: join(ctx.experimentsDir, body.experiment), text, overrides: body.overrides })
        : await ctx.app.load({ text: body.yaml as string, overrides: body.overrides });

    const config = loaded.config;
    const job = ctx.queue.enqueue({
      // The id is chosen here and handed to the launcher: it is the run's id from the start.
      id: newRunId(config.name),
      config: config as unknown as Record<string, unknown>,
      baseDir: loaded.baseDir,
      configFile: body.experiment !== undefined ? resolve(ctx.experimentsDir, body.experiment) : undefined,
      experiment: config.name,
      dataset: `${config.dataset.name}${config.dataset.series ? `/${config.dataset.series}` : ''}`,
      model: config.model.name,
      source: body.experiment ?? INLINE,
    });
    c.header('Location', `/api/runs/${job.id}`);
    return c.json({ id: job.id, status: jobView(job).status, run: jobView(job, ctx.queue.queuePosition(job.id)) }, 202);
  });

  api.post('/:id/cancel', async (c) => {
    const { resolved, view } = await ctx.catalog.view(c.req.param('id'));
    if (!resolved.job) {
      if (view.status !== 'running') throw new HttpError(409, 'ANOMALAB_CONFLICT', `run ${view.id} is ${view.status}: nothing to cancel`);
      throw new HttpError(409, 'ANOMALAB_CONFLICT', `run ${view.id} was not started by this server: stop it where it runs (Ctrl-C)`);
    }
    const job = ctx.queue.cancel(resolved.job.id);
    return c.json({ id: job.runId ?? job.id, job: job.id, state: job.state, cancelRequested: job.cancelRequested }, 202);
  });

  return api;
}

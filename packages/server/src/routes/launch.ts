import { join, resolve } from 'node:path';
import { Hono } from 'hono';
import { isMap, parseDocument } from 'yaml';
import { newRunId, readExperimentFile, type LoadedExperiment, type RequestPolicy } from '@anomalab/core';
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

/** `matrix:` at the top level (without expanding aliases: that is the loader's job, with limits). */
function isMatrix(text: string): boolean {
  const doc = parseDocument(text);
  return !doc.errors.length && isMap(doc.contents) && doc.contents.has('matrix');
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
    let text = body.yaml;
    if (body.experiment !== undefined) {
      const name = assertSafeExperimentName(body.experiment);
      const real = await resolveInside(ctx.experimentsDir, [name]);
      if (!real) throw new HttpError(404, 'ANOMALAB_NOT_FOUND', `no experiment ${JSON.stringify(name)} in the experiments folder`);
      text = await readExperimentFile(real, name);
    }
    if (isMatrix(text!)) {
      throw new HttpError(400, 'ANOMALAB_USAGE', 'matrix experiments run as sweeps: start them with `anomalab experiment <file>`; their runs then show up here');
    }

    // Same validation as the CLI, in-process, so a bad experiment is a 400 listing every
    // problem and never a run process or a run folder. The launcher gets the resolved
    // config: nothing is parsed again from a file, so inline text needs no temp file.
    // The request policy (checked on the parsed experiment, before any import) keeps a
    // request from loading plugin modules or naming data files outside the experiments
    // and data folders.
    const policy = (trustedText: boolean): RequestPolicy => ({ trustedText, dataRoots: ctx.dataDirs, dataRootsLabel: 'the experiments and data folders the server was started with' });
    const loaded: LoadedExperiment =
      body.experiment !== undefined
        ? await ctx.app.load({ file: join(ctx.experimentsDir, body.experiment), text, overrides: body.overrides, policy: policy(true) })
        : await ctx.app.load({ text: body.yaml as string, overrides: body.overrides, policy: policy(false) });

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
    // run.json may say the run ended a moment before its process has exited: that is final.
    if (['completed', 'failed', 'interrupted'].includes(view.status)) throw new HttpError(409, 'ANOMALAB_CONFLICT', `run ${view.id} has already ended (${view.status})`);
    const job = ctx.queue.cancel(resolved.job.id);
    return c.json({ id: job.runId ?? job.id, job: job.id, state: job.state, cancelRequested: job.cancelRequested }, 202);
  });

  return api;
}

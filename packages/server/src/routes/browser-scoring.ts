import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Hono } from 'hono';
import { readStreamPackage, type ModelPlugin } from '@anomalab/core';
import type { ServerContext } from '../context.ts';
import { BrowserBundles } from '../browser-bundle.ts';
import { HttpError } from '../errors.ts';

const ASSET_TYPES: Record<string, string> = { '.wasm': 'application/wasm', '.json': 'application/json; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/** A model plugin with a browser module, or 404. */
function browserModel(ctx: ServerContext, name: string): ModelPlugin & { browser: NonNullable<ModelPlugin['browser']> } {
  const registry = ctx.app.registry;
  if (!registry.has('model', name)) throw new HttpError(404, 'ANOMALAB_NOT_FOUND', `no model plugin "${name}"`);
  const model = registry.get('model', name);
  if (!model.browser) throw new HttpError(404, 'ANOMALAB_NOT_FOUND', `model "${name}" has no browser module (it cannot score in a page)`);
  return model as ModelPlugin & { browser: NonNullable<ModelPlugin['browser']> };
}

/**
 * Scoring a local file in the page, with the run's model and weights (nothing uploaded):
 * - `GET /api/runs/:id/stream-package`: the run as a stream package (core's `StreamPackage`);
 * - `GET /api/models/:name/browser.js`: the model's browser module bundled with core's
 *   stream session (an ES module exporting `openBrowserStream`, `sessionFromPackage`,
 *   `decodePredictorState`);
 * - `GET /api/models/:name/assets/:asset`: the files that module fetches (e.g. fused.wasm).
 */
export function browserScoringRoutes(ctx: ServerContext): { runs: Hono; models: Hono } {
  const bundles = new BrowserBundles();
  const runs = new Hono();
  runs.get('/:id/stream-package', async (c) => c.json(await readStreamPackage(ctx.app.registry, ctx.app.runs, c.req.param('id'))));

  const models = new Hono();
  models.get('/:name/browser.js', async (c) => {
    const model = browserModel(ctx, c.req.param('name'));
    const code = await bundles.get(model.name, model.browser.entry);
    return c.body(code, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  });
  models.get('/:name/assets/:asset', async (c) => {
    const model = browserModel(ctx, c.req.param('name'));
    const asset = c.req.param('asset');
    // Only the names the plugin declared: the URL never becomes a path.
    const path = Object.hasOwn(model.browser.assets ?? {}, asset) ? model.browser.assets![asset]! : undefined;
    if (!path) throw new HttpError(404, 'ANOMALAB_NOT_FOUND', `model "${model.name}" has no browser asset "${asset}"`);
    const body = await readFile(path);
    return c.body(body, 200, { 'content-type': ASSET_TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  });
  return { runs, models };
}

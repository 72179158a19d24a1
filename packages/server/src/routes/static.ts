import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { HttpError } from '../errors.ts';
import { pathSegments, resolveInside } from '../safe-paths.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/** Default folder of the web UI (packages/server/public). */
export const defaultPublicDir = fileURLToPath(new URL('../../public/', import.meta.url));

/** uPlot's browser files, served from node_modules under /vendor/uplot/ (no copy, no build). */
function uplotFiles(): Record<string, string> {
  const dist = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
  return { 'uPlot.esm.js': join(dist, 'uPlot.esm.js'), 'uPlot.min.css': join(dist, 'uPlot.min.css') };
}

async function send(path: string): Promise<Response> {
  const body = await readFile(path);
  return new Response(body, {
    headers: {
      'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      // Plain files without a build step: revalidate, so an edited UI shows up on reload.
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    },
  });
}

/** The UI: `/` is index.html, other paths are files under `publicDir` (checked like run files). */
export function staticRoutes(publicDir = defaultPublicDir): Hono {
  const web = new Hono();
  const vendor = uplotFiles();

  web.get('/vendor/uplot/:file', async (c) => {
    const path = vendor[c.req.param('file')];
    if (!path) throw new HttpError(404, 'ANOMALAB_NOT_FOUND', `no vendor file ${c.req.param('file')}`);
    return send(path);
  });

  web.get('/*', async (c) => {
    if (c.req.path.startsWith('/api/')) throw new HttpError(404, 'ANOMALAB_NOT_FOUND', `no route for GET ${c.req.path}`);
    // Raw (still percent-encoded) path: `%2e%2e` and `%2f` are refused here, not decoded into a traversal.
    const raw = new URL(c.req.url).pathname;
    const segments = pathSegments(raw);
    const path = await resolveInside(publicDir, segments.length ? segments : ['index.html']);
    if (!path || !/\.[a-z]+$/.test(path)) throw new HttpError(404, 'ANOMALAB_NOT_FOUND', `no file ${raw}`);
    return send(path);
  });
  return web;
}

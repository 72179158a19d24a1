import { readdir } from 'node:fs/promises';
import { Hono } from 'hono';
import { parse as parseYaml } from 'yaml';
import { readExperimentFile } from '@anomalab/core';
import type { ServerContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { assertSafeExperimentName, resolveInside } from '../safe-paths.ts';

/** The experiment files the launch form offers (`experiments/*.yaml`). */
export function experimentRoutes(ctx: ServerContext): Hono {
  const api = new Hono();

  api.get('/', async (c) => {
    const names = await readdir(ctx.experimentsDir).catch(() => [] as string[]);
    const experiments = [];
    for (const name of names.sort()) {
      if (!/\.ya?ml$/.test(name)) continue;
      try {
        assertSafeExperimentName(name);
        const real = await resolveInside(ctx.experimentsDir, [name]);
        if (!real) continue;
        const text = await readExperimentFile(real, name);
        let doc: Record<string, unknown> = {};
        try {
          doc = (parseYaml(text) ?? {}) as Record<string, unknown>;
        } catch {
          // Broken YAML is still listed: launching it shows every problem.
        }
        const field = (v: unknown) => (typeof v === 'string' ? v : undefined);
        const section = (k: string) => field((doc[k] as Record<string, unknown> | undefined)?.name);
        experiments.push({ name, experiment: field(doc.name), description: field(doc.description), dataset: section('dataset'), model: section('model') });
      } catch {
        // Symlinks leading outside the folder, odd names and oversized files are not offered.
      }
    }
    return c.json({ experiments });
  });

  api.get('/:name', async (c) => {
    const name = assertSafeExperimentName(c.req.param('name'));
    const real = await resolveInside(ctx.experimentsDir, [name]);
    if (!real) throw new HttpError(404, 'ANOMALAB_NOT_FOUND', `no experiment ${JSON.stringify(name)}`);
    return c.json({ name, yaml: await readExperimentFile(real, name) });
  });

  return api;
}

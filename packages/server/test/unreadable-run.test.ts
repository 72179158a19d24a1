// Issue 12 item 10 over HTTP: a run whose run.json is corrupt stays visible in the list as
// `unreadable` with the reason, and GET /api/runs/:id names the file (relative to the run
// store, never an absolute server path) instead of a bare 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Anomalab } from '@anomalab/core';
import type { RunningServer } from '../src/index.ts';
import { api, openApp, quickRun, serve, tempDir } from './helpers.ts';

let root: string;
let app: Anomalab;
let server: RunningServer;
let corrupt: string;

beforeAll(async () => {
  root = await tempDir('unreadable');
  app = await openApp(join(root, 'runs'));
  corrupt = await quickRun(app);
  await writeFile(join(root, 'runs', corrupt, 'run.json'), '{"id": "x", "status": ');
  server = await serve(app, {});
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

describe('a corrupt run.json', () => {
  it('is listed as unreadable with the reason', async () => {
    const { status, body } = await api(server.url, '/api/runs');
    expect(status).toBe(200);
    const listed = body.runs.find((r: { id: string }) => r.id === corrupt);
    expect(listed).toMatchObject({ id: corrupt, status: 'unreadable' });
    expect(JSON.stringify(listed)).toContain('not valid JSON');
    expect(JSON.stringify(body)).not.toContain(root);
  });

  it('GET /api/runs/:id answers 422 naming the file, without absolute paths', async () => {
    const { status, body } = await api(server.url, `/api/runs/${corrupt}`);
    expect(status).toBe(422);
    expect(body.error.code).toBe('ANOMALAB_RUN_UNREADABLE');
    expect(body.error.message).toContain(`${corrupt}/run.json is not valid JSON`);
    expect(body.error.message).not.toContain(root);
  });
});

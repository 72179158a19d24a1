// Shared test helpers: a real server on an ephemeral port, real runs, raw HTTP and SSE clients.
import { request } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnomalab, type Anomalab } from '@anomalab/core';
import { startServer, type RunningServer, type StreamLimits } from '../src/index.ts';

export const workspaceRoot = join(import.meta.dirname, '..', '..', '..');
export const quickstart = join(workspaceRoot, 'experiments', 'quickstart.yaml');

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `anomalab-server-test-${prefix}-`));
}

/** The core app over a fresh temp run store. */
export async function openApp(runsDir: string): Promise<Anomalab> {
  return createAnomalab({ runsDir, root: workspaceRoot });
}

/** A real quickstart run, in-process (fast); returns its id. */
export async function quickRun(app: Anomalab, overrides: string[] = []): Promise<string> {
  const loaded = await app.load({ file: quickstart, overrides });
  const { run } = await app.run(loaded, { quiet: true });
  return run.id;
}

export async function serve(app: Anomalab, options: { experimentsDir?: string; maxConcurrent?: number; maxQueued?: number; bodyLimit?: number; streams?: Partial<StreamLimits> } = {}): Promise<RunningServer> {
  return startServer({ app, port: 0, host: '127.0.0.1', experimentsDir: options.experimentsDir ?? join(workspaceRoot, 'experiments'), cwd: workspaceRoot, ...options });
}

/** GET/POST JSON; returns status and parsed body. */
export async function api(base: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(base + path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: init.body === undefined ? undefined : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body, headers: res.headers };
}

/**
 * GET with the path sent byte for byte. fetch() normalises `..` and `%2e%2e` away before
 * sending; an attacker's client does not, so traversal tests must bypass it.
 */
export function rawGet(server: RunningServer, rawPath: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: server.host, port: server.port, path: rawPath, method: 'GET' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

export interface SseEvent {
  event: string;
  data: any;
}

/**
 * Read a Server-Sent Events stream until `until` returns true or the server ends it.
 * `onEvent` can act mid-stream (e.g. cancel the run after its first epoch).
 */
export async function readSse(url: string, options: { until?: (e: SseEvent) => boolean; onEvent?: (e: SseEvent) => void | Promise<void>; timeoutMs?: number } = {}): Promise<SseEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 30_000);
  const events: SseEvent[] = [];
  try {
    const res = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
    if (res.status !== 200) throw new Error(`SSE ${url}: HTTP ${res.status} ${await res.text()}`);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let split: number;
      while ((split = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, split);
        buffer = buffer.slice(split + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        const e = { event, data: JSON.parse(data.join('\n') || 'null') };
        events.push(e);
        await options.onEvent?.(e);
        if (options.until?.(e)) {
          await reader.cancel();
          return events;
        }
      }
    }
    return events;
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The plot arrays of one entry of a run's `series/` folder, read independently of the
 * server's loader (float32 little-endian, NaN = missing -> null).
 */
export async function readSeriesEntry(runDir: string, name: string): Promise<{ rows: number; arrays: Record<string, Array<number | null>> }> {
  const { readFile } = await import('node:fs/promises');
  const index = JSON.parse(await readFile(join(runDir, 'series', 'index.json'), 'utf8'));
  const entry = index.entries.find((e: any) => e.name === name);
  const bytes = await readFile(join(runDir, 'series', entry.file));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const arrays: Record<string, Array<number | null>> = {};
  for (const [key, slot] of Object.entries(entry.arrays as Record<string, { offset: number; length: number }>)) {
    arrays[key] = Array.from({ length: slot.length }, (_, i) => {
      const v = view.getFloat32((slot.offset + i) * 4, true);
      return Number.isNaN(v) ? null : v;
    });
  }
  return { rows: index.rows, arrays };
}

/** A small matrix experiment: 2 baseline variants x 2 seeds on a short synthetic series (4 runs, ~4 s). */
export const sweepYaml = `name: ui-sweep
dataset: { name: synthetic, options: { length: 2000 } }
model: { name: baselines }
matrix:
  model:
    - { label: naive-last, name: baselines, options: { method: last-value } }
    - { label: seasonal, name: baselines, options: { method: seasonal-naive } }
  seed: [1, 2]
`;

/** Run {@link sweepYaml} through the real CLI into `runsDir`; returns the sweep id. */
export async function cliSweep(runsDir: string): Promise<string> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { mkdir, readdir, writeFile } = await import('node:fs/promises');
  const file = join(runsDir, '..', 'ui-sweep.yaml');
  await mkdir(runsDir, { recursive: true });
  await writeFile(file, sweepYaml);
  await promisify(execFile)(process.execPath, [join(workspaceRoot, 'packages', 'cli', 'bin', 'anomalab.js'), 'experiment', file, '--runs', runsDir], { cwd: workspaceRoot });
  const [id] = await readdir(join(runsDir, '_sweeps'));
  return id!;
}

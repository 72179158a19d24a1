// Latency of the results server: `GET /api/runs` over a run store of 200 runs, and the
// series endpoint on a 45,000-row test split (whole split and a zoomed window, downsampled
// to maxPoints), measured with fetch against the real server on an ephemeral loopback port.
//
// Run: npm run bench:server [-- --n 200] [--warmup 20] [--runs 200] [--max-points 2000] [--json out.json]
//
// The run store (a temp folder, removed at the end) holds:
//   - one real quickstart run (experiments/quickstart.yaml, 3,000 test rows, 2 channels),
//   - one real synthetic run with 45,000 test rows (`--set dataset.options.length=90000`),
//   - clones of the quickstart run folder up to --runs in total (new id in run.json and a
//     distinct startedAt; everything else byte-identical). The list endpoint reads every
//     run.json and results summary, so clones cost it exactly what real runs would.
// Both real runs are made by the CLI (`anomalab experiment … --runs <tmp> --quiet`).
// Requests are sequential (one in flight); each is timed from fetch() to the last body
// byte. Client and server share this process, as a local browser and server share a
// machine: the numbers include both sides of the loopback connection.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';
import { createAnomalab, RUN_FILES } from '@anomalab/core';
import { startServer, type RunningServer } from '../src/index.ts';
import { percentile } from './percentile.ts';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '20' },
    runs: { type: 'string', default: '200' },
    'max-points': { type: 'string', default: '2000' },
    json: { type: 'string' },
  },
});
const N = Number(args.n);
const WARMUP = Number(args.warmup);
const TOTAL_RUNS = Number(args.runs);
const MAX_POINTS = Number(args['max-points']);
const LONG_LENGTH = 90_000; // train_fraction 0.5 -> 45,000 test rows
if (!(N > 0 && WARMUP >= 0 && TOTAL_RUNS >= 2 && MAX_POINTS >= 2)) throw new Error('bench:server: --n > 0, --warmup >= 0, --runs >= 2, --max-points >= 2');

const root = join(import.meta.dirname, '..', '..', '..');
const cli = join(root, 'packages', 'cli', 'bin', 'anomalab.js');
const quickstart = join(root, 'experiments', 'quickstart.yaml');
const run = promisify(execFile);

interface Row {
  endpoint: string;
  path: string;
  n: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
  bytes: number;
  firstMs: number;
}


async function cliRun(runsDir: string, overrides: string[]): Promise<string> {
  const before = new Set(await readdir(runsDir));
  await run(process.execPath, [cli, 'experiment', quickstart, '--runs', runsDir, '--quiet', ...overrides.flatMap((o) => ['--set', o])], { cwd: root });
  const made = (await readdir(runsDir)).filter((d) => !before.has(d));
  if (made.length !== 1) throw new Error(`expected one new run folder, found ${made.length}`);
  return made[0]!;
}

/** Copy a run folder under a new id (run.json `id` rewritten, startedAt/endedAt shifted). */
async function cloneRun(runsDir: string, sourceId: string, newId: string, shiftMs: number): Promise<void> {
  const dir = join(runsDir, newId);
  await cp(join(runsDir, sourceId), dir, { recursive: true });
  const record = JSON.parse(await readFile(join(dir, RUN_FILES.record), 'utf8'));
  record.id = newId;
  for (const key of ['startedAt', 'endedAt']) if (record[key]) record[key] = new Date(Date.parse(record[key]) - shiftMs).toISOString();
  await writeFile(join(dir, RUN_FILES.record), `${JSON.stringify(record, null, 2)}\n`);
}

async function get(url: string): Promise<{ ms: number; bytes: number; body: string }> {
  const started = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`GET ${url} -> ${res.status}: ${body.slice(0, 300)}`);
  return { ms, bytes: Buffer.byteLength(body), body };
}

async function measure(server: RunningServer, endpoint: string, path: string, check: (body: any) => void): Promise<Row> {
  const url = server.url + path;
  const first = await get(url);
  check(JSON.parse(first.body));
  for (let i = 0; i < WARMUP; i++) await get(url);
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < N; i++) {
    const r = await get(url);
    times.push(r.ms);
    bytes = r.bytes;
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return { endpoint, path, n: N, p50: percentile(times, 50), p95: percentile(times, 95), max: times.at(-1)!, mean, bytes, firstMs: first.ms };
}

function expect(ok: boolean, message: string): void {
  if (!ok) throw new Error(`bench:server: ${message}`);
}

const tmp = await mkdtemp(join(tmpdir(), 'anomalab-bench-server-'));
const runsDir = join(tmp, 'runs');
let server: RunningServer | undefined;
const cleanup = async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
};
process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

try {
  await mkdir(runsDir, { recursive: true });
  let t = performance.now();
  const quickId = await cliRun(runsDir, []);
  const longId = await cliRun(runsDir, [`dataset.options.length=${LONG_LENGTH}`, 'name=bench-long']);
  const realMs = performance.now() - t;
  t = performance.now();
  const clones = TOTAL_RUNS - 2;
  for (let i = 1; i <= clones; i++) await cloneRun(runsDir, quickId, `${quickId}-clone${String(i).padStart(3, '0')}`, i * 60_000);
  const cloneMs = performance.now() - t;

  const app = await createAnomalab({ runsDir, root });
  server = await startServer({ app, port: 0, host: '127.0.0.1', experimentsDir: join(root, 'experiments'), cwd: root });

  const series = `/api/runs/${longId}/series/ch0`;
  const rows: Row[] = [];
  rows.push(await measure(server, 'GET /api/runs (page of 50)', '/api/runs', (b) => {
    expect(b.total === TOTAL_RUNS && b.runs.length === Math.min(50, TOTAL_RUNS), `expected ${TOTAL_RUNS} runs, got total ${b.total}`);
  }));
  rows.push(await measure(server, `GET /api/runs?limit=1000 (all ${TOTAL_RUNS})`, '/api/runs?limit=1000', (b) => expect(b.runs.length === TOTAL_RUNS, 'all runs listed')));
  rows.push(await measure(server, 'GET /api/runs filtered + sorted by oracle_f', '/api/runs?dataset=synthetic&status=completed&sort=oracle_f&order=desc', (b) => expect(b.total === TOTAL_RUNS, 'filter keeps every run')));
  rows.push(await measure(server, `GET series ch0, 45k rows -> ${MAX_POINTS} pts`, `${series}?maxPoints=${MAX_POINTS}`, (b) => {
    expect(b.rows === LONG_LENGTH / 2, `expected ${LONG_LENGTH / 2} test rows, got ${b.rows}`);
    expect(b.downsampled === true && b.x.length <= MAX_POINTS, 'downsampled to maxPoints');
  }));
  rows.push(await measure(server, `GET series ch0, zoom 20k-25k -> ${MAX_POINTS} pts`, `${series}?from=20000&to=25000&maxPoints=${MAX_POINTS}`, (b) => {
    expect(b.from === 20000 && b.to === 25000 && b.x.length <= MAX_POINTS, 'zoomed window');
  }));
  rows.push(await measure(server, 'GET series ch0, zoom 1k rows (full res)', `${series}?from=30000&to=31000&maxPoints=${MAX_POINTS}`, (b) => {
    expect(b.downsampled === false && b.x.length === 1000, 'a 1,000-row window is served at full resolution');
  }));
  rows.push(await measure(server, `GET series joint, 45k rows -> ${MAX_POINTS} pts`, `/api/runs/${longId}/series/joint?maxPoints=${MAX_POINTS}`, (b) => expect(b.rows === LONG_LENGTH / 2, 'joint rows')));

  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  console.log(`anomalab results server latency (${new Date().toISOString()}, node ${process.version}, ${cpu})`);
  console.log(`run store: ${TOTAL_RUNS} runs = 1 real quickstart run (${quickId}) + 1 real synthetic run with ${LONG_LENGTH / 2} test rows (${longId})`);
  console.log(`           + ${clones} CLONES of the quickstart run folder (new id in run.json, shifted startedAt; made in ${Math.round(cloneMs)} ms; real runs took ${Math.round(realMs)} ms)`);
  console.log(`server: ${server.url} (in-process, @hono/node-server); client: fetch, sequential, ${WARMUP} warm-up + ${N} timed requests per endpoint, body read to the end\n`);
  const header = ['endpoint', 'n', 'p50 ms', 'p95 ms', 'max ms', 'first ms', 'KB'];
  const table = rows.map((r) => [r.endpoint, String(r.n), r.p50.toFixed(2), r.p95.toFixed(2), r.max.toFixed(2), r.firstMs.toFixed(1), (r.bytes / 1024).toFixed(0)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
  console.log(`\n"first ms" is the first request (before warm-up): for the series it includes reading the plot files into the cache.`);

  if (args.json) {
    await writeFile(args.json, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu, runs: TOTAL_RUNS, clones, seriesRows: LONG_LENGTH / 2, maxPoints: MAX_POINTS, n: N, warmup: WARMUP, results: rows }, null, 2)}\n`);
    console.log(`wrote ${args.json}`);
  }
} finally {
  await cleanup();
}

// Online scoring over HTTP (docs/streaming.md): latency of one row per request and
// throughput of 1,000 rows per request against the real server on a loopback port, for a
// real rnn run of the default size (2-layer LSTM 32) on the ECG series, plus the core's
// in-process push for comparison. Targets (issue #17): p99 under 5 ms with one row per
// request; at least 50,000 rows/s with 1,000 rows per request.
//
// Run: npm run bench:stream-http [-- --single 2000] [--batches 60] [--batch-rows 1000] [--seconds 20]
//        [--models rnn,baselines] [--json out.json]
// Data: ANOMALAB_DATA_MIRROR (the ECG series). The rnn run (experiments/ecg-smoke.yaml) is
// trained for 1 epoch first (timing does not depend on the weights); the baselines run
// (quickstart, a model that costs next to nothing per row) shows what the HTTP layer alone
// sustains. The run store is a temp folder, removed at the end.
//
// Client and server share this process (as a local producer and the server share a
// machine): the numbers include both sides of the loopback connection. Requests are
// sequential (one in flight, one keep-alive connection, node:http); each is timed from the
// request to the last body byte. Every
// case is bounded by its request count and by --seconds of wall time, whichever comes first.
// CPU ms is this process's user+system CPU per request (both sides): on a loaded machine it
// is the steadier number.
import { Agent, request } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createAnomalab, type Anomalab } from '@anomalab/core';
import { startServer, type RunningServer } from '../src/index.ts';
import { percentile } from './percentile.ts';

const { values: args } = parseArgs({
  options: {
    single: { type: 'string', default: '2000' },
    batches: { type: 'string', default: '60' },
    'batch-rows': { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '20' },
    models: { type: 'string', default: 'rnn,baselines' },
    json: { type: 'string' },
  },
});
const SINGLE = Number(args.single);
const BATCHES = Number(args.batches);
const BATCH_ROWS = Number(args['batch-rows']);
const WARMUP = Number(args.warmup);
const SECONDS = Number(args.seconds);
if (!(SINGLE > 0 && BATCHES > 0 && BATCH_ROWS > 0 && WARMUP >= 0 && SECONDS > 0)) throw new Error('bench:stream-http: --single, --batches, --batch-rows, --seconds > 0 and --warmup >= 0');

const root = join(import.meta.dirname, '..', '..', '..');
const experiments: Record<string, { file: string; overrides: string[] }> = {
  rnn: { file: join(root, 'experiments', 'ecg-smoke.yaml'), overrides: ['training.epochs=1'] },
  baselines: { file: join(root, 'experiments', 'quickstart.yaml'), overrides: [] },
};
const models = args.models.split(',').map((m) => m.trim());
for (const m of models) if (!experiments[m]) throw new Error(`bench:stream-http: --models takes a comma-separated list of ${Object.keys(experiments).join(', ')}; got ${JSON.stringify(m)}`);

interface Row {
  model: string;
  case: string;
  requests: number;
  rows: number;
  p50: number;
  p99: number;
  max: number;
  cpuMs: number;
  rowsPerSecond: number;
}


function summarise(model: string, name: string, times: number[], rowsPerRequest: number, cpuMicros: number, wallMs: number): Row {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    model,
    case: name,
    requests: times.length,
    rows: times.length * rowsPerRequest,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1)!,
    cpuMs: cpuMicros / 1000 / times.length,
    rowsPerSecond: (times.length * rowsPerRequest) / (wallMs / 1000),
  };
}

/** Time `send` up to `count` times or `SECONDS` of wall time, after `warmup` untimed calls. */
async function timed(count: number, warmup: number, send: (i: number) => Promise<void>): Promise<{ times: number[]; cpuMicros: number; wallMs: number }> {
  for (let i = 0; i < warmup; i++) await send(i);
  const times: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  for (let i = 0; i < count && performance.now() < deadline; i++) {
    const t = performance.now();
    await send(warmup + i);
    times.push(performance.now() - t);
  }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { times, cpuMicros: used.user + used.system, wallMs };
}

/** One keep-alive connection, as a producer holding its connection open would use. */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** POST with node:http (keep-alive); resolves with the parsed JSON answer. */
function post(url: string, body: string, contentType = 'application/json'): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200 && res.statusCode !== 201) reject(new Error(`POST ${url} -> ${res.statusCode}: ${text.slice(0, 300)}`));
        else resolve(JSON.parse(text));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(`bench:stream-http: ${message}`);
}

async function trainRun(app: Anomalab, model: string): Promise<string> {
  const loaded = await app.load({ file: experiments[model]!.file, overrides: experiments[model]!.overrides });
  const { run } = await app.run(loaded, { quiet: true });
  return run.id;
}

const tmp = await mkdtemp(join(tmpdir(), 'anomalab-bench-stream-'));
let server: RunningServer | undefined;
const cleanup = async () => {
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
};
process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

/** The four cases for one trained run. */
async function benchRun(app: Anomalab, model: string): Promise<{ rows: Row[]; facts: string }> {
  const t = performance.now();
  const runId = await trainRun(app, model);
  const trainMs = performance.now() - t;
  const run = await app.runs.get(runId);
  const config = (await app.runs.readConfig<any>(runId))!;
  const series = await app.loadSeries({ dataset: config.dataset.name, series: config.dataset.series, options: config.dataset.options });
  const { test } = series;
  const rows = Array.from({ length: test.rows }, (_, r) => Array.from(test.values.subarray(r * test.channels, (r + 1) * test.channels)));
  const rowAt = (i: number) => rows[i % rows.length]!;
  const open = async () => (await post(`${server!.url}/api/runs/${runId}/streams`, '')).id as string;
  const out: Row[] = [];

  // The core's session in-process: the floor under the HTTP numbers.
  {
    const session = await app.openStream(runId);
    const n = Math.min(20_000, SINGLE * 10);
    const r = await timed(n, WARMUP * 10, async (i) => void session.push(rowAt(i)));
    session.dispose();
    out.push(summarise(model, 'in-process StreamSession.push, 1 row', r.times, 1, r.cpuMicros, r.wallMs));
  }

  // One row per request (JSON).
  {
    const sid = await open();
    const url = `${server!.url}/api/streams/${sid}/points`;
    let scored = 0;
    const r = await timed(SINGLE, WARMUP, async (i) => {
      const answer = await post(url, JSON.stringify([rowAt(i)]));
      scored += answer.results.length;
    });
    check(scored > 0, 'single-row requests returned no scores');
    out.push(summarise(model, 'POST points, 1 row/request (JSON)', r.times, 1, r.cpuMicros, r.wallMs));
  }

  // 1,000 rows per request, JSON array and NDJSON.
  for (const format of ['json', 'ndjson'] as const) {
    const sid = await open();
    const url = `${server!.url}/api/streams/${sid}/points`;
    const bodies = Array.from({ length: 8 }, (_, b) => {
      const chunk = Array.from({ length: BATCH_ROWS }, (_, k) => rowAt(b * BATCH_ROWS + k));
      return format === 'json' ? JSON.stringify(chunk) : chunk.map((row) => JSON.stringify(row)).join('\n');
    });
    const warm = Math.min(WARMUP, 5);
    let pushed = 0;
    const r = await timed(BATCHES, warm, async (i) => {
      const answer = await post(url, bodies[i % bodies.length]!, format === 'json' ? 'application/json' : 'application/x-ndjson');
      check(answer.results.length === BATCH_ROWS, `${answer.results.length} results for ${BATCH_ROWS} rows`);
      pushed = answer.rowsPushed;
    });
    check(pushed === (r.times.length + warm) * BATCH_ROWS, `rows pushed ${pushed}`);
    out.push(summarise(model, `POST points, ${BATCH_ROWS} rows/request (${format === 'json' ? 'JSON' : 'NDJSON'})`, r.times, BATCH_ROWS, r.cpuMicros, r.wallMs));
  }
  const facts = `${model}: run ${runId} (${config.dataset.name}/${config.dataset.series}, ${series.channelNames.length} channels, engine ${run.engine ?? run.backend}; trained in ${Math.round(trainMs)} ms), rows: its test split (${test.rows} rows), cycled`;
  return { rows: out, facts };
}

try {
  const app = await createAnomalab({ runsDir: join(tmp, 'runs'), root });
  server = await startServer({ app, port: 0, host: '127.0.0.1', experimentsDir: join(root, 'experiments'), cwd: root });
  const results: Row[] = [];
  const facts: string[] = [];
  for (const model of models) {
    const r = await benchRun(app, model);
    results.push(...r.rows);
    facts.push(r.facts);
  }

  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  console.log(`anomalab online scoring over HTTP (${new Date().toISOString()}, node ${process.version}, ${cpu}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  for (const line of facts) console.log(line);
  console.log(`server: ${server.url} (in-process, @hono/node-server); client: node:http keep-alive in the same process, sequential; each case at most its count or ${SECONDS} s\n`);
  const header = ['model', 'case', 'requests', 'rows', 'p50 ms', 'p99 ms', 'max ms', 'CPU ms/req', 'CPU us/row', 'rows/s', 'rows/CPU-s'];
  const table = results.map((r) => [
    r.model,
    r.case,
    String(r.requests),
    String(r.rows),
    r.p50.toFixed(3),
    r.p99.toFixed(3),
    r.max.toFixed(2),
    r.cpuMs.toFixed(3),
    ((r.cpuMs * 1000 * r.requests) / r.rows).toFixed(1),
    Math.round(r.rowsPerSecond).toLocaleString('en-US'),
    Math.round(r.rows / ((r.cpuMs * r.requests) / 1000)).toLocaleString('en-US'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table) console.log(line(row));
  console.log('\nCPU is this process (client and server together); rows/CPU-s is what one free core would sustain.');
  for (const model of models) {
    const [, single, batch] = results.filter((r) => r.model === model);
    console.log(
      `targets (${model}): 1 row/request p99 ${single!.p99.toFixed(2)} ms (target < 5 ms: ${single!.p99 < 5 ? 'met' : 'NOT met'}); ` +
        `${BATCH_ROWS} rows/request ${Math.round(batch!.rowsPerSecond).toLocaleString('en-US')} rows/s (target >= 50,000: ${batch!.rowsPerSecond >= 50_000 ? 'met' : 'NOT met'})`,
    );
  }

  if (args.json) {
    await writeFile(args.json, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu, load: loadavg(), facts, results }, null, 2)}\n`);
    console.log(`wrote ${args.json}`);
  }
} finally {
  agent.destroy();
  await cleanup();
}

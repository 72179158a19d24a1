#!/usr/bin/env node
// A small client of anomalab's online-scoring API (docs/streaming.md), plain Node (>= 20)
// with fetch and nothing else: open a session for a trained run, push CSV rows in batches,
// print one scored line per row, report alarms on stderr, close the session.
//
//   node examples/stream-client.mjs <run-id> [file.csv]      (no file, or -: read stdin)
//     --server <url>   anomalab serve address (default http://127.0.0.1:8377)
//     --batch <n>      rows per request (default 500)
//     --token <t>      X-Anomalab-Token, for a server bound beyond loopback
//
// The CSV's first line names the channels (the run's names, any order; a `timestamp`
// column is passed through), the rest are rows of numbers:
//
//   timestamp,ch0,ch1
//   2026-12-01T00:00:00Z,0.12,-0.40
//
// Output: `row,timestamp,<channel scores...>,joint,alarm`, one line per scored row, in row
// order (scores are empty before the model's first scorable row).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { server: { type: 'string', default: 'http://127.0.0.1:8377' }, batch: { type: 'string', default: '500' }, token: { type: 'string' } },
});
const [runId, file = '-'] = positionals;
const batchSize = Number(flags.batch);
if (!runId || !(Number.isInteger(batchSize) && batchSize > 0)) {
  process.stderr.write('usage: node examples/stream-client.mjs <run-id> [file.csv] [--server url] [--batch n] [--token t]\n');
  process.exit(2);
}
const server = flags.server.replace(/\/$/, '');
const headers = { 'content-type': 'application/json', ...(flags.token ? { 'x-anomalab-token': flags.token } : {}) };

/** fetch + JSON; a non-2xx answer ends the program with the server's message. */
async function call(method, path, body) {
  const res = await fetch(server + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const answer = await res.json();
  if (!res.ok) {
    process.stderr.write(`error: ${method} ${path}: HTTP ${res.status} ${answer.error?.code}: ${answer.error?.message}\n`);
    process.exit(1);
  }
  return answer;
}

const session = await call('POST', `/api/runs/${encodeURIComponent(runId)}/streams`);
const { channels } = session;
process.stderr.write(`session ${session.id} on run ${session.run}: channels ${channels.join(', ')}\n`);
process.stdout.write(['row', 'timestamp', ...channels, 'joint', 'alarm'].join(',') + '\n');

function print(results) {
  for (const r of results) {
    const scores = channels.map((c) => r.scores[c] ?? '');
    process.stdout.write([r.row, r.timestamp ?? '', ...scores, r.joint ?? '', r.alarm ? 1 : 0].join(',') + '\n');
    if (r.alarm) process.stderr.write(`ALARM row ${r.row}${r.timestamp !== undefined ? ` (${r.timestamp})` : ''}: ${channels.map((c, i) => `${c}=${scores[i]}`).join(' ')}\n`);
  }
}

const input = createInterface({ input: file === '-' ? process.stdin : createReadStream(file), crlfDelay: Infinity });
let columns;
let batch = [];
for await (const line of input) {
  if (line.trim() === '') continue;
  const cells = line.split(',').map((c) => c.trim());
  if (!columns) {
    columns = cells;
    continue;
  }
  // Rows keyed by column name: the server matches them to the run's channels and names any mismatch.
  const row = {};
  columns.forEach((name, i) => (row[name] = name === 'timestamp' ? cells[i] : Number(cells[i])));
  batch.push(row);
  if (batch.length >= batchSize) {
    print((await call('POST', `/api/streams/${session.id}/points`, batch)).results);
    batch = [];
  }
}
if (batch.length) print((await call('POST', `/api/streams/${session.id}/points`, batch)).results);
// Closing returns the scores the model still held (models that settle rows late).
print((await call('DELETE', `/api/streams/${session.id}`)).results);

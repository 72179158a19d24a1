// Online scoring over HTTP (/api/runs/:id/streams, /api/streams): a real server on
// 127.0.0.1 over a real trained run, compared with the core's StreamSession in-process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openRunStream, type Anomalab, type StreamScore } from '@anomalab/core';
import { startServer, type RunningServer } from '../src/index.ts';
import { api, openApp, quickRun, readSeriesEntry, readSse, serve, sleep, tempDir, workspaceRoot, type SseEvent } from './helpers.ts';

let root: string;
let app: Anomalab;
let server: RunningServer;
let base: string;
let runId: string;
let channels: string[];
/** The raw (unstandardised) test split of the run's series, row by row. */
let testRows: number[][];

beforeAll(async () => {
  root = await tempDir('streams');
  app = await openApp(join(root, 'runs'));
  runId = await quickRun(app);
  const config = JSON.parse(await readFile(join(root, 'runs', runId, 'config.json'), 'utf8'));
  const loaded = await app.loadSeries({ dataset: config.dataset.name, series: config.dataset.series, options: config.dataset.options });
  channels = loaded.channelNames;
  const { test } = loaded;
  testRows = Array.from({ length: test.rows }, (_, t) => Array.from(test.values.subarray(t * test.channels, (t + 1) * test.channels)));
  server = await serve(app);
  base = server.url;
});

afterAll(async () => {
  await server?.close();
  await rm(root, { recursive: true, force: true });
});

/** The same rows through the core's session in this process: what HTTP must answer. */
async function reference(rows: number[][], warmup: number[][] = []): Promise<StreamScore[]> {
  const session = await openRunStream(app.registry, app.runs, runId);
  try {
    for (const row of warmup) session.push(row);
    const out = rows.flatMap((row) => session.push(row));
    return [...out, ...session.finish()].filter((s) => s.row >= warmup.length);
  } finally {
    session.dispose();
  }
}

function asHttp(s: StreamScore) {
  return { row: s.row, scores: Object.fromEntries(channels.map((name, c) => [name, s.scores[c] ?? null])), joint: s.joint, alarm: s.alarm, alarms: Object.fromEntries(channels.map((name, c) => [name, s.alarms[c]])) };
}

async function open(body?: unknown, at = base): Promise<{ id: string; body: any }> {
  const res = await api(at, `/api/runs/${runId}/streams`, { method: 'POST', body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id, body: res.body };
}

async function points(id: string, body: unknown, contentType = 'application/json', at = base): Promise<{ status: number; body: any }> {
  const res = await fetch(`${at}/api/streams/${id}/points`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : text };
}

describe('opening a session', () => {
  it('answers 201 with the run, its channels, its deployable thresholds and a Location', async () => {
    const res = await api(base, `/api/runs/${runId}/streams`, { method: 'POST', body: '' });
    expect(res.status).toBe(201);
    const results = JSON.parse(await readFile(join(root, 'runs', runId, 'results.json'), 'utf8'));
    expect(res.body).toMatchObject({ run: runId, channels, rowsPushed: 0, warmupRows: 0, location: `/api/streams/${res.body.id}` });
    expect(res.headers.get('location')).toBe(`/api/streams/${res.body.id}`);
    expect(res.body.thresholds).toEqual({
      channels: Object.fromEntries(results.channels.map((c: any) => [c.channel, c.metrics.deployable.threshold])),
      joint: results.joint?.metrics.deployable.threshold ?? null,
    });
    expect(res.body.limits).toMatchObject({ maxRowsPerRequest: 10_000, idleTimeoutMs: 300_000 });
    expect((await api(base, `/api/streams/${res.body.id}`, { method: 'DELETE' })).status).toBe(200);
  });

  it('404 for an unknown run, 409 for a run that did not complete', async () => {
    const unknown = await api(base, '/api/runs/no-such-run/streams', { method: 'POST', body: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('ANOMALAB_RUN_NOT_FOUND');
    // A copy of the run whose record says it failed.
    const failedId = `${runId}-failed`;
    await cp(join(root, 'runs', runId), join(root, 'runs', failedId), { recursive: true });
    const record = JSON.parse(await readFile(join(root, 'runs', failedId, 'run.json'), 'utf8'));
    await writeFile(join(root, 'runs', failedId, 'run.json'), JSON.stringify({ ...record, id: failedId, status: 'failed', error: { code: 'ANOMALAB_INTERNAL', message: 'test' } }));
    const failed = await api(base, `/api/runs/${failedId}/streams`, { method: 'POST', body: {} });
    expect(failed.status).toBe(409);
    expect(failed.body.error.message).toBe(`run ${failedId} is failed: only a completed run can score a stream`);
  });

  it('422 with the core\'s message for a model that cannot stream', async () => {
    // A matrix-profile self-join cannot stream (a row's nearest neighbour may not have arrived yet): no openStream.
    const text = 'name: no-stream\nseed: 1\ndataset: {name: synthetic, options: {length: 2000, channels: 2}}\nmodel: {name: matrix-profile, options: {join: self, window: 20}}\ntraining: {epochs: 1}\n';
    const { run } = await app.run(await app.load({ text }), { quiet: true });
    const inProcess = await openRunStream(app.registry, app.runs, run.id).then(
      () => 'opened',
      (error: Error) => error.message,
    );
    const res = await api(base, `/api/runs/${run.id}/streams`, { method: 'POST', body: {} });
    expect(res.status).toBe(422);
    expect(res.body.error).toEqual({ code: 'ANOMALAB_STREAM_UNSUPPORTED', message: inProcess });
    expect(inProcess).toMatch(/model "matrix-profile" cannot stream/);
  });

  it('400 for a body that is not { warmup: [rows] }, naming the bad warm-up row', async () => {
    const notObject = await api(base, `/api/runs/${runId}/streams`, { method: 'POST', body: [1, 2] });
    expect(notObject.status).toBe(400);
    expect(notObject.body.error.message).toMatch(/must be a JSON object/);
    const unknownField = await api(base, `/api/runs/${runId}/streams`, { method: 'POST', body: { warmpu: [] } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.message).toBe('unknown field "warmpu" in the body (only "warmup")');
    const badRow = await api(base, `/api/runs/${runId}/streams`, { method: 'POST', body: { warmup: [testRows[0], [1]] } });
    expect(badRow.status).toBe(400);
    expect(badRow.body.error.message).toBe(`warmup row 1 (stream row 1): has 1 value, the run has ${channels.length} channels (${channels.join(', ')}) (nothing was pushed)`);
    expect((await api(base, '/api/streams')).body.streams).toEqual([]);
  });
});

describe('pushing rows', () => {
  it('scores JSON rows exactly as the core session does, row by row and in batches', async () => {
    const rows = testRows.slice(0, 300);
    const expected = (await reference(rows)).map(asHttp);
    const { id } = await open();
    const got: any[] = [];
    for (const row of rows.slice(0, 20)) {
      const res = await points(id, [row]);
      expect(res.status).toBe(200);
      got.push(...res.body.results);
    }
    for (let from = 20; from < rows.length; from += 70) {
      const res = await points(id, rows.slice(from, from + 70));
      expect(res.status).toBe(200);
      expect(res.body.rowsPushed).toBe(Math.min(rows.length, from + 70));
      got.push(...res.body.results);
    }
    got.push(...(await api(base, `/api/streams/${id}`, { method: 'DELETE' })).body.results);
    expect(got).toEqual(expected);
    expect(got.filter((r) => r.scores[channels[0]!] !== null).length).toBeGreaterThan(250);
  });

  it('takes rows keyed by channel name with timestamps, and NDJSON, with the same scores', async () => {
    const rows = testRows.slice(0, 60);
    const expected = (await reference(rows)).map(asHttp);
    const { id } = await open();
    const keyed = rows.slice(0, 30).map((row, t) => ({ timestamp: `2026-12-01T00:00:${String(t).padStart(2, '0')}Z`, ...Object.fromEntries(channels.map((n, c) => [n, row[c]])) }));
    const a = await points(id, keyed);
    expect(a.status).toBe(200);
    const ndjson = rows.slice(30).map((row, t) => JSON.stringify(t % 2 ? row : { timestamp: 1_000 + t, ...Object.fromEntries(channels.map((n, c) => [n, row[c]])) })).join('\n') + '\n';
    const b = await points(id, ndjson, 'application/x-ndjson');
    expect(b.status, JSON.stringify(b.body)).toBe(200);
    const got = [...a.body.results, ...b.body.results];
    expect(got.map(({ timestamp: _t, ...r }: any) => r)).toEqual(expected);
    expect(got[3].timestamp).toBe('2026-12-01T00:00:03Z');
    expect(got[30].timestamp).toBe(1_000);
    expect(got[31].timestamp).toBeUndefined();
    await api(base, `/api/streams/${id}`, { method: 'DELETE' });
  });

  it('warm-up rows advance the state and are not returned', async () => {
    const warmup = testRows.slice(0, 40);
    const rows = testRows.slice(40, 80);
    const expected = (await reference(rows, warmup)).map(asHttp);
    const { id, body } = await open({ warmup });
    expect(body).toMatchObject({ warmupRows: 40, rowsPushed: 40 });
    const res = await points(id, rows);
    const closed = await api(base, `/api/streams/${id}`, { method: 'DELETE' });
    expect([...res.body.results, ...closed.body.results]).toEqual(expected);
    expect(expected[0]!.row).toBe(40);
  });

  it('flags exactly the rows whose score passes a deployable threshold', async () => {
    const { id, body } = await open();
    const spike = testRows[30]!.map((v) => v + 1e6);
    const res = await points(id, [...testRows.slice(0, 30), spike, ...testRows.slice(31, 200)]);
    const { channels: perChannel, joint } = body.thresholds;
    // The core's rule: the joint score's alarm when the run has one, else any channel's.
    const over = (r: any) => (r.joint !== null && joint !== null ? r.joint > joint : channels.some((n) => r.scores[n] !== null && perChannel[n] !== null && r.scores[n] > perChannel[n]));
    const spiked = res.body.results.find((r: any) => r.row === 30);
    expect(spiked.scores[channels[0]!]).toBeGreaterThan(perChannel[channels[0]!]);
    expect(spiked.joint).toBeGreaterThan(joint);
    expect(spiked.alarm).toBe(true);
    expect(res.body.results.map((r: any) => r.alarm)).toEqual(res.body.results.map(over));
    expect(res.body.results.map((r: any) => r.alarms)).toEqual(res.body.results.map((r: any) => Object.fromEntries(channels.map((n) => [n, r.scores[n] !== null && r.scores[n] > perChannel[n]]))));
    expect(res.body.results.filter((r: any) => !r.alarm).length).toBeGreaterThan(100);
    await api(base, `/api/streams/${id}`, { method: 'DELETE' });
  });
});

describe('the whole test split over HTTP reproduces the run\'s stored batch scores', () => {
  async function streamOverHttp(id: string, rows: number[][], batch: number): Promise<any[]> {
    const res = await api(base, `/api/runs/${id}/streams`, { method: 'POST', body: {} });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const out: any[] = [];
    for (let from = 0; from < rows.length; from += batch) {
      const ndjson = rows.slice(from, from + batch).map((r) => JSON.stringify(r)).join('\n');
      const answer = await points(res.body.id, ndjson, 'application/x-ndjson');
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      out.push(...answer.body.results);
    }
    out.push(...(await api(base, `/api/streams/${res.body.id}`, { method: 'DELETE' })).body.results);
    return out;
  }

  /** Largest relative difference from the stored float32 scores, and the alarms against the stored thresholds. */
  async function compare(id: string, names: string[], streamed: any[]) {
    const dir = join(root, 'runs', id);
    const results = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8'));
    const stored = Object.fromEntries(await Promise.all([...names, 'joint'].map(async (n) => [n, (await readSeriesEntry(dir, n)).arrays.score!] as const)));
    const jointThreshold = results.joint.metrics.deployable.threshold;
    let worst = 0;
    let alarms = 0;
    for (const r of streamed) {
      if (r.scores[names[0]!] === null) {
        expect(r.row).toBeLessThan(results.window);
        continue;
      }
      for (const n of names) worst = Math.max(worst, Math.abs(r.scores[n] - stored[n]![r.row]!) / Math.abs(stored[n]![r.row]!));
      worst = Math.max(worst, Math.abs(r.joint - stored.joint![r.row]!) / Math.abs(stored.joint![r.row]!));
      expect(r.alarm).toBe(stored.joint![r.row]! > jointThreshold);
      if (r.alarm) alarms++;
    }
    return { worst, alarms, window: results.window };
  }

  it('baselines (quickstart), 1,000 NDJSON rows per request', async () => {
    const streamed = await streamOverHttp(runId, testRows, 1000);
    expect(streamed.map((r) => r.row)).toEqual(testRows.map((_, t) => t));
    const { worst, alarms, window } = await compare(runId, channels, streamed);
    expect(streamed.filter((r) => r.scores[channels[0]!] === null)).toHaveLength(window);
    expect(worst).toBeLessThanOrEqual(1e-5);
    expect(alarms).toBeGreaterThan(0);
  });

  it('rnn (ecg-smoke, 1 epoch), 500 NDJSON rows per request', async () => {
    const loaded = await app.load({ file: join(workspaceRoot, 'experiments', 'ecg-smoke.yaml'), overrides: ['training.epochs=1'] });
    const { run } = await app.run(loaded, { quiet: true });
    const ecg = await app.loadSeries({ dataset: 'ecg', series: 'chfdb_chf13_45590' });
    const { test } = ecg;
    const rows = Array.from({ length: test.rows }, (_, t) => Array.from(test.values.subarray(t * test.channels, (t + 1) * test.channels)));
    const streamed = await streamOverHttp(run.id, rows, 500);
    expect(streamed.map((r) => r.row)).toEqual(rows.map((_, t) => t));
    const { worst } = await compare(run.id, ecg.channelNames, streamed);
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});

describe('a model that settles rows late (kmeans: a row is scored once every subsequence covering it has arrived)', () => {
  it('returns rows in later answers and at DELETE, with their timestamps, counting the held rows in its memory estimate', async () => {
    const text = 'name: late-rows\nseed: 1\ndataset: {name: synthetic, options: {length: 2000, channels: 2}}\nmodel: {name: kmeans, options: {clusters: 4, window: 20}}\ntraining: {epochs: 1}\n';
    const { run } = await app.run(await app.load({ text }), { quiet: true });
    const config = JSON.parse(await readFile(join(root, 'runs', run.id, 'config.json'), 'utf8'));
    const { test, channelNames } = await app.loadSeries({ dataset: config.dataset.name, options: config.dataset.options });
    const rows = Array.from({ length: 120 }, (_, t) => Array.from(test.values.subarray(t * test.channels, (t + 1) * test.channels)));
    const session = await openRunStream(app.registry, app.runs, run.id);
    const expected = [...rows.flatMap((r) => session.push(r)), ...session.finish()];
    session.dispose();
    const openedRes = await api(base, `/api/runs/${run.id}/streams`, { method: 'POST', body: {} });
    expect(openedRes.status).toBe(201);
    const { id } = openedRes.body;
    const opened = openedRes.body;
    const keyed = (t: number) => ({ timestamp: `t${t}`, ...Object.fromEntries(channelNames.map((n, c) => [n, rows[t]![c]])) });
    const first = await points(id, rows.slice(0, 50).map((_, t) => keyed(t)));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    // Rows near the end of what was sent wait for the subsequences that cover them.
    const held = 50 - first.body.results.length;
    expect(held).toBeGreaterThan(0);
    const info = (await api(base, `/api/streams/${id}`)).body;
    expect(info.memoryBytes).toBe(opened.memoryBytes + held * channelNames.length * 8 + held * 96);
    const second = await points(id, rows.slice(50).map((_, k) => keyed(50 + k)));
    expect(second.body.results[0].row).toBe(first.body.results.length); // the held rows come first
    const closed = await api(base, `/api/streams/${id}`, { method: 'DELETE' });
    expect(closed.body.results.length).toBeGreaterThan(0);
    const got = [...first.body.results, ...second.body.results, ...closed.body.results];
    expect(got.map((r: any) => r.row)).toEqual(rows.map((_, t) => t));
    expect(got.map((r: any) => r.timestamp)).toEqual(rows.map((_, t) => `t${t}`));
    const asRun = (s: StreamScore) => ({ row: s.row, timestamp: `t${s.row}`, scores: Object.fromEntries(channelNames.map((n, c) => [n, s.scores[c] ?? null])), joint: s.joint, alarm: s.alarm, alarms: Object.fromEntries(channelNames.map((n, c) => [n, s.alarms[c]])) });
    expect(got).toEqual(expected.map(asRun));
  });
});

describe('bad rows: 400 naming the row and the problem, and the session unchanged', () => {
  let id: string;
  let pushed = 0;
  const name = () => channels;

  beforeAll(async () => {
    ({ id } = await open());
    expect((await points(id, testRows.slice(0, 5))).status).toBe(200);
    pushed = 5;
  });

  const cases: Array<[string, () => { body: string; type?: string }, RegExp | string | (() => string)]> = [
    ['wrong channel count', () => ({ body: JSON.stringify([testRows[5], [1, 2, 3]]) }), () => `row 1 (stream row 6): has 3 values, the run has ${name().length} channels (${name().join(', ')}) (nothing was pushed)`],
    ['unknown channel name', () => ({ body: JSON.stringify([{ ...Object.fromEntries(name().map((n) => [n, 1])), pressure: 2 }]) }), () => `row 0 (stream row 5): has an unknown channel "pressure" (the run's channels: ${name().join(', ')}; besides them only "timestamp") (nothing was pushed)`],
    ['missing channel name', () => ({ body: JSON.stringify([{ [name()[0]!]: 1 }]) }), () => `row 0 (stream row 5): misses channel "${name()[1]}" (the run's channels: ${name().join(', ')}) (nothing was pushed)`],
    ['NaN (not JSON)', () => ({ body: `[[1,2],[NaN,2]]` }), /^row 1 \(stream row 6\): NaN and Infinity are not JSON numbers/],
    ['Infinity via 1e999', () => ({ body: `[[1,2],[1,1e999]]` }), () => `row 1 (stream row 6): channel ${name()[1]} (value 1) is Infinity, expected a finite number (nothing was pushed)`],
    ['beyond float32', () => ({ body: `[[1,1e39]]` }), () => `row 0 (stream row 5): channel ${name()[1]} (value 1) is 1e+39, outside the float32 range the models compute in (nothing was pushed)`],
    ['null', () => ({ body: `[[null,2]]` }), () => `row 0 (stream row 5): channel ${name()[0]} (value 0) is null, expected a finite number (nothing was pushed)`],
    ['a string', () => ({ body: `[[1,"2.5"]]` }), () => `row 0 (stream row 5): channel ${name()[1]} (value 1) is the string "2.5", expected a finite number (nothing was pushed)`],
    ['a row that is a number', () => ({ body: `[[1,2],3]` }), /^row 1 \(stream row 6\): is 3, expected an array of 2 numbers/],
    ['a bad timestamp', () => ({ body: JSON.stringify([{ ...Object.fromEntries(name().map((n) => [n, 1])), timestamp: true }]) }), /timestamp is the boolean true, expected a string or a finite number/],
    ['non-array body', () => ({ body: JSON.stringify({ rows: [[1, 2]] }) }), 'the body is an object, expected a JSON array of rows (or NDJSON with Content-Type: application/x-ndjson)'],
    ['empty body', () => ({ body: '' }), /^the body is empty: send rows as a JSON array/],
    ['empty array', () => ({ body: '[]' }), 'the body holds no rows: send at least one row'],
    ['invalid JSON', () => ({ body: '[[1,2],[3,' }), /^row 1 \(stream row 6\): not valid JSON/],
    ['NDJSON bad line', () => ({ body: '[1,2]\n\n[1,"x"]\n', type: 'application/x-ndjson' }), () => `row 1 (stream row 6, line 3): channel ${name()[1]} (value 1) is the string "x", expected a finite number (nothing was pushed)`],
    ['NDJSON with NaN', () => ({ body: '[1,2]\n[NaN,1]\n', type: 'application/x-ndjson' }), /^row 1 \(stream row 6, line 2\): NaN and Infinity are not JSON numbers/],
    ['empty NDJSON', () => ({ body: '\n\n', type: 'application/x-ndjson' }), /^the body is empty: send rows as NDJSON/],
  ];

  for (const [label, make, message] of cases) {
    it(label, async () => {
      const { body, type } = make();
      const res = await points(id, body, type);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe('ANOMALAB_BAD_REQUEST');
      const expected = typeof message === 'function' ? message() : message;
      if (typeof expected === 'string') expect(res.body.error.message).toBe(expected);
      else expect(res.body.error.message).toMatch(expected);
      expect((await api(base, `/api/streams/${id}`)).body.rowsPushed).toBe(pushed);
    });
  }

  it('lists every bad row (the first 20) with its request index and stream row', async () => {
    const rows = [testRows[5], [1], testRows[6], ['a', 1], [null, null]];
    const res = await points(id, rows);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^row 1 \(stream row 6\): has 1 value.*\(and 2 more bad rows; nothing was pushed\)$/);
    expect(res.body.error.rows.map((r: any) => [r.index, r.streamRow])).toEqual([[1, 6], [3, 8], [4, 9]]);
  });

  it('refuses other content types (415) and NDJSON outside the points route', async () => {
    const text = await fetch(`${base}/api/streams/${id}/points`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '[[1,2]]' });
    expect(text.status).toBe(415);
    expect((await text.json()).error.message).toMatch(/application\/json or application\/x-ndjson/);
    const ndjsonElsewhere = await fetch(`${base}/api/runs/${runId}/streams`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: '{}' });
    expect(ndjsonElsewhere.status).toBe(415);
  });

  it('after every refusal the session scores on as if none had been sent', async () => {
    const expected = (await reference(testRows.slice(0, 15))).map(asHttp).slice(5);
    const res = await points(id, testRows.slice(5, 15));
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual(expected.filter((r) => r.row < 15));
  });
});

describe('closing, listing, following', () => {
  it('DELETE returns the last scores; the id then answers 410 saying it was closed', async () => {
    const { id } = await open();
    await points(id, testRows.slice(0, 10));
    const listed = (await api(base, '/api/streams')).body;
    expect(listed.streams.find((s: any) => s.id === id)).toMatchObject({ run: runId, rowsPushed: 10, channels, readers: 0 });
    expect(listed.limits.maxSessions).toBe(16);
    const closed = await api(base, `/api/streams/${id}`, { method: 'DELETE' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ id, closed: true, rowsPushed: 10 });
    const after = await points(id, [testRows[10]]);
    expect(after.status).toBe(410);
    expect(after.body.error).toMatchObject({ code: 'ANOMALAB_STREAM_GONE' });
    expect(after.body.error.message).toMatch(new RegExp(`^scoring session ${id} \\(run ${runId}\\) was closed at `));
    expect((await api(base, '/api/streams/nope/points', { method: 'POST', body: [[1, 2]] })).status).toBe(404);
    expect((await api(base, '/api/streams')).body.streams.find((s: any) => s.id === id)).toBeUndefined();
  });

  it('SSE: session info, then the scores and alarms of every push, then end on close', async () => {
    const { id } = await open();
    const rows = [...testRows.slice(0, 30), testRows[30]!.map((v) => v + 1e6), ...testRows.slice(31, 40)];
    const expected = (await reference(rows)).map(asHttp);
    const pushed: any[] = [];
    const events: SseEvent[] = await readSse(`${base}/api/streams/${id}/events`, {
      timeoutMs: 20_000,
      until: (e) => e.event === 'end',
      onEvent: async (e) => {
        if (e.event !== 'session') return;
        expect(e.data).toMatchObject({ id, run: runId, channels, rowsPushed: 0, readers: 1 });
        for (const batch of [rows.slice(0, 25), rows.slice(25)]) pushed.push(...(await points(id, batch)).body.results);
        pushed.push(...(await api(base, `/api/streams/${id}`, { method: 'DELETE' })).body.results);
      },
    });
    expect(pushed).toEqual(expected);
    const fromFeed = events.filter((e) => e.event === 'scores').flatMap((e) => e.data.results);
    expect(fromFeed).toEqual(pushed);
    const alarms = events.filter((e) => e.event === 'alarm').map((e) => e.data);
    expect(alarms).toEqual(pushed.filter((r) => r.alarm));
    expect(alarms.map((a) => a.row)).toContain(30);
    expect(events.at(-1)).toEqual({ event: 'end', data: { id, reason: 'closed', rowsPushed: 40 } });
  });
});

describe('examples/stream-client.mjs', () => {
  it('scores a CSV file through the API and prints one line per row, alarms on stderr', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const rows = [...testRows.slice(0, 100), testRows[100]!.map((v) => v + 1e6), ...testRows.slice(101, 150)];
    const csv = join(root, 'live.csv');
    await writeFile(csv, [['timestamp', ...channels].join(','), ...rows.map((r, t) => [`t${t}`, ...r].join(','))].join('\n') + '\n');
    const client = join(import.meta.dirname, '..', '..', '..', 'examples', 'stream-client.mjs');
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [client, runId, csv, '--server', base, '--batch', '37']);
    const expected = await reference(rows);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe(['row', 'timestamp', ...channels, 'joint', 'alarm'].join(','));
    expect(lines.slice(1)).toEqual(expected.map((s) => [s.row, `t${s.row}`, ...s.scores.map((v) => v ?? ''), s.joint ?? '', s.alarm ? 1 : 0].join(',')));
    expect(stderr).toMatch(/^ALARM row 100 \(t100\): /m);
    const sid = /^session (\S+) on run /.exec(stderr)![1];
    expect((await api(base, `/api/streams/${sid}`)).status).toBe(410); // the client closed it
  });
});

describe('session limits', () => {
  let small: RunningServer;
  let stateBytes: number;

  beforeAll(async () => {
    const { readdir, stat } = await import('node:fs/promises');
    const dir = join(root, 'runs', runId, 'checkpoints');
    stateBytes = Math.max(...(await Promise.all((await readdir(dir)).map(async (f) => (await stat(join(dir, f))).size))));
    small = await serve(app, {
      streams: { maxSessions: 2, idleTimeoutMs: 400, maxRowsPerRequest: 50, maxBodyBytes: 4096, maxSessionBytes: stateBytes + 40 * channels.length * 8, maxSubscribers: 1 },
    });
  });

  afterAll(async () => {
    await small?.close();
  });

  it('at most maxSessions open: 429 with Retry-After and a message', async () => {
    const a = await open(undefined, small.url);
    const b = await open(undefined, small.url);
    const third = await api(small.url, `/api/runs/${runId}/streams`, { method: 'POST', body: {} });
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('ANOMALAB_STREAM_LIMIT');
    expect(third.body.error.message).toMatch(/^2 scoring sessions are open \(at most 2\): close one/);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await api(small.url, `/api/streams/${a.id}`, { method: 'DELETE' });
    const again = await open(undefined, small.url);
    await api(small.url, `/api/streams/${b.id}`, { method: 'DELETE' });
    await api(small.url, `/api/streams/${again.id}`, { method: 'DELETE' });
  });

  it('an idle session expires: 410 saying so, and it no longer counts', async () => {
    const { id } = await open(undefined, small.url);
    expect((await points(id, testRows.slice(0, 3), undefined, small.url)).status).toBe(200);
    await sleep(700);
    const res = await points(id, testRows.slice(3, 4), undefined, small.url);
    expect(res.status).toBe(410);
    expect(res.body.error.message).toMatch(new RegExp(`^scoring session ${id} \\(run ${runId}\\) expired at .*: no request for 0.4 s \\(the idle timeout\\)`));
    expect((await api(small.url, '/api/streams')).body.streams).toEqual([]);
  });

  it('an SSE reader learns that its session expired', async () => {
    const { id } = await open(undefined, small.url);
    const events = await readSse(`${small.url}/api/streams/${id}/events`, { timeoutMs: 10_000, until: (e) => e.event === 'end' });
    expect(events.map((e) => e.event)).toEqual(['session', 'end']);
    expect(events[1]!.data).toEqual({ id, reason: 'expired', rowsPushed: 0 });
  });

  it('more rows than maxRowsPerRequest, or a bigger body: 413, nothing pushed', async () => {
    const { id } = await open(undefined, small.url);
    const many = await points(id, testRows.slice(0, 51), undefined, small.url);
    expect(many.status).toBe(413);
    expect(many.body.error.message).toBe('51 rows in one request, at most 50: split them over several requests');
    const manyNd = await points(id, testRows.slice(0, 51).map((r) => JSON.stringify(r)).join('\n'), 'application/x-ndjson', small.url);
    expect(manyNd.status).toBe(413);
    const big = await points(id, JSON.stringify(testRows.slice(0, 10)) + ' '.repeat(5000), undefined, small.url);
    expect(big.status).toBe(413);
    expect(big.body.error.message).toMatch(/^request body larger than 4096 bytes \(the stream body limit/);
    expect((await api(small.url, `/api/streams/${id}`)).body.rowsPushed).toBe(0);
    const warm = await api(small.url, `/api/runs/${runId}/streams`, { method: 'POST', body: { warmup: testRows.slice(0, 51) } });
    expect(warm.status).toBe(413);
    await api(small.url, `/api/streams/${id}`, { method: 'DELETE' });
  });

  it('a push that could take the session past its memory estimate: 413, nothing pushed', async () => {
    const { id, body } = await open(undefined, small.url);
    expect(body.memoryBytes).toBe(stateBytes);
    expect((await points(id, testRows.slice(0, 30), undefined, small.url)).status).toBe(200);
    const res = await points(id, testRows.slice(30, 75), undefined, small.url);
    expect(res.status).toBe(413);
    expect(res.body.error.message).toMatch(new RegExp(`^session ${id} could hold ~\\d+ bytes with these 45 rows \\(at most ${stateBytes + 40 * channels.length * 8} per session`));
    expect((await api(small.url, `/api/streams/${id}`)).body.rowsPushed).toBe(30);
    await api(small.url, `/api/streams/${id}`, { method: 'DELETE' });
  });

  it('a run whose checkpoint alone is over the memory limit cannot be opened (422)', async () => {
    const tiny = await serve(app, { streams: { maxSessionBytes: Math.max(1, stateBytes - 1) } });
    try {
      const res = await api(tiny.url, `/api/runs/${runId}/streams`, { method: 'POST', body: {} });
      expect(res.status).toBe(422);
      expect(res.body.error.message).toMatch(new RegExp(`model state \\(checkpoint ~${stateBytes} bytes\\) is larger than the memory one session may hold`));
      expect((await api(tiny.url, '/api/streams')).body.streams).toEqual([]);
    } finally {
      await tiny.close();
    }
  });

  it('at most maxSubscribers SSE readers per session: 429', async () => {
    const { id } = await open(undefined, small.url);
    const controller = new AbortController();
    const first = await fetch(`${small.url}/api/streams/${id}/events`, { signal: controller.signal });
    expect(first.status).toBe(200);
    const second = await api(small.url, `/api/streams/${id}/events`);
    expect(second.status).toBe(429);
    expect(second.body.error.message).toBe(`session ${id} already has 1 event readers (at most 1)`);
    controller.abort();
    await api(small.url, `/api/streams/${id}`, { method: 'DELETE' });
  });
});

describe('the request guard and shutdown', () => {
  it('stream routes need the token when the server has one; reads do not', async () => {
    const guarded = await startServer({ app, port: 0, host: '127.0.0.1', experimentsDir: join(workspaceRoot, 'experiments'), cwd: workspaceRoot, token: 'stream-secret' });
    try {
      const url = `${guarded.url}/api/runs/${runId}/streams`;
      const refused = await fetch(url, { method: 'POST' });
      expect(refused.status).toBe(403);
      expect((await refused.json()).error.code).toBe('ANOMALAB_TOKEN_REQUIRED');
      const opened = await fetch(url, { method: 'POST', headers: { 'x-anomalab-token': 'stream-secret' } });
      expect(opened.status).toBe(201);
      const { id } = await opened.json();
      const push = (headers: Record<string, string>) => fetch(`${guarded.url}/api/streams/${id}/points`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', ...headers }, body: JSON.stringify(testRows[0]) });
      expect((await push({})).status).toBe(403);
      expect((await push({ 'x-anomalab-token': 'stream-secret' })).status).toBe(200);
      expect((await push({ 'x-anomalab-token': 'stream-secret', origin: 'http://evil.example' })).status).toBe(403);
      expect((await fetch(`${guarded.url}/api/streams/${id}`)).status).toBe(200);
      expect((await fetch(`${guarded.url}/api/streams/${id}`, { method: 'DELETE' })).status).toBe(403);
    } finally {
      await guarded.close();
    }
  });

  it('stopping the server ends every session: its SSE readers get end "server stopped"', async () => {
    const stopping = await serve(app);
    const { id } = await open(undefined, stopping.url);
    await points(id, testRows.slice(0, 3), undefined, stopping.url);
    const events = await readSse(`${stopping.url}/api/streams/${id}/events`, {
      timeoutMs: 10_000,
      onEvent: async (e) => {
        if (e.event === 'session') void stopping.close();
      },
    });
    expect(events.map((e) => e.event)).toEqual(['session', 'end']);
    expect(events[1]!.data).toEqual({ id, reason: 'server stopped', rowsPushed: 3 });
  });
});

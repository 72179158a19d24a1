// The run page scores a local CSV in the page (rnn's WebAssembly kernel, the run's weights;
// nothing uploaded) and gets the server's scores: checked in Chromium against a stream
// session of the same run over the HTTP API, on a real ECG record from the data mirror.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { openRunStream, type Anomalab } from '@anomalab/core';
import type { RunningServer } from '../src/index.ts';
import { api, openApp, quickRun, rawGet, serve, tempDir } from './helpers.ts';
import { CHROMIUM, hasChromium, launchChromium } from './browser.ts';

const mirror = process.env.ANOMALAB_DATA_MIRROR;
const ecgFile = mirror ? join(mirror, 'ecg', 'chfdb_chf13_45590.txt') : '';
const ready = hasChromium && Boolean(mirror) && existsSync(ecgFile);
const why = !hasChromium ? `${CHROMIUM} missing` : `ANOMALAB_DATA_MIRROR${mirror ? `/ecg/chfdb_chf13_45590.txt missing` : ' not set'}`;

const experiment = `name: local-score
seed: 7
dataset:
  name: ecg
  series: chfdb_chf13_45590
model:
  name: rnn
  options: { embedding: 16, hidden: 16, augment_length: 6400 }
training:
  epochs: 2
detector:
  window: 10
`;

/** The file's rows as the page reads them: columns 2-3 (column 1 is a time stamp). */
async function ecgRows(file: string): Promise<number[][]> {
  const text = await readFile(file, 'utf8');
  return text.split(/\r?\n/).filter((l) => l.trim()).map((l) => l.trim().split(/\s+/).slice(1).map(Number));
}

describe.skipIf(!ready)(`scoring a local file in the run page, in chromium${ready ? '' : ` (skipped: ${why})`}`, () => {
  let root: string;
  let app: Anomalab;
  let server: RunningServer;
  let browser: Browser;
  let runId: string;

  beforeAll(async () => {
    root = await tempDir('ui-local');
    app = await openApp(join(root, 'runs'));
    const file = join(root, 'local-score.yaml');
    await writeFile(file, experiment);
    const { run } = await app.run(await app.load({ file }), { quiet: true });
    runId = run.id;
    server = await serve(app);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  async function openRunPage(): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/#/run/${encodeURIComponent(runId)}`);
    await page.locator('#local-file').waitFor({ timeout: 15_000 });
    return { page, errors };
  }

  it('scores the ECG record in the page with the scores and alarms of the server stream API', async () => {
    const { page, errors } = await openRunPage();
    // Only the model's module, its kernel and the run's package are fetched; the file is never sent.
    const posted: string[] = [];
    page.on('request', (r) => {
      if (r.method() !== 'GET') posted.push(`${r.method()} ${r.url()}`);
    });
    await page.locator('#local-file').setInputFiles(ecgFile);
    await page.locator('#local-summary[data-state="done"]').waitFor({ timeout: 60_000 });
    const inPage = await page.evaluate(() => (window as unknown as { anomalabLocalScore: { rows: number; scores: (number | null)[][]; joint: (number | null)[]; alarms: boolean[] } }).anomalabLocalScore);
    expect(posted).toEqual([]);

    // The same rows scored by the server: a stream session over HTTP, 1,000 rows per request.
    const rows = await ecgRows(ecgFile);
    expect(inPage.rows).toBe(rows.length);
    const opened = await api(server.url, `/api/runs/${encodeURIComponent(runId)}/streams`, { body: {} });
    expect(opened.status).toBe(201);
    const channelNames = (await api(server.url, `/api/runs/${encodeURIComponent(runId)}`)).body.channels as string[];
    const served: Array<{ row: number; scores: (number | null)[]; joint: number | null; alarm: boolean }> = [];
    for (let t0 = 0; t0 < rows.length; t0 += 1000) {
      const pushed = await api(server.url, `/api/streams/${opened.body.id}/points`, { body: rows.slice(t0, t0 + 1000) });
      expect(pushed.status).toBe(200);
      for (const r of pushed.body.results) served.push({ row: r.row, scores: channelNames.map((n) => r.scores[n]), joint: r.joint, alarm: r.alarm });
    }
    expect((await api(server.url, `/api/streams/${opened.body.id}`, { method: 'DELETE' })).status).toBe(200);
    expect(served.map((s) => s.row)).toEqual(rows.map((_, t) => t));
    // And an in-process session of the same run (what the server wraps) agrees exactly.
    const session = await openRunStream(app.registry, app.runs, runId);
    expect(session.pushRows(rows).map((s) => s.joint)).toEqual(served.map((s) => s.joint));
    session.dispose();

    let compared = 0;
    let worst = 0;
    for (const s of served) {
      for (let c = 0; c < 2; c++) {
        const mine = inPage.scores[c]![s.row];
        if (s.scores[c] === null) {
          expect(mine ?? null, `row ${s.row} channel ${c}`).toBeNull();
          continue;
        }
        worst = Math.max(worst, Math.abs(mine! - s.scores[c]!) / Math.max(1e-6, Math.abs(s.scores[c]!)));
        compared++;
      }
      if (s.joint !== null) worst = Math.max(worst, Math.abs(inPage.joint[s.row]! - s.joint) / Math.max(1e-6, Math.abs(s.joint)));
    }
    expect(compared).toBe(2 * (rows.length - 10));
    expect(worst).toBeLessThan(1e-5);
    expect(inPage.alarms).toEqual(served.map((s) => s.alarm));
    const alarms = served.filter((s) => s.alarm).length;
    expect(alarms).toBeGreaterThan(0);
    expect(await page.locator('#local-alarms').textContent()).toBe(String(alarms));
    expect(await page.locator('#local-chart canvas').count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('names the line and column of a value that is not a number, and scores nothing', async () => {
    const { page, errors } = await openRunPage();
    const bad = join(root, 'bad.csv');
    await writeFile(bad, 'lead1,lead2\n0.1,0.2\n0.3,abc\n');
    // The run's channels are named by the dataset; a header must use those names.
    const { body } = await api(server.url, `/api/runs/${encodeURIComponent(runId)}`);
    const [first, second] = body.channels as string[];
    await writeFile(bad, `${first},${second}\n0.1,0.2\n0.3,abc\n`);
    await page.locator('#local-file').setInputFiles(bad);
    await page.locator('#local-summary[data-state="failed"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('#local-summary').textContent()).toContain('line 3, column 2: "abc" is not a number');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('serves only declared assets of models with a browser module, and refuses runs whose model has none', async () => {
    const wasm = await fetch(`${server.url}/api/models/rnn/assets/fused.wasm`);
    expect(wasm.status).toBe(200);
    expect(wasm.headers.get('content-type')).toBe('application/wasm');
    expect(WebAssembly.validate(new Uint8Array(await wasm.arrayBuffer()))).toBe(true);
    for (const path of ['/api/models/rnn/assets/package.json', '/api/models/rnn/assets/..%2Fpackage.json', '/api/models/rnn/assets/__proto__', '/api/models/nope/browser.js']) {
      expect((await rawGet(server, path)).status, path).toBe(404);
    }
    const noModule = await api(server.url, '/api/models/baselines/browser.js');
    expect(noModule.status).toBe(404);
    expect(noModule.body.error.message).toContain('model "baselines" has no browser module');
    const baselinesRun = await quickRun(app, ['training.epochs=1']);
    const refused = await api(server.url, `/api/runs/${encodeURIComponent(baselinesRun)}/stream-package`);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('model "baselines" cannot score in a browser page');
    expect((await api(server.url, `/api/runs/${encodeURIComponent(baselinesRun)}`)).body.inPageScoring).toBe(false);
    expect((await api(server.url, `/api/runs/${encodeURIComponent(runId)}`)).body.inPageScoring).toBe(true);
  });
});

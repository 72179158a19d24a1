// The web UI in a real browser (playwright-core + Debian's chromium) against a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../src/index.ts';
import { api, cliSweep, openApp, quickRun, serve, tempDir, workspaceRoot } from './helpers.ts';
import { CHROMIUM, hasChromium, launchChromium } from './browser.ts';

/** Screenshots kept after the run (gitignored by test/artifacts/.gitignore). */
const ARTIFACTS = join(import.meta.dirname, 'artifacts');
if (!hasChromium) console.warn(`[server ui tests] SKIPPED: ${CHROMIUM} is missing (install it with: apt-get install -y chromium)`);

describe.skipIf(!hasChromium)(`web UI in chromium${hasChromium ? '' : ` (skipped: ${CHROMIUM} missing; apt-get install -y chromium)`}`, () => {
  let root: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let runId: string;
  let sweepId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    root = await tempDir('ui');
    const app = await openApp(join(root, 'runs'));
    // A quickstart run in-process and, at the same time, a 4-run sweep through the CLI.
    [runId, sweepId] = await Promise.all([quickRun(app, ['training.epochs=3']), cliSweep(join(root, 'runs'))]);
    server = await serve(app, { experimentsDir: join(workspaceRoot, 'experiments') });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    await mkdir(ARTIFACTS, { recursive: true });
  });

  /** Save a full-page screenshot under test/artifacts and check it is a real PNG. */
  async function screenshot(name: string): Promise<void> {
    const path = join(ARTIFACTS, name);
    await rm(path, { force: true });
    await page.screenshot({ path, fullPage: true });
    const png = await readFile(path);
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(png.length).toBeGreaterThan(10_000);
  }

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('shows the runs table, opens a run, renders its charts and the API metrics', async () => {
    await page.goto(`${server.url}/`);
    const row = page.locator(`#runs-table tr[data-run="${runId}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('.badge').textContent()).toBe('completed');
    await screenshot('runs-table.png');

    await row.locator(`a[href="#/run/${runId}"]`).click();
    await page.locator('#run-id').waitFor();
    expect(await page.locator('#run-id').textContent()).toBe(runId);

    // Charts: uPlot draws into canvases; check they are sized and not blank.
    const chartSelectors = ['#score-chart canvas', '#history-chart canvas', '#threshold-chart canvas', '#pr-chart canvas', '#vus-chart canvas'];
    for (const selector of chartSelectors) {
      await page.locator(selector).first().waitFor({ timeout: 10_000 });
    }
    await page.waitForTimeout(300);
    const inked = await page.evaluate((selectors) =>
      Array.from(document.querySelectorAll(selectors.join(', '))).map((node) => {
        const canvas = node as HTMLCanvasElement;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
        return { width: canvas.width, height: canvas.height, painted };
      }),
    chartSelectors);
    expect(inked).toHaveLength(5);
    for (const c of inked) {
      expect(c.width).toBeGreaterThan(100);
      expect(c.painted).toBeGreaterThan(500);
    }

    // Metrics table: every cell shows the API's value (full precision in the title).
    const { body } = await api(server.url, `/api/runs/${runId}`);
    const cells = await page.locator('#metrics-table td[data-metric]').evaluateAll((tds) => tds.map((td) => ({ key: (td as HTMLElement).dataset.metric!, text: td.textContent, title: td.getAttribute('title') })));
    // 3 rows (ch0, ch1, joint) x oracle F1/P/R/threshold, deployable F1/P/R/threshold, AUC-PR, AUC-ROC.
    expect(cells.length).toBe(3 * 10);
    for (const { key, text, title } of cells) {
      const [channel, metric] = key.split('.') as [string, string];
      const value = body.run.summary[channel][metric] as number;
      expect(Number(title)).toBe(value);
      expect(text).toBe(value.toFixed(metric.endsWith('threshold') ? 2 : 4));
    }
    // And the summary is the stored run.json metrics, e.g. the joint oracle F1.
    expect(Number(cells.find((c) => c.key === 'joint.oracle_f')!.title)).toBe(body.run.metrics.joint.oracle.f1);
    // Evaluator metrics: VUS-PR per channel, thresholded ones at both thresholds, as run.json says.
    const joint = body.run.metrics.joint.evaluators;
    expect(await page.locator('#free-metrics-table td[data-metric="joint.vus-pr"]').textContent()).toBe(joint.vus.metrics['vus-pr'].toFixed(4));
    expect(await page.locator('#thresholded-metrics-table td[data-metric="joint.range-f1@deployable"]').textContent()).toBe(joint['range-pr'].deployable.metrics['range-f1'].toFixed(4));
    expect(await page.locator('#thresholded-metrics-table td[data-metric="joint.pa0-f1@oracle"]').textContent()).toBe(joint['pa-k'].oracle.metrics['pa0-f1'].toFixed(4));
    expect(await page.locator('#vus-chart .u-title').textContent()).toContain(`VUS-PR ${joint.vus.metrics['vus-pr'].toFixed(4)}`);

    // A channel's target/prediction chart, and zooming re-fetches a narrower range.
    await page.locator('button[data-channel="ch0"]').click();
    await page.locator('#series-chart canvas').waitFor();
    await page.waitForTimeout(300);
    // The run page as a whole: summary, metrics table and every chart.
    await screenshot('run-page.png');
    const zoomed = page.waitForRequest((r) => /\/series\/ch0\?from=\d+&to=\d+/.test(r.url()) && !r.url().includes('from=0&to=3000'), { timeout: 10_000 });
    await page.locator('#series-chart .u-over').scrollIntoViewIfNeeded();
    const box = (await page.locator('#series-chart .u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await zoomed;
    expect(pageErrors).toEqual([]);
  });

  it('launches an experiment from the form and shows its live log to completion', async () => {
    await page.goto(`${server.url}/#/launch`);
    await page.locator('#launch-experiment').selectOption('quickstart.yaml');
    await page.locator('#launch-overrides').fill('training.epochs=2\nname=from-the-ui');
    await page.locator('#launch-button').click();
    await page.locator('#launch-result .badge[data-status="completed"]').waitFor({ timeout: 20_000 });
    await page.waitForFunction(() => document.querySelector('#launch-log')?.textContent?.includes('completed in'), null, { timeout: 5_000 });
    const runs = (await api(server.url, '/api/runs?experiment=from-the-ui')).body.runs;
    expect(runs).toHaveLength(1);
    expect(runs[0].status).toBe('completed');

    // The same form lists every problem of an invalid launch.
    await page.locator('#launch-overrides').fill('training.epochs=-1\ndetector.window=0');
    await page.locator('#launch-button').click();
    await page.locator('#launch-result .problems li').first().waitFor();
    expect(await page.locator('#launch-result .problems li').count()).toBe(2);
    // The browser logs the (expected) 400 itself; nothing else may have gone wrong.
    expect(pageErrors.filter((e) => !e.includes('status of 400'))).toEqual([]);
  });

  it('shows a sweep\'s report table on the leaderboard', async () => {
    pageErrors.length = 0;
    await page.goto(`${server.url}/#/leaderboard`);
    await page.locator('#sweep-select').selectOption(sweepId);
    await page.locator(`#sweep-report[data-sweep="${sweepId}"]`).waitFor({ timeout: 10_000 });
    const rows = page.locator('#sweep-report table.sweep-report tbody tr');
    // 2 model variants x (ch0, ch1, joint) + one random row per channel.
    expect(await rows.count()).toBe(9);
    expect(await page.locator('#sweep-report tr[data-kind="random"]').count()).toBe(3);
    expect(await page.locator('#sweep-report tr[data-kind="random"] em').first().textContent()).toBe('random');
    // Best values are bold and say what the API says.
    const { body } = await api(server.url, `/api/sweeps/${sweepId}/report`);
    const bestCount = body.rows.reduce((n: number, r: any) => n + Object.keys(r.best).length, 0);
    expect(bestCount).toBeGreaterThan(0);
    expect(await page.locator('#sweep-report td.best strong').count()).toBe(bestCount);
    const firstBest = body.rows.find((r: any) => r.best['auc-pr']);
    const m = firstBest.metrics['auc-pr'];
    expect(await page.locator('#sweep-report td.best strong').first().textContent()).toMatch(/^\d\.\d{3} ± \d\.\d{3}$/);
    expect(await page.locator('#sweep-report tr[data-kind="model"]').filter({ hasText: firstBest.model }).filter({ hasText: firstBest.channel }).locator('td[data-metric="auc-pr"] strong').textContent()).toBe(`${m.mean.toFixed(3)} ± ${m.std.toFixed(3)}`);
    expect(await page.locator('#sweep-protocol li').count()).toBe(body.protocol.length);
    // Ranked by VUS-PR with mean ranks; switching the metric re-ranks from the API.
    expect(await page.locator('#sweep-report').getAttribute('data-rank-by')).toBe('vus-pr');
    expect(await page.locator('#sweep-ranking tbody tr').count()).toBe(body.ranking.length);
    await page.locator('#rank-by-select').selectOption('f1@oracle');
    await page.locator('#sweep-report[data-rank-by="f1@oracle"]').waitFor({ timeout: 10_000 });
    const byF1 = (await api(server.url, `/api/sweeps/${sweepId}/report?rank-by=f1@oracle`)).body;
    expect(await page.locator('#sweep-ranking tbody tr td:first-child').allTextContents()).toEqual(byF1.ranking.map((r: any) => r.model));
    expect(await page.locator('#sweep-ranking tbody tr td:nth-child(2)').allTextContents()).toEqual(byF1.ranking.map((r: any) => r.meanRank.toFixed(2)));

    // The best-runs table switches metrics: values and order come from /api/leaderboard?metric=.
    for (const metric of ['vus-pr', 'auc-pr', 'range-f1@oracle']) {
      if (metric !== 'vus-pr') await page.locator('#leaderboard-metric').selectOption(metric);
      await page.locator(`#best-runs[data-metric="${metric}"]`).waitFor({ timeout: 10_000 });
      const lb = (await api(server.url, `/api/leaderboard?limit=20&metric=${encodeURIComponent(metric)}`)).body;
      const first = lb.datasets[0];
      const cells = await page.locator(`#best-runs section[data-dataset="${first.dataset}"] tbody tr td[data-value]`).allTextContents();
      expect(cells).toEqual(first.top.map((r: any) => (r.value === null ? '–' : r.value.toFixed(4))));
      const values = first.top.map((r: any) => r.value).filter((v: any) => v !== null);
      expect(values).toEqual([...values].sort((a: number, b: number) => b - a));
      expect(values.length).toBeGreaterThan(0);
    }
    await screenshot('leaderboard-sweep.png');
    expect(pageErrors).toEqual([]);
  });
});

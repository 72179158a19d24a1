// The run page of a model that scores rows itself (matrix-profile), in a real browser:
// the score chart with label shading and the discords outlined and listed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../src/index.ts';
import { openApp, quickRun, serve, tempDir } from './helpers.ts';
import { CHROMIUM, hasChromium, launchChromium } from './browser.ts';


describe.skipIf(!hasChromium)(`matrix-profile run page in chromium${hasChromium ? '' : ` (skipped: ${CHROMIUM} missing)`}`, () => {
  let root: string;
  let server: RunningServer;
  let browser: Browser;
  let runId: string;

  beforeAll(async () => {
    root = await tempDir('ui-mp');
    const app = await openApp(join(root, 'runs'));
    runId = await quickRun(app, ['model.name=matrix-profile', 'model.options={window: 50}']);
    server = await serve(app);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('shows the score series with label shading and the discords', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/#/run/${encodeURIComponent(runId)}`);
    await page.locator('#score-chart canvas').first().waitFor({ timeout: 15_000 });
    const list = page.locator('.discords');
    await list.waitFor({ timeout: 10_000 });
    expect(await list.textContent()).toMatch(/discord 1( \(ch\d\))?: test rows \d+–\d+, distance \d+\.\d{3}/);
    expect(await page.locator('dd', { hasText: 'by the model (no detector)' }).count()).toBe(1);
    await page.waitForTimeout(300);
    // Pixels of the label shading (red) and of the discord outlines (violet #7c3aed) on the score chart.
    const colours = await page.evaluate(() => {
      const canvas = document.querySelector('#score-chart canvas') as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let violet = 0, red = 0;
      for (let i = 0; i < d.length; i += 4) {
        const [r, g, b, a] = [d[i]!, d[i + 1]!, d[i + 2]!, d[i + 3]!];
        if (Math.abs(r - 124) < 6 && Math.abs(g - 58) < 6 && Math.abs(b - 237) < 6 && a > 200) violet++;
        if (r > g + 10 && r > b + 10 && a > 0 && a < 80) red++;
      }
      return { violet, red };
    });
    expect(colours.violet, 'discord outlines drawn').toBeGreaterThan(100);
    expect(colours.red, 'labelled ranges shaded').toBeGreaterThan(100);
    expect(errors).toEqual([]);
    await page.close();
  });
});

// The fused forecast path in a real browser (Debian's chromium through playwright-core): the
// page loads forecast-kernel.ts (types stripped, no bundler: it must have no runtime
// imports) and the committed fused.wasm, instantiates them with a trained model's weights
// and streams ECG rows; the forecasts equal Node's batch forecast of the same rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import ts from 'typescript';
import type { Series } from '@anomalab/core';
import { createPredictor, ecgSeries, ECG_FILE, testServices, trainContext } from '../test-support.ts';
import { WASM_URL } from './kernel.ts';

const CHROMIUM = '/usr/bin/chromium';
const ORIGIN = 'http://rnn-kernel.test'; // answered by page.route below: no server, no network
const W = 10;

/** forecast-kernel.ts as the browser gets it: TypeScript types stripped, nothing bundled. */
function kernelModuleJs(): string {
  const source = readFileSync(new URL('./forecast-kernel.ts', import.meta.url), 'utf8');
  return ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText;
}

describe('ForecastKernel in chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} (apt-get install -y chromium)`).toBe(true);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it(`streams ECG rows (${ECG_FILE}) with a trained model's weights: the same forecasts as Node's batch forecast`, async () => {
    const js = kernelModuleJs();
    // Browser-safe: only type imports, which transpiling erased.
    expect(js).not.toMatch(/^\s*import\s/m);
    expect(js).toContain('export class ForecastKernel');

    const ecg = ecgSeries(700);
    expect(ecg, `the ECG series of the data mirror (${ECG_FILE})`).toBeDefined();
    const C = ecg!.channels;
    const train: Series = { rows: 400, channels: C, values: ecg!.values.slice(0, 400 * C) };
    const test: Series = { rows: 300, channels: C, values: ecg!.values.slice(400 * C) };
    const services = testServices();
    const predictor = await createPredictor({ augment_length: 800, batch_size: 16, bptt: 25 }, C, 1111, services);
    await predictor.train({ train }, trainContext(1, services).context);
    const expected = (await predictor.forecast(test, W)).values;
    const params = Array.from(predictor.net.params.dataSync());
    const arch = predictor.net.arch;
    predictor.dispose();

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route(`${ORIGIN}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/fused.wasm') return route.fulfill({ body: readFileSync(WASM_URL), contentType: 'application/wasm' });
      if (path === '/forecast-kernel.js') return route.fulfill({ body: js, contentType: 'text/javascript' });
      // The page imports the module as a bundle-free page would and exposes the class.
      const html = `<!doctype html><title>rnn kernel</title><script type="module">import { ForecastKernel } from '/forecast-kernel.js'; window.ForecastKernel = ForecastKernel;</script>`;
      return route.fulfill({ body: html, contentType: 'text/html' });
    });
    await page.goto(`${ORIGIN}/`);
    await page.waitForFunction(() => 'ForecastKernel' in window, undefined, { timeout: 15_000 });
    const got = await page.evaluate(
      async ({ arch, W, params, values, rows }) => {
        const { ForecastKernel } = window as unknown as { ForecastKernel: typeof import('./forecast-kernel.ts').ForecastKernel };
        const module = await WebAssembly.compileStreaming(fetch('/fused.wasm'));
        const kernel = await ForecastKernel.instantiate(module, arch, W);
        kernel.load(new Float32Array(params));
        const stream = kernel.openStream();
        const rowsIn = new Float32Array(values);
        const C = arch.channels;
        const streamed: number[] = [];
        for (let t = 0; t < rows; t++) streamed.push(...stream.push(rowsIn.subarray(t * C, (t + 1) * C)).forecast!);
        stream.dispose();
        return { streamed, batch: Array.from(kernel.forecast(rowsIn, rows) as Float32Array) };
      },
      { arch, W, params, values: Array.from(test.values), rows: test.rows },
    );
    await page.close();
    expect(errors).toEqual([]);
    expect(got.streamed).toHaveLength(test.rows * W * C);
    // Same module, same arithmetic: identical in the browser (streamed and batched) and in Node.
    expect(new Float32Array(got.streamed)).toEqual(expected);
    expect(new Float32Array(got.batch)).toEqual(expected);
  });
});

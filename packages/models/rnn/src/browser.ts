// The rnn plugin's browser module (ModelPlugin.browser): a page opens a stream on the fused
// WebAssembly kernel with a run's weights, the same kernel and numbers as the server's
// fused engine. Browser-safe: `@anomalab/core` is mapped to `@anomalab/core/browser` when the
// results server bundles this file, and nothing here imports tfjs or Node APIs.
import { decodeFlatState, type OpenBrowserStream } from '@anomalab/core';
import { architectureOf, rnnParameters, STATE_FORMAT } from './architecture.ts';
import { resolveOptions } from './config.ts';
import { ForecastKernel } from './fused/forecast-kernel.ts';

/** Asset name of the compiled kernel (the plugin's `browser.assets`). */
export const KERNEL_ASSET = 'fused.wasm';

export const openBrowserStream: OpenBrowserStream = async ({ options, channels, horizon, state, assetUrl }) => {
  const arch = architectureOf(resolveOptions(options), channels);
  const { params } = decodeFlatState({ family: 'rnn', format: STATE_FORMAT, layout: rnnParameters(arch), architecture: arch }, state);
  const module = await WebAssembly.compileStreaming(fetch(assetUrl(KERNEL_ASSET)));
  const kernel = await ForecastKernel.instantiate(module, arch, horizon);
  kernel.load(params);
  return kernel.openStream();
};

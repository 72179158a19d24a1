import { createRequire } from 'node:module';
import { build, type Plugin } from 'esbuild';
import { AnomalabError } from '@anomalab/core';

const require = createRequire(import.meta.url);

/** `@anomalab/core` inside a browser bundle is its browser-safe entry (`@anomalab/core/browser`). */
const coreBrowser: Plugin = {
  name: 'anomalab-core-browser',
  setup(pluginBuild) {
    const browserEntry = require.resolve('@anomalab/core/browser');
    pluginBuild.onResolve({ filter: /^@anomalab\/core(\/browser)?$/ }, () => ({ path: browserEntry }));
  },
};

/**
 * One ES module for a page: the model plugin's browser module (`openBrowserStream`) and
 * core's stream package helpers, bundled by esbuild for the browser. Anything Node-only
 * reachable from them fails the build here, with esbuild's message naming the import.
 */
export async function bundleBrowserModule(model: string, entry: string): Promise<string> {
  const contents = [
    `export { openBrowserStream } from ${JSON.stringify(entry)};`,
    `export { decodePredictorState, sessionFromPackage } from '@anomalab/core/browser';`,
  ].join('\n');
  try {
    const result = await build({
      stdin: { contents, resolveDir: process.cwd(), sourcefile: `${model}-browser-entry.js`, loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      plugins: [coreBrowser],
      logLevel: 'silent',
      legalComments: 'none',
    });
    return result.outputFiles[0]!.text;
  } catch (error) {
    const messages = (error as { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }).errors ?? [];
    const detail = messages.map((m) => (m.location ? `${m.location.file}:${m.location.line}: ${m.text}` : m.text)).join('; ') || String(error);
    throw new AnomalabError('ANOMALAB_PLUGIN_INVALID', `model "${model}": its browser module does not bundle for the browser: ${detail}`);
  }
}

/** Bundles per model, built once per server (plugins do not change while it runs). */
export class BrowserBundles {
  private readonly built = new Map<string, Promise<string>>();

  get(model: string, entry: string): Promise<string> {
    let bundle = this.built.get(model);
    if (!bundle) {
      bundle = bundleBrowserModule(model, entry);
      // A failed build is retried on the next request rather than cached.
      bundle.catch(() => this.built.delete(model));
      this.built.set(model, bundle);
    }
    return bundle;
  }
}

import type { PluginServices } from '@anomalab/core';

/** tfjs with the backend it runs on. */
export interface TensorRuntime {
  readonly tf: typeof import('@tensorflow/tfjs');
  /** `tensorflow`, `wasm` or `cpu`. */
  readonly backend: string;
}

/** The tfjs namespace. */
export type Tf = TensorRuntime['tf'];

export type BackendPreference = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

let cached: Promise<TensorRuntime> | undefined;

/**
 * tfjs with the fastest backend that works here: tfjs-node (`tensorflow`) when installed,
 * else WebAssembly, else the pure-JS `cpu` backend. `setBackend` resolves to false (and
 * tfjs silently stays on `cpu`) when a backend fails, so its result is checked.
 * ANOMALAB_BACKEND=tensorflow|wasm|cpu forces one. Memoised: one backend per process.
 */
export function loadTensorRuntime(preference: BackendPreference = (process.env.ANOMALAB_BACKEND as BackendPreference) || 'auto'): Promise<TensorRuntime> {
  cached ??= initialise(preference);
  return cached;
}

async function initialise(preference: BackendPreference): Promise<TensorRuntime> {
  if (preference === 'auto' || preference === 'tensorflow') {
    try {
      // Optional dependency: absent where its native library could not be installed.
      const tfNode = (await import('@tensorflow/tfjs-node' as string)) as typeof import('@tensorflow/tfjs');
      await tfNode.ready();
      return { tf: tfNode, backend: tfNode.getBackend() };
    } catch (error) {
      if (preference === 'tensorflow') throw new Error(`ANOMALAB_BACKEND=tensorflow but @tensorflow/tfjs-node does not load: ${(error as Error).message}`);
    }
  }
  const tf = await import('@tensorflow/tfjs');
  if (preference === 'auto' || preference === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    if ((await tf.setBackend('wasm')) && tf.getBackend() === 'wasm') {
      await tf.ready();
      return { tf, backend: 'wasm' };
    }
    if (preference === 'wasm') throw new Error('ANOMALAB_BACKEND=wasm but the tfjs WebAssembly backend failed to initialise');
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('no tfjs backend could be initialised');
  await tf.ready();
  return { tf, backend: 'cpu' };
}

const announced = new WeakSet<PluginServices>();

/**
 * tfjs for a model's `create()`: the process's runtime (`loadTensorRuntime`), its backend
 * recorded once per run through `services.recordBackend` (the pipeline logs it and stores
 * it in run.json), with a warning on the slow `cpu` backend.
 */
export async function tensorsFor(services: PluginServices): Promise<TensorRuntime> {
  const runtime = await loadTensorRuntime(services.settings?.backend);
  if (!announced.has(services)) {
    announced.add(services);
    if (runtime.backend === 'cpu') {
      services.logger.warn('tfjs is running on its pure-JavaScript cpu backend: expect training several times slower than wasm. Check that @tensorflow/tfjs-backend-wasm is installed, or unset ANOMALAB_BACKEND=cpu.');
    }
    await services.recordBackend(runtime.backend);
  }
  return runtime;
}

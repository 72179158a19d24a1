import type { InjectionToken } from 'tsyringe';
import type { CheckpointStore } from './checkpoint-store.ts';
import type { RunStore } from './run-store.ts';

/**
 * Shared services. The pipeline registers one instance of each per run in a child
 * tsyringe container; plugins receive them as `PluginServices` (or resolve the tokens).
 */

export interface ProgressHandle {
  /** Advance to `done` of `total` (absolute, not a delta), with an optional status text. */
  update(done: number, status?: string): void;
  done(status?: string): void;
}

/** Human log (stdout + log.txt) and machine log (metrics.jsonl), one per run. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** One machine-readable record (a line of metrics.jsonl); `type` says what it is. */
  metric(record: { type: string } & Record<string, unknown>): void;
  /** A progress bar on a TTY, occasional plain lines otherwise. */
  progress(label: string, total: number): ProgressHandle;
}

/** Seeded pseudo-random numbers; state can be saved with a checkpoint. */
export interface Random {
  readonly seed: number;
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** An independent generator derived from this seed and a label (stable across runs). */
  fork(label: string): Random;
  getState(): number[];
  setState(state: number[]): void;
}

/** Lazily initialised tfjs with the best backend available (tfjs-node > wasm > cpu). */
export interface TensorRuntime {
  // Typed loosely so core's contracts do not force tfjs types on plugins that never use it.
  readonly tf: typeof import('@tensorflow/tfjs');
  /** `tensorflow`, `wasm` or `cpu`. */
  readonly backend: string;
}

export interface PluginServices {
  logger: Logger;
  checkpoints: CheckpointStore;
  runStore: RunStore;
  random: Random;
  /** Initialise tfjs on first call; the backend is logged and stored with the run. */
  tensors(): Promise<TensorRuntime>;
}

export const LoggerToken: InjectionToken<Logger> = Symbol.for('anomalab.Logger');
export const RandomToken: InjectionToken<Random> = Symbol.for('anomalab.Random');
export const CheckpointStoreToken: InjectionToken<CheckpointStore> = Symbol.for('anomalab.CheckpointStore');
export const RunStoreToken: InjectionToken<RunStore> = Symbol.for('anomalab.RunStore');
export const TensorRuntimeProviderToken: InjectionToken<() => Promise<TensorRuntime>> = Symbol.for(
  'anomalab.TensorRuntimeProvider',
);

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

/**
 * Process-wide settings from the command line (`--backend`, `--data-mirror`) or, when not
 * given, the environment (ANOMALAB_BACKEND, ANOMALAB_DATA_MIRROR). Passed as values, never
 * written back into process.env.
 */
export interface AnomalabSettings {
  /** tfjs backend to force; `auto` picks the fastest that loads. */
  backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  /** Local mirror of the benchmark data files. */
  dataMirror?: string;
}

export interface PluginServices {
  logger: Logger;
  checkpoints: CheckpointStore;
  runStore: RunStore;
  random: Random;
  /**
   * Record the compute backend a plugin initialised (e.g. tfjs's `wasm`): logged and stored
   * as the run's `backend` in run.json (`none` when nothing called it). Outside a run: no effect.
   */
  recordBackend(backend: string): Promise<void>;
  /** The process's settings (optional so hand-made services in tests need not set them). */
  settings?: Readonly<AnomalabSettings>;
}

export const LoggerToken: InjectionToken<Logger> = Symbol.for('anomalab.Logger');
export const RandomToken: InjectionToken<Random> = Symbol.for('anomalab.Random');
export const CheckpointStoreToken: InjectionToken<CheckpointStore> = Symbol.for('anomalab.CheckpointStore');
export const RunStoreToken: InjectionToken<RunStore> = Symbol.for('anomalab.RunStore');
export const BackendRecorderToken: InjectionToken<(backend: string) => Promise<void>> = Symbol.for('anomalab.BackendRecorder');
export const SettingsToken: InjectionToken<AnomalabSettings> = Symbol.for('anomalab.Settings');

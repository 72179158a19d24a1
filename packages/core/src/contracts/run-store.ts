import type { ExperimentConfig } from '../config/experiment-config.ts';
import type { RunResults } from '../pipeline/results.ts';
import type { CheckpointStore } from './checkpoint-store.ts';

/** `unreadable`: only in listings, for a folder whose run.json cannot be parsed (`error` says why). */
export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted' | 'unreadable';

/** `run.json`: what a run is and how it went. */
export interface RunRecord {
  id: string;
  status: RunStatus;
  experiment: string;
  /** `<dataset>/<series>`. */
  dataset: string;
  model: string;
  seed: number;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  /** tfjs backend (`tensorflow`, `wasm`, `cpu`) or `none` when the model did not use tfjs. */
  backend: string;
  /** The model's compute engine as it describes itself (e.g. `tfjs-wasm`, `fused-wasm-simd`). */
  engine?: string;
  node: string;
  versions: Record<string, string>;
  gitCommit?: string;
  /** Experiment file it came from, when there was one. */
  configFile?: string;
  /** Headline metrics (filled in by evaluation). */
  metrics?: Record<string, unknown>;
  error?: { code: string; message: string };
  /** Run this one resumed from, or how many times it was resumed. */
  resumedCount?: number;
  sweep?: string;
  /** Process that ran it last (to tell a crashed `running` run from a live one). */
  pid?: number;
  host?: string;
  /** Boot id and start time of `pid` (Linux): a later process that reuses the pid is not mistaken for this one. */
  processStart?: string;
}

export interface RunSummary extends RunRecord {
  dir: string;
}

/** One folder per run under a root directory; every file write is atomic. */
export interface RunStore {
  readonly root: string;
  /** Create `<root>/<id>/` with run.json (status running) and config.json. */
  create(init: Omit<RunRecord, 'id' | 'status' | 'startedAt'> & { id?: string }, config: Record<string, unknown>): Promise<RunSummary>;
  get(id: string): Promise<RunSummary>;
  /** Every run folder; one whose run.json is corrupt is listed with status `unreadable` and the reason. */
  list(): Promise<RunSummary[]>;
  /** Remove a run folder that was just created and holds nothing of value (data refused before training). */
  discard(id: string): Promise<void>;
  /** Merge fields into run.json atomically. */
  update(id: string, patch: Partial<RunRecord>): Promise<RunSummary>;
  /** Atomically write `<run>/<relativePath>` (JSON for objects, as-is for strings/buffers). */
  writeFile(id: string, relativePath: string, content: unknown): Promise<void>;
  readJson<T>(id: string, relativePath: string): Promise<T | undefined>;
  dirOf(id: string): string;

  // Typed access to the run folder's files (layout: run-store/run-layout.ts).
  /** config.json: the resolved experiment the run ran with (undefined if missing). */
  readConfig<T = ExperimentConfig>(id: string): Promise<T | undefined>;
  writeConfig(id: string, config: ExperimentConfig | Record<string, unknown>): Promise<void>;
  /** results.json (undefined until the run has been evaluated). */
  readResults<T = RunResults>(id: string): Promise<T | undefined>;
  /** log.txt as text (undefined if missing). */
  readLog(id: string): Promise<string | undefined>;
  /** Absolute paths of log.txt and metrics.jsonl (for the run's logger). */
  logFiles(id: string): { log: string; metrics: string };
  /** The run's checkpoints (`<run>/checkpoints/<tag>.ckpt`). */
  checkpoints(id: string): CheckpointStore;
  /** Remove temp files that killed writers left in the run folder and its checkpoints. */
  removeStaleTempFiles(id: string): Promise<void>;
}

import type { RunStatus, RunSummary } from './run-store.ts';

/**
 * Run launchers: one contract for "run this resolved experiment somewhere and tell me how
 * it goes". The CLI's sweep runner, `anomalab experiment --queue` and the server's launch
 * form all talk to a launcher; where the run executes (a local child process, a BullMQ
 * worker on another machine) is the implementation's business. Progress and outcome are
 * structured messages: nobody parses a child's output to learn a run id or a status.
 */

/** One run to execute. */
export interface LaunchRequest {
  /** The run's id, chosen by the submitter (sweeps: deterministic; server: `newRunId`). */
  runId: string;
  /**
   * The fully resolved experiment (what `config.json` holds: defaults applied, overrides
   * merged, matrix entry expanded). Ignored when `resume` is set: the run's own
   * config.json is used.
   */
  config: Record<string, unknown>;
  /** Folder relative paths in the config resolve against (where it was validated). */
  baseDir: string;
  /** Experiment file it came from, recorded in run.json (`configFile`). */
  configFile?: string;
  /** Sweep id recorded in run.json. */
  sweep?: string;
  /** Continue the existing run folder `runId` from its last checkpoint. */
  resume?: boolean;
}

/** Where the launcher reports a launch's progress; every message names its run. */
export type LaunchEvent =
  /** Accepted by the executor, waiting for a slot (a worker, a local process slot). */
  | { type: 'queued'; runId: string; position?: number }
  /** Picked up: the process that will run it is starting (`where`: `host:pid` or a worker name). */
  | { type: 'starting'; runId: string; where: string; attempt: number }
  /** The run folder exists (`resumed`: an existing one was reopened). */
  | { type: 'started'; runId: string; resumed: boolean; where: string }
  | { type: 'epoch'; runId: string; epoch: number; epochs: number; loss?: number; validationLoss?: number }
  /** A checkpoint was written (and, for remote executors, shipped). */
  | { type: 'checkpoint'; runId: string; epoch: number }
  /** A human log line of the run (console output; for display only, never parsed). */
  | { type: 'log'; runId: string; stream: 'out' | 'err'; line: string }
  /** A transient failure will be retried (`delayMs` from now). */
  | { type: 'retrying'; runId: string; attempt: number; delayMs: number; message: string }
  | { type: 'outcome'; runId: string; outcome: LaunchOutcome };

/** How a launch ended. `status` is the run's final status in the submitter's run store. */
export interface LaunchOutcome {
  runId: string;
  /** `cancelled`: dropped before it started (no run folder). */
  status: RunStatus | 'cancelled';
  /** The run record, when a run folder exists (always, except cancelled or early failures). */
  run?: RunSummary;
  error?: { code: string; message: string };
}

export interface LaunchOptions {
  /** Progress messages, in order, ending with exactly one `outcome`. */
  onEvent?: (event: LaunchEvent) => void;
  /**
   * Abort = cancel: a queued launch is dropped (`cancelled`); a running one stops after the
   * current training window with a checkpoint (`interrupted`).
   */
  signal?: AbortSignal;
}

/** Where runs execute and how busy it is (the server's UI shows it). */
export interface LauncherStatus {
  kind: 'local' | 'queue';
  description: string;
  /** Queue workers connected now (`name` is `host:pid`). */
  workers?: { name: string; addr?: string; ageSeconds?: number; idleSeconds?: number }[];
  /** Launches by state, e.g. `{ running: 1, waiting: 3 }` or BullMQ's job counts. */
  counts: Record<string, number>;
}

/** Executes runs. Implementations: local child processes, BullMQ workers. */
export interface RunLauncher {
  /** Human description for logs, e.g. `2 at a time` or `through the queue at redis://host:6379`. */
  readonly description: string;
  /** Resolves when the run has ended, whatever the outcome (never rejects for a run failure). */
  launch(request: LaunchRequest, options?: LaunchOptions): Promise<LaunchOutcome>;
  status?(): Promise<LauncherStatus>;
  /** Stop accepting launches and stop what this launcher started (running runs interrupted). */
  close(): Promise<void>;
}

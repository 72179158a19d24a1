import { setMaxListeners } from 'node:events';
import { basename, dirname, extname, resolve } from 'node:path';
import { ConfigError, sweepPaths, writeJsonAtomic, type Anomalab, type ConfigProblem, type LaunchOutcome, type RunLauncher, type RunSummary, type SweepPlan } from '@anomalab/core';

export interface SweepOptions {
  runsDir: string;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** Executes the runs: local child processes (`--parallel N`) or a queue (`--queue`). */
  launcher: RunLauncher;
  signal: AbortSignal;
}

function describeEntry(plan: SweepPlan, index: number): string {
  const entry = plan.entries[index]!;
  return `run ${index + 1}/${plan.entries.length}: ${Object.values(entry.labels).join(' x ')}`;
}

/** Validate every expanded experiment; all problems of all entries in one ConfigError. */
export async function validateSweep(app: Anomalab, plan: SweepPlan): Promise<void> {
  const problems: ConfigProblem[] = [];
  for (const entry of plan.entries) {
    try {
      const loaded = await app.loadObject(entry.config, { source: plan.file, baseDir: dirname(resolve(plan.file)), name: basename(plan.file, extname(plan.file)) });
      entry.config = loaded.config as unknown as Record<string, unknown>;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // Positions refer to the expanded JSON, not the file: name the matrix entry instead.
      for (const p of error.problems) problems.push({ source: `${plan.file} [${describeEntry(plan, entry.index)}]`, path: p.path, message: p.message });
    }
  }
  if (problems.length) throw new ConfigError(problems);
}

function describeOutcome(outcome: LaunchOutcome | undefined): string {
  if (!outcome) return 'not started';
  if (outcome.status === 'cancelled') return 'not started';
  if (outcome.status === 'failed') return `failed${outcome.error ? ` (${outcome.error.message.split('\n')[0]})` : ''}`;
  return outcome.status;
}

/**
 * Launch every entry of a validated sweep through `options.launcher` (which bounds how
 * many run at once). Completed runs are skipped and interrupted or failed ones resumed
 * from their checkpoints, so re-running the same command finishes a killed sweep.
 */
export async function runSweep(app: Anomalab, plan: SweepPlan, options: SweepOptions): Promise<number> {
  const paths = sweepPaths(options.runsDir, plan.id);
  await writeJsonAtomic(paths.manifest, { id: plan.id, name: plan.name, file: resolve(plan.file), axes: plan.axes, entries: plan.entries.map(({ config: _c, ...e }) => e) });
  for (const entry of plan.entries) await writeJsonAtomic(paths.entryConfig(entry.runId), entry.config);

  // Every waiting run listens on the one sweep signal (removed when it starts): as many
  // listeners as entries is by design, not a leak, so no MaxListenersExceededWarning.
  setMaxListeners(plan.entries.length + 10, options.signal);
  options.out.write(`sweep ${plan.id}: ${plan.entries.length} runs (${plan.axes.join(' x ')}), ${options.launcher.description}\n`);
  const outcomes = new Map<string, LaunchOutcome | 'skipped'>();

  const runOne = async (entry: SweepPlan['entries'][number], existing: RunSummary | undefined): Promise<void> => {
    const prefix = `[${entry.index + 1}/${plan.entries.length}] `;
    if (existing?.status === 'completed') {
      outcomes.set(entry.runId, 'skipped');
      options.out.write(`${prefix}${entry.runId} already completed: skipped\n`);
      return;
    }
    const labels = Object.values(entry.labels).join(' x ');
    const outcome = await options.launcher.launch(
      { runId: entry.runId, config: entry.config, baseDir: dirname(resolve(plan.file)), configFile: resolve(plan.file), sweep: plan.id, resume: existing !== undefined },
      {
        signal: options.signal,
        onEvent: (event) => {
          if (event.type === 'starting') options.out.write(`${prefix}${existing ? 'resuming' : 'starting'} ${entry.runId} (${labels})${event.attempt > 1 ? `, attempt ${event.attempt}` : ''} on ${event.where}\n`);
          else if (event.type === 'log') (event.stream === 'out' ? options.out : options.err).write(prefix + event.line + '\n');
          else if (event.type === 'retrying') options.err.write(`${prefix}${event.message}; retrying in ${(event.delayMs / 1000).toFixed(1)}s (attempt ${event.attempt})\n`);
        },
      },
    );
    outcomes.set(entry.runId, outcome);
  };
  // Look every run up first, then launch in plan order: the launcher starts them first come, first served.
  const existing = await Promise.all(plan.entries.map((entry) => app.runs.get(entry.runId).catch(() => undefined)));
  await Promise.all(plan.entries.map((entry, i) => runOne(entry, existing[i])));

  const lines = plan.entries.map((e) => {
    const outcome = outcomes.get(e.runId);
    return `  ${e.runId}  ${outcome === 'skipped' ? 'completed (skipped: already done)' : describeOutcome(outcome)}  ${Object.values(e.labels).join(' x ')}`;
  });
  options.out.write(`sweep ${plan.id}:\n${lines.join('\n')}\n`);
  if (options.signal.aborted) {
    options.err.write(`sweep interrupted; run the same command again to finish it (completed runs are skipped)\n`);
    return 130;
  }
  const failed = [...outcomes.values()].filter((o) => o !== 'skipped' && o.status !== 'completed').length;
  options.out.write(failed ? `${failed} run(s) did not complete\n` : `all ${plan.entries.length} runs completed. Report: anomalab report ${plan.id}\n`);
  return failed ? 1 : 0;
}

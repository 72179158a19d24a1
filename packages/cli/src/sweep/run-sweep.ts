import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { ConfigError, sweepPaths, writeJsonAtomic, type Anomalab, type ConfigProblem, type SweepPlan } from '@anomalab/core';

const CLI_BIN = fileURLToPath(new URL('../../bin/anomalab.js', import.meta.url));

export interface SweepOptions {
  runsDir: string;
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  /** Overrides `sweep.parallel`. */
  parallel?: number;
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
      const loaded = await app.load({ file: plan.file, text: JSON.stringify(entry.config) });
      entry.config = loaded.config as unknown as Record<string, unknown>;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      // Positions refer to the expanded JSON, not the file: name the matrix entry instead.
      for (const p of error.problems) problems.push({ source: `${plan.file} [${describeEntry(plan, entry.index)}]`, path: p.path, message: p.message });
    }
  }
  if (problems.length) throw new ConfigError(problems);
}

/**
 * Run every entry of a validated sweep as a child `anomalab experiment` process, at most
 * `parallel` at once. Completed runs are skipped and interrupted or failed ones resumed
 * from their checkpoints, so re-running the same command finishes a killed sweep.
 */
export async function runSweep(app: Anomalab, plan: SweepPlan, options: SweepOptions): Promise<number> {
  const paths = sweepPaths(options.runsDir, plan.id);
  await writeJsonAtomic(paths.manifest, { id: plan.id, name: plan.name, file: resolve(plan.file), axes: plan.axes, entries: plan.entries.map(({ config: _c, ...e }) => e) });
  for (const entry of plan.entries) await writeJsonAtomic(paths.entryConfig(entry.runId), entry.config);

  const parallel = options.parallel ?? plan.parallel;
  options.out.write(`sweep ${plan.id}: ${plan.entries.length} runs (${plan.axes.join(' x ')}), ${parallel} at a time\n`);
  const outcomes = new Map<string, string>();
  const queue = [...plan.entries];
  const children = new Set<ChildProcess>();
  options.signal.addEventListener('abort', () => children.forEach((c) => c.kill('SIGTERM')), { once: true });

  const runOne = async (entry: SweepPlan['entries'][number]): Promise<void> => {
    const existing = await app.runs.get(entry.runId).catch(() => undefined);
    if (existing?.status === 'completed') {
      outcomes.set(entry.runId, 'completed (skipped: already done)');
      options.out.write(`[${entry.index + 1}/${plan.entries.length}] ${entry.runId} already completed: skipped\n`);
      return;
    }
    const args = existing
      ? ['experiment', '--resume', entry.runId]
      : ['experiment', paths.entryConfig(entry.runId), '--run-id', entry.runId, '--sweep', plan.id, '--base-dir', dirname(resolve(plan.file))];
    options.out.write(`[${entry.index + 1}/${plan.entries.length}] ${existing ? 'resuming' : 'starting'} ${entry.runId} (${Object.values(entry.labels).join(' x ')})\n`);
    const child = spawn(process.execPath, [CLI_BIN, ...args, '--runs', options.runsDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const prefix = `[${entry.index + 1}/${plan.entries.length}] `;
    createInterface({ input: child.stdout! }).on('line', (line) => options.out.write(prefix + line + '\n'));
    createInterface({ input: child.stderr! }).on('line', (line) => options.err.write(prefix + line + '\n'));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    children.delete(child);
    outcomes.set(entry.runId, code === 0 ? 'completed' : code === 130 ? 'interrupted' : `failed (exit ${code})`);
  };

  const workers = Array.from({ length: Math.min(parallel, queue.length) }, async () => {
    while (queue.length && !options.signal.aborted) await runOne(queue.shift()!);
  });
  await Promise.all(workers);

  const lines = plan.entries.map((e) => `  ${e.runId}  ${outcomes.get(e.runId) ?? 'not started'}  ${Object.values(e.labels).join(' x ')}`);
  options.out.write(`sweep ${plan.id}:\n${lines.join('\n')}\n`);
  if (options.signal.aborted) {
    options.err.write(`sweep interrupted; run the same command again to finish it (completed runs are skipped)\n`);
    return 130;
  }
  const failed = [...outcomes.values()].filter((o) => !o.startsWith('completed')).length;
  options.out.write(failed ? `${failed} run(s) did not complete\n` : `all ${plan.entries.length} runs completed. Report: anomalab report ${plan.id}\n`);
  return failed ? 1 : 0;
}

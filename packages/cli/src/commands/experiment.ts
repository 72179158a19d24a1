import { dirname, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { AnomalabError, ConfigError, FsRunStore, assertResumableOverrides, experimentData, isMatrixExperiment, newRunId, parseOverride, planSweep, runPaths, type ConfigProblem, type LoadedExperiment, type RunSummary } from '@anomalab/core';
import { runSweep, validateSweep } from '../sweep/run-sweep.ts';
import { openLauncher } from '../sweep/open-launcher.ts';
import type { Command, CommandContext } from '../command.ts';
import { openApp } from '../app.ts';

export const experimentCommand: Command = {
  path: ['experiment'],
  summary: 'validate and run an experiment file',
  help: `Usage: anomalab experiment <file.yaml> [--set key=value]... [options]
       anomalab experiment --resume <run-id> [--set training.epochs=N]

Validates the experiment (every problem is listed as file:line:col: path: message, exit 2,
no run folder), then runs the pipeline: load -> standardise -> train -> errors -> fit the
detector on train -> score test -> evaluate -> save under the run store.

Options:
  --config <file>      the experiment file (same as the positional argument)
  --set key=value      override a field, e.g. --set training.epochs=5 (repeatable; value is YAML)
  --resume <run-id>    continue a stopped, interrupted or failed run in its own folder from its
                       last checkpoint, with its saved config (plus any --set); refused while
                       the run's process is alive. --set may change only training.epochs,
                       training.save_interval, evaluation.* and description; a completed run
                       trains further when training.epochs grows
  --quiet              only the final summary on stdout (log.txt is still written)
  --json               print only the run record as JSON on stdout (the log goes to stderr)
  --parallel N         matrix experiments: runs at once (default: sweep.parallel, 1)
  --queue <url>        run on the workers of this Redis queue (redis://host:6379) instead of
                       here: \`anomalab worker --queue <url>\` on each machine; the finished run
                       folders land in this run store (see docs/distributed.md)
  --queue-name <name>  BullMQ queue name (default anomalab-runs)
  --runs <dir>         run store root (default: $ANOMALAB_RUNS or ./runs)
  --data-mirror <dir>  read benchmark data files from this local mirror (default: $ANOMALAB_DATA_MIRROR)

A file with a \`matrix:\` runs as a sweep: every combination is validated before any run
starts, then each runs as a child process (or a queue job) with a deterministic id; running
the same command again skips completed runs, resumes interrupted ones and, with --queue,
attaches to the runs still queued or running and collects the finished ones.

Ctrl-C (or SIGTERM) stops after the current training window, writes a checkpoint and marks
the run interrupted (exit 130); a second Ctrl-C exits at once.

Examples:
  anomalab experiment experiments/quickstart.yaml
  anomalab experiment experiments/quickstart.yaml --set training.epochs=3 --set seed=7`,
  allowPositionals: true,
  options: {
    config: { type: 'string' },
    set: { type: 'string', multiple: true },
    resume: { type: 'string' },
    quiet: { type: 'boolean' },
    json: { type: 'boolean' },
    parallel: { type: 'string' },
    queue: { type: 'string' },
    'queue-name': { type: 'string' },
    // Deterministic ids and grouping for scripts (sweeps pass these through the launcher).
    'run-id': { type: 'string' },
    sweep: { type: 'string' },
    'base-dir': { type: 'string' },
  },
  async run({ values, positionals }, ctx) {
    if (positionals.length > 1) throw new AnomalabError('ANOMALAB_USAGE', `expected one experiment file, got ${positionals.length}: ${positionals.join(' ')}`);
    const file: string | undefined = values.config ?? positionals[0];
    const overrides: string[] = values.set ?? [];
    if (values.resume !== undefined && values.resume.trim() === '') throw new AnomalabError('ANOMALAB_USAGE', '--resume needs a run id (see `anomalab runs list`)');
    const parallel = values.parallel === undefined ? undefined : Number(values.parallel);
    if (parallel !== undefined && !(/^\d+$/.test(values.parallel) && parallel >= 1)) throw new AnomalabError('ANOMALAB_USAGE', `--parallel must be a whole number >= 1, got ${JSON.stringify(values.parallel)}`);
    const app = await openApp(ctx);
    const controller = new AbortController();

    // Read and parse the file once: the same document decides matrix-or-not and is loaded.
    const document = file && values.resume === undefined ? await app.read({ file }) : undefined;
    if (document && isMatrixExperiment(experimentData(document))) {
      const parsed = overrides.map((o) => parseOverride(o));
      const bad = parsed.filter((p): p is ConfigProblem => 'message' in p);
      if (bad.length) throw new ConfigError(bad);
      const plan = await planSweep(document, (parsed as { path: (string | number)[]; value: unknown }[]).map((p) => ({ path: p.path.join('.'), value: p.value })));
      await validateSweep(app, plan);
      const launcher = await openLauncher({ runsDir: ctx.runsDir, parallel: parallel ?? plan.parallel, queue: values.queue, queueName: values['queue-name'], err: ctx.err, settings: app.settings });
      try {
        return await withSignals(controller, ctx, () => runSweep(app, plan, { runsDir: ctx.runsDir, out: ctx.out, err: ctx.err, launcher, signal: controller.signal }));
      } finally {
        await launcher.close();
      }
    }

    let loaded;
    if (values.resume !== undefined) {
      if (file) throw new AnomalabError('ANOMALAB_USAGE', '--resume continues a run with its saved config: do not also give an experiment file');
      const run = await app.runs.get(values.resume);
      const configPath = runPaths(run.dir).config;
      const saved = await app.runs.readConfig<Record<string, unknown>>(run.id).catch((error: Error) => {
        throw new ConfigError([{ source: configPath, path: '', message: `not valid JSON (${error.message})` }]);
      });
      if (!saved) throw new ConfigError([{ source: configPath, path: '', message: 'cannot read experiment file (ENOENT)' }]);
      // The saved config is resolved already: it is checked (with any --set), not parsed again.
      // Relative paths in it resolve against the original experiment file's folder.
      const baseDir = run.configFile && existsSync(run.configFile) ? dirname(run.configFile) : run.dir;
      loaded = await app.loadObject(saved, { source: configPath, baseDir, overrides });
      // Data, model, detector and seed are fixed for a run; the pipeline writes the new
      // config.json only once it has accepted the resume (not running elsewhere, ...).
      assertResumableOverrides(run.id, saved, loaded.config, overrides);
    } else {
      if (!file) throw new AnomalabError('ANOMALAB_USAGE', 'no experiment file given\nsee: anomalab experiment --help');
      loaded = await app.load({ file, document, overrides });
      if (values['base-dir']) loaded.baseDir = resolve(values['base-dir']);
    }

    const experiment = loaded;
    if (values.queue) return runOnQueue(experiment, { ...values, file }, ctx, controller);
    return withSignals(controller, ctx, async () => {
      const outcome = await app.run(experiment, {
        resume: values.resume,
        signal: controller.signal,
        // With --json only the run record goes to stdout (scripts parse it); the log goes to stderr.
        out: values.json ? (ctx.err as typeof ctx.out) : ctx.out,
        err: ctx.err,
        quiet: values.quiet,
        runId: values['run-id'],
        sweep: values.sweep,
        // Data the dataset refuses is bad input like bad YAML: exit 2, no failed run left.
        discardNewRunOnDataError: true,
      });
      if (values.json) ctx.out.write(JSON.stringify(outcome.run, null, 2) + '\n');
      else if (values.quiet) ctx.out.write(`${outcome.run.id} completed\n`);
      return 0;
    });
  },
};

/** One run through the queue: enqueue, follow its progress, collect its folder. */
async function runOnQueue(experiment: LoadedExperiment, values: Record<string, any>, ctx: CommandContext, controller: AbortController): Promise<number> {
  const launcher = await openLauncher({ runsDir: ctx.runsDir, queue: values.queue, queueName: values['queue-name'], err: ctx.err });
  const runId: string = values.resume ?? values['run-id'] ?? newRunId(experiment.config.name);
  const say = (line: string) => !values.quiet && !values.json && ctx.out.write(line + '\n');
  try {
    return await withSignals(controller, ctx, async () => {
      const outcome = await launcher.launch(
        { runId, config: experiment.config as unknown as Record<string, unknown>, baseDir: experiment.baseDir, configFile: values.file ? resolve(values.file) : undefined, sweep: values.sweep, resume: Boolean(values.resume) },
        {
          signal: controller.signal,
          onEvent: (event) => {
            if (event.type === 'queued') say(`run ${runId}: queued ${launcher.description}`);
            else if (event.type === 'starting') say(`run ${runId}: attempt ${event.attempt} on ${event.where}`);
            else if (event.type === 'epoch') say(`run ${runId}: epoch ${event.epoch}/${event.epochs}${event.loss !== undefined ? ` loss ${event.loss.toFixed(4)}` : ''}`);
            else if (event.type === 'retrying') ctx.err.write(`run ${runId}: ${event.message}; retrying in ${(event.delayMs / 1000).toFixed(1)}s\n`);
          },
        },
      );
      const run = await openRecord(ctx, runId);
      if (values.json && run) ctx.out.write(JSON.stringify(run, null, 2) + '\n');
      else ctx.out.write(`run ${runId}: ${run?.status ?? outcome.status}${outcome.error ? `: ${outcome.error.message.split('\n')[0]}` : ''}${run ? ` -> ${run.dir}` : ''}\n`);
      return outcome.status === 'completed' ? 0 : outcome.status === 'interrupted' ? 130 : 1;
    });
  } finally {
    await launcher.close();
  }
}

async function openRecord(ctx: CommandContext, runId: string): Promise<RunSummary | undefined> {
  return new FsRunStore(ctx.runsDir).get(runId).catch(() => undefined);
}

/** Run `body` with Ctrl-C / SIGTERM turned into an abort (a second one exits at once). */
async function withSignals(controller: AbortController, ctx: { err: NodeJS.WritableStream }, body: () => Promise<number>): Promise<number> {
  let signals = 0;
  const onSignal = (name: string) => {
    signals++;
    if (signals > 1) process.exit(130);
    ctx.err.write(`\n${name}: stopping after the current window (again to exit at once)\n`);
    controller.abort();
  };
  const sigint = () => onSignal('SIGINT');
  const sigterm = () => onSignal('SIGTERM');
  process.on('SIGINT', sigint);
  process.on('SIGTERM', sigterm);
  try {
    return await body();
  } finally {
    process.off('SIGINT', sigint);
    process.off('SIGTERM', sigterm);
  }
}

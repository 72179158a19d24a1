// One run in a child process of the local launcher. The parent sends one RunMessage over the
// IPC channel; this process reports structured events back (started, epoch, checkpoint,
// outcome) and prints the run's human log on stdout/stderr, exactly as `anomalab experiment`.
import { hostname } from 'node:os';
import { AnomalabError, ConfigError, createAnomalab, runPaths, type Anomalab, type LaunchOutcome, type LoadedExperiment, type RunSummary } from '@anomalab/core';
import { isRunMessage, type ChildMessage, type RunMessage } from './child-protocol.ts';

const where = `${hostname()}:${process.pid}`;
const controller = new AbortController();

// First SIGINT/SIGTERM: stop after the current window with a checkpoint. A terminal's Ctrl-C
// reaches this process and the parent (which forwards SIGTERM) at once: that counts as one;
// another signal a second later exits at once.
let firstSignal = 0;
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.on(name, () => {
    if (firstSignal && Date.now() - firstSignal > 1000) process.exit(130);
    if (firstSignal) return;
    firstSignal = Date.now();
    process.stderr.write(`\n${name}: stopping after the current window (again to exit at once)\n`);
    controller.abort();
  });
}
// The parent died (kill -9, crash): nobody collects this run; stop now, like the parent.
let finishing = false;
process.on('disconnect', () => finishing || process.exit(1));

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => (process.send ? process.send(message, undefined, {}, () => resolve()) : resolve()));
}

function errorOf(error: unknown): { code: string; message: string } {
  return { code: error instanceof AnomalabError ? error.code : 'ANOMALAB_INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

async function load(app: Anomalab, message: RunMessage): Promise<LoadedExperiment> {
  const { request } = message;
  let loaded: LoadedExperiment;
  // A resolved config is checked (not parsed or resolved again) against this process's
  // plugins: a remote worker may lack one, or have another version: a clear ConfigError.
  if (request.resume) {
    const run = await app.runs.get(request.runId);
    const source = runPaths(run.dir).config;
    const saved = await app.runs.readConfig<Record<string, unknown>>(run.id);
    if (!saved) throw new ConfigError([{ source, path: '', message: 'cannot read experiment file (ENOENT)' }]);
    loaded = await app.loadObject(saved, { source, baseDir: request.baseDir });
  } else {
    loaded = await app.loadObject(request.config, { source: request.configFile ?? '<inline>', baseDir: request.baseDir });
  }
  loaded.baseDir = request.baseDir;
  return loaded;
}

/**
 * A run that failed before its folder existed (unknown plugin on this machine, config the
 * plugins here reject) still gets a failed run record, so `runs list` shows every failure.
 */
async function recordEarlyFailure(app: Anomalab, message: RunMessage, error: { code: string; message: string }): Promise<RunSummary | undefined> {
  const { request } = message;
  const config = request.config as { name?: string; seed?: number; dataset?: { name?: string; series?: string }; model?: { name?: string } };
  try {
    await app.runs.create(
      {
        id: request.runId,
        experiment: config.name ?? 'experiment',
        dataset: `${config.dataset?.name ?? '?'}/${config.dataset?.series ?? 'default'}`,
        model: config.model?.name ?? '?',
        seed: config.seed ?? 0,
        backend: 'none',
        node: process.version,
        versions: {},
        configFile: request.configFile,
        sweep: request.sweep,
      },
      request.config,
    );
    return await app.runs.update(request.runId, { status: 'failed', endedAt: new Date().toISOString(), error });
  } catch {
    return undefined; // e.g. the folder exists after all: its run.json tells
  }
}

async function execute(message: RunMessage): Promise<LaunchOutcome> {
  const { request } = message;
  const runId = request.runId;
  let created = false;
  let app: Anomalab | undefined;
  try {
    app = await createAnomalab({ runsDir: message.runsDir, ...message.settings });
    for (const failure of app.pluginFailures) process.stderr.write(`warning: ${failure.message.split('\n')[0]}\n`);
    const loaded = await load(app, message);
    if (controller.signal.aborted) return { runId, status: 'cancelled' };
    const epochs = (loaded.config.training as { epochs: number }).epochs;
    const outcome = await app.run(loaded, {
      runId: request.resume ? undefined : runId,
      resume: request.resume ? runId : undefined,
      sweep: request.sweep,
      configFile: request.configFile,
      signal: controller.signal,
      quiet: message.quiet,
      onRunCreated: () => {
        created = true;
        void send({ type: 'started', runId, resumed: Boolean(request.resume), where });
      },
      onCheckpoint: async (tag, epoch) => {
        if (tag === 'last') await send({ type: 'checkpoint', runId, epoch });
      },
      listener: (event) => {
        if (event.kind !== 'metric' || event.record.type !== 'epoch') return;
        const record = event.record as { epoch: number; train?: { loss?: number }; validation?: { loss?: number } };
        void send({ type: 'epoch', runId, epoch: record.epoch, epochs, loss: record.train?.loss, validationLoss: record.validation?.loss });
      },
    });
    if (message.quiet) process.stdout.write(`${runId} completed\n`);
    return { runId, status: 'completed', run: outcome.run };
  } catch (caught) {
    const error = errorOf(caught);
    // The run's logger has printed it when the run had started; otherwise print it here.
    if (!(caught as { reported?: boolean })?.reported) {
      process.stderr.write(caught instanceof ConfigError ? `${caught.problems.length} problem(s) in the experiment:\n${caught.message}\n` : `error: ${error.message}\n`);
    }
    if (!app) return { runId, status: 'failed', error };
    const run = created || request.resume ? await app.runs.get(runId).catch(() => undefined) : await recordEarlyFailure(app, message, error);
    const status = run?.status === 'interrupted' ? 'interrupted' : 'failed';
    return { runId, status, run, error };
  }
}

process.once('message', (message: unknown) => {
  if (!isRunMessage(message)) {
    process.stderr.write('error: run-child expects a {type: "run"} message from its parent\n');
    process.exit(2);
  }
  void execute(message).then(async (outcome) => {
    await send({ type: 'outcome', runId: outcome.runId, outcome });
    finishing = true;
    process.exitCode = outcome.status === 'completed' ? 0 : outcome.status === 'interrupted' ? 130 : 1;
    process.disconnect?.();
  });
});

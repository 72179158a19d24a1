import { AnomalabError } from '@anomalab/core';
import type { Command } from '../command.ts';

export const workerCommand: Command = {
  path: ['worker'],
  summary: 'take runs from a Redis queue (BullMQ) and execute them on this machine',
  help: `Usage: anomalab worker --queue redis://host:6379 [--concurrency N] [--runs <dir>] [options]

Executes runs that \`anomalab experiment <file> --queue ...\` or \`anomalab serve --queue ...\`
put on the queue, each in its own child process. Every checkpoint ships the run folder to
Redis, so if this worker dies another one continues the run from there; the finished folder
goes back to the submitter's run store. With --runs pointing at the submitter's own run
store (a shared file system such as NFS), runs are written there directly.

Data sets come from this machine's cache or mirror (--data-mirror, ANOMALAB_DATA_MIRROR);
plugins named in an experiment must be installed here: a missing one fails that run clearly.

Options:
  --queue <url>          Redis URL (redis://[user:password@]host:port[/db]) (required)
  --queue-name <name>    BullMQ queue name (default anomalab-runs)
  --concurrency <n>      runs at once on this machine (default 1; training uses a core each)
  --runs <dir>           this machine's run store (a shared one: runs are written in place)
  --lock-duration <ms>   a crashed worker's runs are taken over after this long (default 30000)

Ctrl-C (or SIGTERM) stops taking runs; running ones stop after the current training window
with a checkpoint and go back to the queue for another worker. A second Ctrl-C exits at once.

Example:
  anomalab worker --queue redis://10.0.0.5:6379 --concurrency 2 --data-mirror /data/mirror`,
  options: {
    queue: { type: 'string' },
    'queue-name': { type: 'string' },
    concurrency: { type: 'string' },
    'lock-duration': { type: 'string' },
  },
  async run({ values }, ctx) {
    if (!values.queue) throw new AnomalabError('ANOMALAB_USAGE', '--queue is required, e.g. --queue redis://127.0.0.1:6379\nsee: anomalab worker --help');
    const whole = (flag: string, value: string | undefined, fallback: number, min: number) => {
      if (value === undefined) return fallback;
      if (!/^\d+$/.test(value) || Number(value) < min) throw new AnomalabError('ANOMALAB_USAGE', `${flag} must be a whole number >= ${min}, got ${JSON.stringify(value)}`);
      return Number(value);
    };
    const concurrency = whole('--concurrency', values.concurrency, 1, 1);
    const lockDurationMs = whole('--lock-duration', values['lock-duration'], 30_000, 1000);
    const { QueueWorker, parseQueueAddress } = await import('@anomalab/executor-bullmq');
    const address = parseQueueAddress(values.queue, values['queue-name']);
    // Only an explicit --runs (or ANOMALAB_RUNS) is this worker's store; by default runs are staged and shipped.
    const worker = new QueueWorker({ address, concurrency, lockDurationMs, runsDir: ctx.runsDirGiven ? ctx.runsDir : undefined, out: ctx.out, err: ctx.err });
    await worker.start();
    await new Promise<void>((done) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) process.exit(130);
        stopping = true;
        ctx.err.write(`\n${signal}: stopping; running runs go back to the queue with a checkpoint (again to exit at once)\n`);
        done();
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
    await worker.close();
    return 0;
  },
};

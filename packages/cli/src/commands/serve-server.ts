import { parseArgs } from 'node:util';
import { createAnomalab, type RunLauncher } from '@anomalab/core';
import { startServer, type StreamLimits } from '@anomalab/server';

export const serveHelp = `Usage: anomalab serve [options]

Starts the results server: JSON API under /api and the web UI at /.

Options:
  --port <n>           TCP port (default 8377; 0 picks a free one)
  --host <addr>        interface to listen on (default 127.0.0.1; the API starts
                       processes and has no authentication: expose it deliberately)
  --runs <dir>         run store root (default: $ANOMALAB_RUNS or ./runs)
  --experiments <dir>  experiment files the launch form offers (default: experiments)
  --data <dir>         a folder whose files experiments sent from the UI/API may read
                       (repeatable; the experiments folder always counts)
  --allow-host <name>  answer requests for this host name too (repeatable; others get 403)
  --concurrency <n>    experiments run at once, each in a child process (default 1)
  --queue <url>        launch through the BullMQ queue of this Redis (redis://host:6379):
                       runs execute on \`anomalab worker\` processes, finished folders land here
  --queue-name <name>  BullMQ queue name (default anomalab-runs)
  --max-queued <n>     submitted experiments that may wait (default 100; more get 429)
  --body-limit <bytes> largest request body (default 1048576; rows for scoring sessions
                       have their own limit, --stream-body-limit)

Online scoring sessions (POST /api/runs/<id>/streams, see docs/streaming.md):
  --max-streams <n>          sessions open at once (default 16; more get 429)
  --stream-idle <seconds>    a session with no request for this long is closed
                             (default 300; its id then answers 410)
  --stream-max-rows <n>      rows in one points request (default 10000; more get 413)
  --stream-body-limit <bytes> body of one points request (default 8388608; more get 413)
  --stream-memory <bytes>    estimated memory one session may hold (default 67108864):
                             the run's checkpoint size plus rows not scored yet
  --help, -h           this help

Ctrl-C stops the server; running experiments are interrupted gracefully (checkpoint
written, status interrupted) and can be continued with anomalab experiment --resume <id>.`;

function positiveInt(flag: string, value: string | undefined, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new Error(`${flag} must be a whole number ${max < Number.MAX_SAFE_INTEGER ? `from ${min} to ${max}` : `>= ${min}`}, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** The --max-streams / --stream-* flags given (defaults are the server's DEFAULT_STREAM_LIMITS). */
function streamLimits(values: Record<string, string | string[] | boolean | undefined>): Partial<StreamLimits> {
  const flag = (name: string, scale = 1) => {
    const value = values[name] as string | undefined;
    return value === undefined ? undefined : positiveInt(`--${name}`, value, 1) * scale;
  };
  return {
    maxSessions: flag('max-streams'),
    idleTimeoutMs: flag('stream-idle', 1000),
    maxRowsPerRequest: flag('stream-max-rows'),
    maxBodyBytes: flag('stream-body-limit'),
    maxSessionBytes: flag('stream-memory'),
  };
}

/**
 * `anomalab serve`: parse argv, start the server, wait for SIGINT/SIGTERM, shut down.
 * Returns the exit code (0 after a clean stop, 2 for bad arguments, 1 if it cannot listen).
 */
export async function runServeCommand(argv: string[], io: { out?: NodeJS.WritableStream; err?: NodeJS.WritableStream } = {}): Promise<number> {
  const out = io.out ?? process.stdout;
  const err = io.err ?? process.stderr;
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        runs: { type: 'string' },
        experiments: { type: 'string' },
        data: { type: 'string', multiple: true },
        'allow-host': { type: 'string', multiple: true },
        concurrency: { type: 'string' },
        'body-limit': { type: 'string' },
        'max-queued': { type: 'string' },
        'max-streams': { type: 'string' },
        'stream-idle': { type: 'string' },
        'stream-max-rows': { type: 'string' },
        'stream-body-limit': { type: 'string' },
        'stream-memory': { type: 'string' },
        queue: { type: 'string' },
        'queue-name': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
    if (values.help) {
      out.write(serveHelp + '\n');
      return 0;
    }
    positiveInt('--port', values.port as string | undefined, 8377, 0, 65535);
    positiveInt('--concurrency', values.concurrency as string | undefined, 1);
    positiveInt('--body-limit', values['body-limit'] as string | undefined, 1, 1);
    positiveInt('--max-queued', values['max-queued'] as string | undefined, 1, 1);
    streamLimits(values);
  } catch (error) {
    err.write(`error: ${(error as Error).message}\nsee: anomalab serve --help\n`);
    return 2;
  }

  const app = await createAnomalab({ runsDir: (values.runs as string | undefined) ?? process.env.ANOMALAB_RUNS ?? 'runs' });
  for (const failure of app.pluginFailures) err.write(`warning: ${failure.message.split('\n')[0]}\n`);
  let launcher: RunLauncher | undefined;
  if (values.queue) {
    const { BullMqLauncher, parseQueueAddress } = await import('@anomalab/executor-bullmq');
    try {
      launcher = new BullMqLauncher({ address: parseQueueAddress(values.queue as string, values['queue-name'] as string | undefined), runsDir: app.runs.root, err });
    } catch (error) {
      err.write(`error: ${(error as Error).message}\nsee: anomalab serve --help\n`);
      return 2;
    }
  }
  let server;
  try {
    server = await startServer({
      app,
      launcher,
      port: positiveInt('--port', values.port as string | undefined, 8377, 0, 65535),
      host: (values.host as string | undefined) ?? '127.0.0.1',
      experimentsDir: (values.experiments as string | undefined) ?? 'experiments',
      dataDirs: (values.data as string[] | undefined) ?? [],
      allowedHosts: (values['allow-host'] as string[] | undefined) ?? [],
      maxConcurrent: positiveInt('--concurrency', values.concurrency as string | undefined, 1),
      bodyLimit: positiveInt('--body-limit', values['body-limit'] as string | undefined, 1024 * 1024),
      maxQueued: positiveInt('--max-queued', values['max-queued'] as string | undefined, 100),
      streams: streamLimits(values),
    });
  } catch (error) {
    err.write(`error: cannot listen: ${(error as Error).message}\n`);
    return 1;
  }
  out.write(`anomalab server on ${server.url}/  (runs: ${app.runs.root}; launching ${launcher?.description ?? 'locally'}; Ctrl-C to stop)\n`);

  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      err.write(`\n${signal}: stopping (running experiments are interrupted with a checkpoint)\n`);
      done();
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  await server.close();
  return 0;
}

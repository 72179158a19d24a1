import { statSync } from 'node:fs';
import { AnomalabError, ConfigError, exitCodeFor } from '@anomalab/core';
import { describeUnexpectedError } from './describe-error.ts';
import { parseCommandArgs, type Command, type CommandContext } from './command.ts';
import { experimentCommand } from './commands/experiment.ts';
import { serveCommand } from './commands/serve.ts';
import { workerCommand } from './commands/worker.ts';
import { reportCommand } from './commands/report.ts';
import { runsListCommand, runsShowCommand } from './commands/runs.ts';
import { runsCompareCommand } from './commands/runs-compare.ts';
import { scoreCommand } from './commands/score.ts';
import { newModelCommand } from './commands/new-model.ts';
import { datasetsFetchCommand, datasetsInfoCommand, datasetsListCommand, evaluatorsListCommand, modelsListCommand, schemaCommand } from './commands/catalog.ts';

export const commands: Command[] = [
  experimentCommand,
  runsListCommand,
  runsShowCommand,
  runsCompareCommand,
  scoreCommand,
  datasetsListCommand,
  datasetsInfoCommand,
  datasetsFetchCommand,
  modelsListCommand,
  evaluatorsListCommand,
  newModelCommand,
  schemaCommand,
  reportCommand,
  serveCommand,
  workerCommand,
];

function overview(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  return `anomalab - time-series anomaly detection experiments

Usage: anomalab <command> [options]   (anomalab <command> --help for details)

Commands:
${commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`).join('\n')}

Global options (any command):
  --runs <dir>         run store root (default: $ANOMALAB_RUNS or ./runs)
  --data-mirror <dir>  local mirror of the benchmark data files (default: $ANOMALAB_DATA_MIRROR)
  --backend <name>     force the tfjs backend: tensorflow (tfjs-node), wasm or cpu
                       (default: $ANOMALAB_BACKEND, else the fastest that loads)
  --help, -h           help
`;
}

type Globals = Partial<Pick<CommandContext, 'runsDir' | 'backend' | 'dataMirror'>>;

/** Take global options out of argv (they may appear anywhere); they become settings, not environment variables. */
function extractGlobals(argv: string[]): { rest: string[] } & Globals {
  const rest: string[] = [];
  const globals: Globals = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--runs' || flag === '--data-mirror' || flag === '--backend') {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new AnomalabError('ANOMALAB_USAGE', `${flag} needs a ${flag === '--backend' ? 'backend name' : 'directory'}`);
      if (flag === '--runs') globals.runsDir = value;
      else if (flag === '--backend') {
        if (!['tensorflow', 'wasm', 'cpu'].includes(value)) throw new AnomalabError('ANOMALAB_USAGE', `--backend must be tensorflow, wasm or cpu, got ${JSON.stringify(value)}`);
        globals.backend = value as Globals['backend'];
      } else globals.dataMirror = value;
    } else rest.push(arg);
  }
  return { rest, ...globals };
}

/** The run store may not exist yet (it is created on first use), but it must not be a file. */
function checkRunsDir(dir: string, source: string): string {
  const stats = statSync(dir, { throwIfNoEntry: false });
  if (stats && !stats.isDirectory()) throw new AnomalabError('ANOMALAB_USAGE', `${source} ${dir} is a file, not a folder: point it at a run store folder`);
  return dir;
}

/** Entry point: returns the exit code (0 ok, 2 bad input, 130 interrupted, 1 other failure). */
export async function main(argv: string[], io: Partial<Pick<CommandContext, 'out' | 'err' | 'in'>> = {}): Promise<number> {
  const out = io.out ?? process.stdout;
  const err = io.err ?? process.stderr;
  try {
    const { rest, runsDir, backend, dataMirror } = extractGlobals(argv);
    const words = rest.filter((a) => !a.startsWith('-'));
    const command = commands
      .filter((c) => c.path.every((w, i) => words[i] === w))
      .sort((a, b) => b.path.length - a.path.length)[0];
    if (!command) {
      if (rest.length === 0 || rest.includes('--help') || rest.includes('-h')) {
        out.write(overview());
        return rest.length === 0 ? 2 : 0;
      }
      const group = commands.filter((c) => c.path[0] === words[0]);
      const hint = group.length ? `\n${group.map((c) => `  anomalab ${c.path.join(' ')}  ${c.summary}`).join('\n')}` : '\nsee: anomalab --help';
      throw new AnomalabError('ANOMALAB_USAGE', `unknown command: ${words.join(' ') || rest.join(' ')}${hint}`);
    }
    // Remove the command words (first occurrences, in order) and parse the rest.
    const args = [...rest];
    for (const w of command.path) args.splice(args.indexOf(w), 1);
    const context: CommandContext = {
      out,
      err,
      in: io.in,
      runsDir: checkRunsDir(runsDir ?? process.env.ANOMALAB_RUNS ?? 'runs', runsDir ? '--runs' : process.env.ANOMALAB_RUNS ? 'ANOMALAB_RUNS' : 'the default run store'),
      runsDirGiven: (runsDir ?? process.env.ANOMALAB_RUNS) !== undefined,
      backend,
      dataMirror,
    };
    if (command.passthrough) return await command.run({ values: {}, positionals: args }, context);
    if (args.includes('--help') || args.includes('-h')) {
      out.write(command.help + '\n');
      return 0;
    }
    const parsed = parseCommandArgs(command, args);
    return await command.run(parsed, context);
  } catch (error) {
    if ((error as { reported?: boolean })?.reported) {
      // Already printed by the run's logger.
    } else if (error instanceof ConfigError) {
      err.write(`${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} in the experiment:\n${error.message}\n`);
    } else if (error instanceof AnomalabError) {
      err.write(`error: ${error.message}\n`);
    } else {
      err.write(`error: ${describeUnexpectedError(error)}\n`);
    }
    return exitCodeFor(error);
  }
}

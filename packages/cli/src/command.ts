import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AnomalabError } from '@anomalab/core';

export interface CommandContext {
  /** Where normal output goes (tests capture it). */
  out: NodeJS.WritableStream & { isTTY?: boolean };
  err: NodeJS.WritableStream;
  /** Where input rows come from (`score --stream`); default process.stdin. */
  in?: NodeJS.ReadableStream;
  /** Run store root from --runs / ANOMALAB_RUNS / `runs`. */
  runsDir: string;
  /** Whether --runs or ANOMALAB_RUNS chose it (false: the `runs` default). */
  runsDirGiven?: boolean;
  /** `--backend` (tensorflow, wasm, cpu), when given. */
  backend?: 'tensorflow' | 'wasm' | 'cpu';
  /** `--data-mirror <dir>`, when given. */
  dataMirror?: string;
}

export interface Command {
  /** Words that select it, e.g. `['runs', 'list']`. */
  path: string[];
  summary: string;
  /** Full help text (usage, options, examples). */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: boolean;
  /** Hand every argument (including --help) to `run` as positionals, unparsed. */
  passthrough?: boolean;
  run(args: { values: Record<string, any>; positionals: string[] }, ctx: CommandContext): Promise<number>;
}

/** Parse a command's arguments; unknown flags are usage errors naming the flag. */
export function parseCommandArgs(command: Command, argv: string[]) {
  try {
    return parseArgs({ args: argv, options: command.options, allowPositionals: command.allowPositionals ?? false, strict: true });
  } catch (error) {
    throw new AnomalabError('ANOMALAB_USAGE', `${(error as Error).message}\nsee: anomalab ${command.path.join(' ')} --help`);
  }
}

export function writeJson(ctx: CommandContext, value: unknown): void {
  ctx.out.write(JSON.stringify(value, null, 2) + '\n');
}

/** A plain text table with left-aligned columns. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

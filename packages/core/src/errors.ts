/**
 * Typed errors with stable codes. The CLI maps codes to exit codes and the server maps
 * them to HTTP statuses, each in one place (see `exitCodeFor`).
 *
 * @example
 * throw new AnomalabError('ANOMALAB_DATA_INVALID', `${file}:12: expected a number, got "abc"`);
 */
export type AnomalabErrorCode =
  | 'ANOMALAB_CONFIG_INVALID'
  | 'ANOMALAB_PLUGIN_NOT_FOUND'
  | 'ANOMALAB_PLUGIN_INVALID'
  | 'ANOMALAB_USAGE'
  | 'ANOMALAB_DATA_INVALID'
  | 'ANOMALAB_DATA_UNAVAILABLE'
  | 'ANOMALAB_RUN_NOT_FOUND'
  /** run.json exists but cannot be parsed (the message names the file). */
  | 'ANOMALAB_RUN_UNREADABLE'
  | 'ANOMALAB_CHECKPOINT_INVALID'
  | 'ANOMALAB_TRAINING_DIVERGED'
  | 'ANOMALAB_INTERRUPTED'
  | 'ANOMALAB_INTERNAL';

export class AnomalabError extends Error {
  override readonly name = 'AnomalabError';
  constructor(
    readonly code: AnomalabErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** One validation problem, located in the experiment file (or on the command line). */
export interface ConfigProblem {
  /** File path, or a label such as `--set #1` for command-line overrides. */
  source: string;
  line?: number;
  col?: number;
  /** Dotted path inside the experiment, e.g. `model.options.hidden_size`. */
  path: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line !== undefined ? `${p.source}:${p.line}:${p.col ?? 1}` : p.source;
  return `${where}: ${p.path || '(root)'}: ${p.message}`;
}

/** Every problem of an experiment file at once, not just the first. */
export class ConfigError extends AnomalabError {
  constructor(readonly problems: ConfigProblem[]) {
    super('ANOMALAB_CONFIG_INVALID', problems.map(formatProblem).join('\n'));
  }
}

/** Exit codes: 2 for anything the user can fix in their input (files, data, arguments), 130 for Ctrl-C, 1 otherwise. */
export function exitCodeFor(error: unknown): number {
  if (!(error instanceof AnomalabError)) return 1;
  switch (error.code) {
    case 'ANOMALAB_CONFIG_INVALID':
    case 'ANOMALAB_PLUGIN_NOT_FOUND':
    case 'ANOMALAB_USAGE':
    case 'ANOMALAB_RUN_NOT_FOUND':
    case 'ANOMALAB_DATA_INVALID':
      return 2;
    case 'ANOMALAB_INTERRUPTED':
      return 130;
    default:
      return 1;
  }
}

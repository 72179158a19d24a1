/**
 * One line for an error that is not an AnomalabError: system errors (full disk, read-only
 * store, a file where a folder belongs) name the file and say what to do; anything else is
 * an internal error whose stack is printed only with ANOMALAB_DEBUG=1.
 */
const SYSTEM_ERRORS: Record<string, string> = {
  ENOSPC: 'no space left on the device: free some space (or point --runs at another disk) and run again',
  EDQUOT: 'disk quota exceeded: free some space (or point --runs at another disk) and run again',
  EROFS: 'read-only file system: point --runs (or ANOMALAB_RUNS) at a writable folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a path component is a file, not a folder',
  EISDIR: 'is a folder, not a file',
  ENOENT: 'no such file or folder',
  EMFILE: 'too many open files',
  EIO: 'input/output error from the device',
};

export function describeSystemError(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException | undefined;
  const code = e?.code;
  if (!code || !(code in SYSTEM_ERRORS)) return undefined;
  const what = e.syscall ? `cannot ${e.syscall}${e.path ? ` ${e.path}` : ''}` : 'file system error';
  return `${what}: ${SYSTEM_ERRORS[code]} (${code})`;
}

export function describeUnexpectedError(error: unknown): string {
  const system = describeSystemError(error);
  if (system) return system;
  if (process.env.ANOMALAB_DEBUG) return `internal error: ${(error as Error)?.stack ?? String(error)}`;
  const message = error instanceof Error ? error.message : String(error);
  return `internal error: ${message.split('\n')[0]} (run with ANOMALAB_DEBUG=1 for the stack trace)`;
}

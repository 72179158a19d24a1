import { open, stat } from 'node:fs/promises';
import { ConfigError } from '../errors.ts';

/**
 * Largest experiment accepted (file or text). Real experiments are a few hundred bytes; a
 * bound keeps a huge or endless input (a 50 MB file, /dev/zero) from exhausting memory.
 */
export const MAX_EXPERIMENT_BYTES = 1024 * 1024;

const tooLarge = (label: string, size: string) =>
  new ConfigError([{ source: label, path: '', message: `the experiment is ${size}; at most ${MAX_EXPERIMENT_BYTES} bytes (1 MiB) are accepted` }]);

/** Throws ConfigError when `text` is over {@link MAX_EXPERIMENT_BYTES}. */
export function checkExperimentSize(text: string, label: string): void {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_EXPERIMENT_BYTES) throw tooLarge(label, `${bytes} bytes`);
}

/**
 * Read an experiment file: a regular file (not a device, FIFO or folder) of at most
 * {@link MAX_EXPERIMENT_BYTES}, read with that bound even if its size changes meanwhile.
 */
export async function readExperimentFile(file: string, label = file): Promise<string> {
  const unreadable = (error: unknown) =>
    new ConfigError([{ source: label, path: '', message: `cannot read experiment file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }]);
  // stat before open: opening a FIFO would block until something writes to it.
  const info = await stat(file).catch((error) => {
    throw unreadable(error);
  });
  if (!info.isFile()) throw new ConfigError([{ source: label, path: '', message: 'cannot read experiment file: not a regular file' }]);
  if (info.size > MAX_EXPERIMENT_BYTES) throw tooLarge(label, `${info.size} bytes`);
  const handle = await open(file, 'r').catch((error) => {
    throw unreadable(error);
  });
  try {
    const buffer = Buffer.alloc(MAX_EXPERIMENT_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_EXPERIMENT_BYTES) throw tooLarge(label, `more than ${MAX_EXPERIMENT_BYTES} bytes`);
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    await handle.close();
  }
}

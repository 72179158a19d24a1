import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@anomalab/core';

/**
 * A run store's identity (`<runs>/.store-id`, created on first use). A job names its
 * submitter's store; a worker whose `--runs` is that same store (a shared file system)
 * writes the run there directly instead of shipping it back through Redis.
 */
export async function storeIdentity(runsDir: string): Promise<string> {
  const file = join(runsDir, '.store-id');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(runsDir, { recursive: true });
    const id = randomUUID();
    await writeFileAtomic(file, id + '\n');
    // Two first users at once: both wrote a uuid, the last rename won; read what is there.
    return (await readFile(file, 'utf8')).trim();
  }
}

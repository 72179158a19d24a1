import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, relative, sep } from 'node:path';
import type { Redis } from 'ioredis';

/** A run folder as relative path -> bytes (run.json, config.json, logs, results, series, checkpoints). */
export type RunFolderFiles = Map<string, Buffer>;

/** Snapshots and results stay this long in Redis if nobody collects them (7 days). */
export const BUNDLE_TTL_SECONDS = 7 * 24 * 3600;

/** Every regular file of a run folder; dotfiles (temp files of atomic writes) are skipped. */
export async function readRunFolder(dir: string): Promise<RunFolderFiles> {
  const files: RunFolderFiles = new Map();
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.set(relative(dir, path).split(sep).join('/'), await readFile(path));
    }
  };
  await walk(dir);
  return files;
}

/**
 * Store a run folder under `key` (a Redis hash, one field per file) in one MULTI: a reader
 * sees the previous bundle or this one, never a mix. Redis caps one value at 512 MB.
 */
export async function writeBundle(redis: Redis, key: string, files: RunFolderFiles): Promise<void> {
  const tmp = `${key}:writing:${randomBytes(4).toString('hex')}`;
  const multi = redis.multi().del(tmp);
  for (const [path, bytes] of files) multi.hset(tmp, path, bytes);
  await multi.rename(tmp, key).expire(key, BUNDLE_TTL_SECONDS).exec();
}

export async function readBundle(redis: Redis, key: string): Promise<RunFolderFiles | undefined> {
  const fields = await redis.hgetallBuffer(key);
  const entries = Object.entries(fields);
  return entries.length ? new Map(entries) : undefined;
}

const SAFE_PATH = /^(?!.*(^|\/)\.)[A-Za-z0-9_][A-Za-z0-9._/-]*$/;

/** Write the files under `dir` (created); paths from Redis are checked, never trusted. */
export async function writeRunFolder(dir: string, files: RunFolderFiles): Promise<void> {
  for (const [path, bytes] of files) {
    if (!SAFE_PATH.test(path) || path.includes('..')) throw new Error(`refusing the bundled path ${JSON.stringify(path)}: not a plain relative path`);
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
}

/**
 * Put a shipped run folder into a run store as `<runsDir>/<runId>`, all at once: the files
 * are written to a hidden sibling folder first and renamed into place, replacing an older
 * copy of the same run (there is never more than one folder per run id).
 */
export async function installRunFolder(runsDir: string, runId: string, files: RunFolderFiles): Promise<string> {
  if (!files.has('run.json')) throw new Error(`the shipped folder of run ${runId} has no run.json`);
  await mkdir(runsDir, { recursive: true });
  const target = join(runsDir, runId);
  const incoming = join(runsDir, `.incoming-${runId}-${randomBytes(4).toString('hex')}`);
  await writeRunFolder(incoming, files);
  const exists = await stat(target).then(() => true, () => false);
  if (exists) {
    const old = join(runsDir, `.replaced-${runId}-${randomBytes(4).toString('hex')}`);
    await rename(target, old);
    await rename(incoming, target);
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(incoming, target);
  }
  return target;
}

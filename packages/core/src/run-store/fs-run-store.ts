import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AnomalabError } from '../errors.ts';
import type { RunRecord, RunStore, RunSummary } from '../contracts/run-store.ts';
import { writeFileAtomic, writeJsonAtomic } from './atomic-write.ts';
import { processAlive } from './process-alive.ts';

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const RELATIVE_PATH = /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._/-]+$/;

/** Throws unless `id` is a plain run id (no separators, no `..`): ids come from users and HTTP. */
export function assertRunId(id: string): void {
  if (!RUN_ID.test(id) || id.includes('..')) {
    throw new AnomalabError('ANOMALAB_RUN_NOT_FOUND', `invalid run id ${JSON.stringify(id)}: expected letters, digits, '.', '_' or '-'`);
  }
}

function assertRelativePath(path: string): void {
  if (!RELATIVE_PATH.test(path) || path.startsWith('/')) {
    throw new AnomalabError('ANOMALAB_INTERNAL', `invalid path inside a run: ${JSON.stringify(path)}`);
  }
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'run';
}

/** `20261127-071502-quickstart-3fa2`: sortable by start time, readable, unique. */
export function newRunId(experiment: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${slug(experiment)}-${randomBytes(2).toString('hex')}`;
}

/** The run store on the local file system: `<root>/<id>/run.json`, `config.json`, ... */
export class FsRunStore implements RunStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  dirOf(id: string): string {
    assertRunId(id);
    return join(this.root, id);
  }

  async create(
    init: Omit<RunRecord, 'id' | 'status' | 'startedAt'> & { id?: string },
    config: Record<string, unknown>,
  ): Promise<RunSummary> {
    await mkdir(this.root, { recursive: true });
    const id = init.id ?? newRunId(init.experiment);
    const dir = this.dirOf(id);
    // Non-recursive mkdir fails if the id exists: two runs never share a folder.
    await mkdir(dir);
    const record: RunRecord = { ...init, id, status: 'running', startedAt: new Date().toISOString(), pid: init.pid ?? process.pid, host: hostname() };
    await writeJsonAtomic(join(dir, 'config.json'), config);
    await writeJsonAtomic(join(dir, 'run.json'), record);
    return { ...record, dir };
  }

  async get(id: string): Promise<RunSummary> {
    const dir = this.dirOf(id);
    let text: string;
    try {
      text = await readFile(join(dir, 'run.json'), 'utf8');
    } catch {
      throw new AnomalabError('ANOMALAB_RUN_NOT_FOUND', `no run ${JSON.stringify(id)} in ${this.root} (see \`anomalab runs list\`)`);
    }
    const record = JSON.parse(text) as RunRecord;
    if (record.status === 'running' && record.pid !== undefined && record.host === hostname() && !processAlive(record.pid)) {
      // Killed (SIGKILL, power loss) before it could record its end: say so, don't show it as live.
      return { ...record, status: 'failed', error: { code: 'ANOMALAB_INTERNAL', message: `process ${record.pid} ended without finishing the run (killed?)` }, dir };
    }
    return { ...record, dir };
  }

  async list(): Promise<RunSummary[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch {
      return [];
    }
    // Read every run.json concurrently: listing is what the CLI and the server do most.
    const runs = await Promise.all(
      names
        .sort()
        .filter((name) => RUN_ID.test(name))
        // Not a run folder (no run.json): skip it rather than fail the whole listing.
        .map((name) => this.get(name).catch(() => undefined)),
    );
    return runs.filter((r): r is RunSummary => r !== undefined);
  }

  async update(id: string, patch: Partial<RunRecord>): Promise<RunSummary> {
    const { dir, ...current } = await this.get(id);
    const next: RunRecord = { ...current, ...patch, id };
    await writeJsonAtomic(join(dir, 'run.json'), next);
    return { ...next, dir };
  }

  async writeFile(id: string, relativePath: string, content: unknown): Promise<void> {
    assertRelativePath(relativePath);
    const path = join(this.dirOf(id), relativePath);
    if (typeof content === 'string' || content instanceof Uint8Array) await writeFileAtomic(path, content);
    else await writeJsonAtomic(path, content);
  }

  async readJson<T>(id: string, relativePath: string): Promise<T | undefined> {
    assertRelativePath(relativePath);
    try {
      return JSON.parse(await readFile(join(this.dirOf(id), relativePath), 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}

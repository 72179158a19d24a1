import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AnomalabError } from '../errors.ts';
import type { RunRecord, RunStore, RunSummary } from '../contracts/run-store.ts';
import type { CheckpointStore } from '../contracts/checkpoint-store.ts';
import type { ExperimentConfig } from '../config/experiment-config.ts';
import type { RunResults } from '../pipeline/results.ts';
import { removeStaleTempFiles, writeFileAtomic, writeJsonAtomic } from './atomic-write.ts';
import { FsCheckpointStore } from './fs-checkpoint-store.ts';
import { processIdentity, recordedProcessAlive } from './process-alive.ts';
import { RUN_FILES, runPaths } from './run-layout.ts';

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

/** run.json's record, or an error naming the file and what is wrong with it (hand-edited, disk trouble). */
function parseRunRecord(text: string, file: string): RunRecord {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    throw new AnomalabError('ANOMALAB_RUN_UNREADABLE', `${file} is not valid JSON (${(error as Error).message}); fix or remove the run folder`);
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record) || typeof (record as RunRecord).id !== 'string' || typeof (record as RunRecord).status !== 'string') {
    throw new AnomalabError('ANOMALAB_RUN_UNREADABLE', `${file} is not a run record (expected an object with "id" and "status"); fix or remove the run folder`);
  }
  return record as RunRecord;
}

/** The run store on the local file system: `<root>/<id>/run.json`, `config.json`, ... (see run-layout.ts). */
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
    const pid = init.pid ?? process.pid;
    const record: RunRecord = { ...init, id, status: 'running', startedAt: new Date().toISOString(), pid, host: hostname(), processStart: processIdentity(pid) };
    try {
      await writeJsonAtomic(join(dir, RUN_FILES.config), config);
      await writeJsonAtomic(join(dir, RUN_FILES.record), record);
    } catch (error) {
      // A full disk here would leave a folder without run.json, invisible to every listing.
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
    return { ...record, dir };
  }

  async get(id: string): Promise<RunSummary> {
    const dir = this.dirOf(id);
    let text: string;
    try {
      text = await readFile(join(dir, RUN_FILES.record), 'utf8');
    } catch {
      throw new AnomalabError('ANOMALAB_RUN_NOT_FOUND', `no run ${JSON.stringify(id)} in ${this.root} (see \`anomalab runs list\`)`);
    }
    const record = parseRunRecord(text, join(dir, RUN_FILES.record));
    if (record.status === 'running' && record.pid !== undefined && record.host === hostname() && !recordedProcessAlive(record.pid, record.processStart)) {
      // Killed (SIGKILL, power loss) before it could record its end: say so, don't show it as live.
      return { ...record, status: 'failed', error: { code: 'ANOMALAB_INTERNAL', message: `process ${record.pid} ended without finishing the run (killed?)` }, dir };
    }
    return { ...record, dir };
  }

  async list(): Promise<RunSummary[]> {
    let names: string[];
    try {
      names = await readdir(this.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []; // no run yet
      throw error;
    }
    // Read every run.json concurrently: listing is what the CLI and the server do most.
    const runs = await Promise.all(
      names
        .sort()
        .filter((name) => RUN_ID.test(name))
        // Not a run folder (no run.json): skip it. A corrupt run.json is listed, not hidden.
        .map((name) =>
          this.get(name).catch((error) => (error instanceof AnomalabError && error.code === 'ANOMALAB_RUN_UNREADABLE' ? this.unreadable(name, error) : undefined)),
        ),
    );
    return runs.filter((r): r is RunSummary => r !== undefined);
  }

  private unreadable(id: string, error: AnomalabError): RunSummary {
    return {
      id,
      status: 'unreadable',
      experiment: '?',
      dataset: '?',
      model: '?',
      seed: 0,
      startedAt: '',
      backend: '?',
      node: '?',
      versions: {},
      error: { code: error.code, message: error.message },
      dir: this.dirOf(id),
    };
  }

  async discard(id: string): Promise<void> {
    await rm(this.dirOf(id), { recursive: true, force: true });
  }

  async update(id: string, patch: Partial<RunRecord>): Promise<RunSummary> {
    const { dir, ...current } = await this.get(id);
    const next: RunRecord = { ...current, ...patch, id };
    await writeJsonAtomic(join(dir, RUN_FILES.record), next);
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

  readConfig<T = ExperimentConfig>(id: string): Promise<T | undefined> {
    return this.readJson<T>(id, RUN_FILES.config);
  }

  writeConfig(id: string, config: ExperimentConfig | Record<string, unknown>): Promise<void> {
    return this.writeFile(id, RUN_FILES.config, config);
  }

  readResults<T = RunResults>(id: string): Promise<T | undefined> {
    return this.readJson<T>(id, RUN_FILES.results);
  }

  async readLog(id: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.dirOf(id), RUN_FILES.log), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  logFiles(id: string): { log: string; metrics: string } {
    const paths = runPaths(this.dirOf(id));
    return { log: paths.log, metrics: paths.metrics };
  }

  checkpoints(id: string): CheckpointStore {
    return new FsCheckpointStore(runPaths(this.dirOf(id)).checkpoints);
  }

  async removeStaleTempFiles(id: string): Promise<void> {
    const paths = runPaths(this.dirOf(id));
    await Promise.all([paths.dir, paths.checkpoints].map((dir) => removeStaleTempFiles(dir)));
  }
}

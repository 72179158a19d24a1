import { describe, expect, it, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../testing/temp-dir.ts';
import { FsRunStore } from './fs-run-store.ts';
import { FsCheckpointStore, encodeCheckpoint } from './fs-checkpoint-store.ts';
import { removeStaleTempFiles } from './atomic-write.ts';
import type { Checkpoint } from '../contracts/checkpoint-store.ts';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function tempDir() {
  const t = makeTempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

const init = { experiment: 'Unit Test!', dataset: 'synthetic/sines', model: 'baselines', seed: 1, backend: 'none', node: process.version, versions: {} };

function checkpoint(epoch: number, fill: number): Checkpoint {
  return {
    epoch,
    bestValidationLoss: 0.5,
    config: { name: 'x' },
    predictor: { format: 'test/1', tensors: { w: { shape: [2, 3], data: new Float32Array(6).fill(fill) }, b: { shape: [3], data: Float32Array.from([1, 2, 3]) } }, json: { step: epoch } },
    random: [1, 2, 3, 4],
    savedAt: new Date(0).toISOString(),
  };
}

describe('FsRunStore', () => {
  it('creates a run folder with run.json and config.json, lists and updates it', async () => {
    const store = new FsRunStore(tempDir());
    const run = await store.create(init, { name: 'x' });
    expect(run.id).toMatch(/^\d{8}-\d{6}-unit-test-[0-9a-f]{4}$/);
    expect(run.status).toBe('running');
    expect(JSON.parse(readFileSync(join(run.dir, 'config.json'), 'utf8'))).toEqual({ name: 'x' });
    await store.update(run.id, { status: 'completed', metrics: { ch0: { oracle_f: 0.5 } } });
    const [listed] = await store.list();
    expect(listed).toMatchObject({ id: run.id, status: 'completed', metrics: { ch0: { oracle_f: 0.5 } } });
    // No temp files are left next to the records.
    expect(readdirSync(run.dir).sort()).toEqual(['config.json', 'run.json']);
  });

  it('refuses ids and paths that could leave the store', async () => {
    const store = new FsRunStore(tempDir());
    for (const id of ['..', '../etc', 'a/b', '/abs', '', '.hidden']) await expect(store.get(id)).rejects.toThrow(/invalid run id/);
    const run = await store.create(init, {});
    await expect(store.writeFile(run.id, '../escape.json', {})).rejects.toThrow(/invalid path/);
    await expect(store.readJson(run.id, '/etc/passwd')).rejects.toThrow(/invalid path/);
  });

  it('reports a running run whose process is gone as failed', async () => {
    const store = new FsRunStore(tempDir());
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.on('exit', r));
    const run = await store.create({ ...init, pid: child.pid }, {});
    expect((await store.get(run.id)).status).toBe('failed');
    expect((await store.get(run.id)).error?.message).toMatch(/ended without finishing/);
  });

  it('never leaves a half-written file when the writer is killed mid-write', async () => {
    const dir = tempDir();
    const target = join(dir, 'results.json');
    writeFileSync(target, JSON.stringify({ generation: 0 }));
    // A child rewrites a ~4 MB JSON file atomically in a loop; we SIGKILL it mid-way.
    const script = `
      import { writeJsonAtomic } from ${JSON.stringify(new URL('./atomic-write.ts', import.meta.url).pathname)};
      const big = Array.from({ length: 200000 }, (_, i) => i * 1.5);
      for (let generation = 1; ; generation++) { await writeJsonAtomic(${JSON.stringify(target)}, { generation, big }); process.stdout.write('w'); }
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => {
      let writes = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        writes += chunk.length;
        if (writes >= 3) resolve();
      });
    });
    // Let it get into the middle of the next write, then kill it hard.
    await new Promise((r) => setTimeout(r, 15));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const parsed = JSON.parse(readFileSync(target, 'utf8'));
    expect(parsed.generation).toBeGreaterThanOrEqual(3);
    expect(parsed.big).toHaveLength(200000);
  });
});

describe('removeStaleTempFiles', () => {
  it("removes temp files of dead writers and keeps live writers' and real files", async () => {
    const dir = tempDir();
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('exit', r));
    writeFileSync(join(dir, 'last.ckpt'), 'real');
    writeFileSync(join(dir, `.last.ckpt.${dead.pid}.0123abcd.tmp`), 'partial');
    writeFileSync(join(dir, `.best.ckpt.${process.pid}.89abcdef.tmp`), 'in progress');
    expect(await removeStaleTempFiles(dir)).toEqual([`.last.ckpt.${dead.pid}.0123abcd.tmp`]);
    expect(readdirSync(dir).sort()).toEqual([`.best.ckpt.${process.pid}.89abcdef.tmp`, 'last.ckpt']);
  });
});

describe('FsCheckpointStore', () => {
  it('round-trips tensors, JSON state and RNG state exactly', async () => {
    const store = new FsCheckpointStore(join(tempDir(), 'checkpoints'));
    await store.save('last', checkpoint(3, 0.25));
    const loaded = await store.load('last');
    expect(loaded?.epoch).toBe(3);
    expect(loaded?.predictor.json).toEqual({ step: 3 });
    expect(Array.from(loaded!.predictor.tensors.w!.data)).toEqual(new Array(6).fill(0.25));
    expect(loaded!.predictor.tensors.w!.shape).toEqual([2, 3]);
    expect(Array.from(loaded!.predictor.tensors.b!.data)).toEqual([1, 2, 3]);
    expect(loaded?.random).toEqual([1, 2, 3, 4]);
    expect(await store.list()).toEqual(['last']);
    expect(await store.load('best')).toBeUndefined();
  });

  it('rejects truncated or foreign files with an error naming the file', async () => {
    const dir = join(tempDir(), 'checkpoints');
    const store = new FsCheckpointStore(dir);
    await store.save('last', checkpoint(1, 1));
    const bytes = encodeCheckpoint(checkpoint(1, 1));
    writeFileSync(join(dir, 'last.ckpt'), bytes.subarray(0, bytes.length - 6));
    await expect(store.load('last')).rejects.toThrow(/last\.ckpt: not a valid checkpoint \(truncated data\)/);
    writeFileSync(join(dir, 'last.ckpt'), 'hello world, not a checkpoint');
    await expect(store.load('last')).rejects.toThrow(/bad magic/);
    expect(existsSync(join(dir, 'best.ckpt'))).toBe(false);
  });
});

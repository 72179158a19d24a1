// Issue 12 item 4 from the command line: experiment files are read with a bound, so a
// 50 MB file or /dev/zero is a clear exit-2 error instead of gigabytes of memory.
import { mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'anomalab-bounds-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('anomalab experiment: bounded experiment files', () => {
  it('refuses /dev/zero at once (not a regular file), exit 2', async () => {
    const started = Date.now();
    const res = await runCli(['experiment', '/dev/zero', '--runs', join(dir, 'runs')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('/dev/zero: (root): cannot read experiment file: not a regular file');
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('refuses a 50 MB experiment by its size without reading it, exit 2 and no run folder', async () => {
    const file = join(dir, 'huge.yaml');
    await writeFile(file, 'dataset: {name: synthetic}\nmodel: {name: baselines}\n');
    await truncate(file, 50 * 1024 * 1024);
    const res = await runCli(['experiment', file, '--runs', join(dir, 'runs')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('the experiment is 52428800 bytes; at most 1048576 bytes (1 MiB) are accepted');
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await readdir(join(dir, 'runs')).catch(() => [])).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(import.meta.dirname, '..', '..');
const depcruise = join(root, 'node_modules', '.bin', 'depcruise');
const config = join(root, '.dependency-cruiser.cjs');

/** Run the boundary check (dependency-cruiser) in `cwd` on `paths`; exit code and report. */
async function check(cwd: string, paths: string[], extra: string[] = []): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await promisify(execFile)(depcruise, ['--config', config, '--output-type', 'err', ...extra, ...paths], { cwd, timeout: 60_000 });
    return { code: 0, output: stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('package boundaries (.dependency-cruiser.cjs)', () => {
  it('pass on the tree (violations listed in .dependency-cruiser-known-violations.json excepted)', async () => {
    const result = await check(root, ['packages'], ['--ignore-known', join(root, '.dependency-cruiser-known-violations.json')]);
    expect(result.output).not.toMatch(/error /);
    expect(result.code).toBe(0);
  });

  it('fail on core importing a plugin and on a plugin reaching into another plugin', async () => {
    const result = await check(join(import.meta.dirname, '__fixtures__'), ['packages']);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('core-imports-no-workspace-package: packages/core/src/bad.ts → packages/models/rnn/src/index.ts');
    expect(result.output).toContain('no-deep-imports: packages/datasets/src/deep.ts → packages/models/rnn/src/internals.ts');
    expect(result.output).toContain('no-relative-imports-across-packages: packages/datasets/src/deep.ts → packages/models/rnn/src/internals.ts');
  });
});

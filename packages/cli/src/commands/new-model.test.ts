// `anomalab new model`: scaffold into a temporary workspace (its own package.json with
// workspaces, node_modules linked to the repo's), then prove the promise of the scaffold
// with the real CLI: models list shows it, an experiment runs it, its conformance test and
// the type checker pass. Nothing is written into the repository.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@anomalab/core/testing';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const cliBin = join(repoRoot, 'packages', 'cli', 'bin', 'anomalab.js');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ANOMALAB_RUNS: join(cwd, 'runs'), NO_COLOR: '1', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Child processes (tsx startup, nested vitest, tsc) are slow on a loaded 2-core machine. */
const SLOW = 240_000;

const cli = (args: string[], cwd: string) => run(process.execPath, [cliBin, ...args], cwd);

describe('anomalab new model', () => {
  const temp = makeTempDir('anomalab-scaffold-');
  const ws = join(temp.dir, 'ws');
  // Unique, so a model a user scaffolded into the repo (e.g. demo-avg) cannot collide with it.
  const name = `probe-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const pkgDir = join(ws, 'packages', 'models', name);
  let created: Result;

  beforeAll(async () => {
    mkdirSync(ws);
    writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'scaffold-test', private: true, type: 'module', workspaces: ['packages/models/*'] }, null, 2));
    // The repo's packages (core, datasets, ...) through its node_modules, as after npm install.
    symlinkSync(join(repoRoot, 'node_modules'), join(ws, 'node_modules'), 'dir');
    writeFileSync(join(ws, 'tsconfig.json'), JSON.stringify({ extends: join(repoRoot, 'tsconfig.json'), include: ['packages/**/*.ts'], exclude: ['node_modules'] }));
    created = await cli(['new', 'model', name, '--root', ws, '--description', "Demo: a moving average's \"gain\" $& bias"], ws);
  }, SLOW);
  afterAll(() => temp.cleanup());

  it('creates the package from the template', () => {
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('npm install');
    for (const file of ['package.json', 'README.md', 'src/index.ts', 'src/config.ts', 'src/moving-average-predictor.ts', 'src/conformance.test.ts']) {
      expect(existsSync(join(pkgDir, file)), file).toBe(true);
    }
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: `@anomalab/model-${name}`, type: 'module', anomalab: { plugins: ['./src/index.ts'] }, nx: { name: `model-${name}` } });
    expect(pkg.description).toBe("Demo: a moving average's \"gain\" $& bias");
    expect(readFileSync(join(pkgDir, 'src', 'index.ts'), 'utf8')).toContain(`name: '${name}'`);
  });

  it('rejects bad and taken names', async () => {
    const bad = await cli(['new', 'model', 'Demo_Avg', '--root', ws], ws);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/kebab-case/);
    const again = await cli(['new', 'model', name, '--root', ws], ws);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists already/);
    const taken = await cli(['new', 'model', 'rnn', '--root', ws], ws);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/model-rnn exists already|registered already/);
  }, SLOW);

  it('is listed by models list and runs in an experiment, with no core or CLI change', async () => {
    const list = await cli(['models', 'list', '--json'], ws);
    expect(list.code).toBe(0);
    const models = JSON.parse(list.stdout).models as { name: string; source: string }[];
    expect(models.find((m) => m.name === name)?.source).toContain(pkgDir);
    writeFileSync(
      join(ws, 'demo.yaml'),
      ['name: demo', 'dataset: { name: synthetic, series: sines, options: { length: 600, channels: 2 } }', `model: { name: ${name} }`, 'training: { epochs: 3 }', 'detector: { name: gaussian, window: 5 }'].join('\n'),
    );
    const experiment = await cli(['experiment', 'demo.yaml'], ws);
    expect(experiment.stderr).toBe('');
    expect(experiment.code).toBe(0);
    expect(experiment.stdout).toMatch(/\| end of epoch {3}3 \| train loss/);
    expect(experiment.stdout).toMatch(/completed in/);
  }, SLOW);

  it('passes its conformance test and the type checker', async () => {
    const vitest = await run(process.execPath, [join(repoRoot, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', ws, join('packages', 'models', name)], ws);
    expect(vitest.code, vitest.stdout + vitest.stderr).toBe(0);
    expect(vitest.stdout).toMatch(/Tests\s+11 passed/);
    const tsc = await run(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ws, 'tsconfig.json'), '--noEmit'], ws);
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
  }, SLOW);
});

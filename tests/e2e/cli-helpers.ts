import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { findTestMirror } from '@anomalab/datasets/testing';

export const repoRoot = join(import.meta.dirname, '..', '..');

// Benchmark-data tests use ANOMALAB_DATA_MIRROR, or ../shared/datasets beside the repository.
const mirror = findTestMirror();
if (!process.env.ANOMALAB_DATA_MIRROR && mirror.dir) process.env.ANOMALAB_DATA_MIRROR = mirror.dir;
export const cliBin = join(repoRoot, 'packages', 'cli', 'bin', 'anomalab.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the real CLI in a child process (cwd: repo root). */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [cliBin, ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

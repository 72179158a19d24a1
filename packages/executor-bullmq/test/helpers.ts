// Real processes for the distributed tests: a Redis server, `anomalab worker`s, submitters.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findTestMirror } from '@anomalab/datasets/testing';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');
const cliBin = join(repoRoot, 'packages', 'cli', 'bin', 'anomalab.js');
const mirror = findTestMirror();
if (!process.env.ANOMALAB_DATA_MIRROR && mirror.dir) process.env.ANOMALAB_DATA_MIRROR = mirror.dir;

/** A CLI process with its output collected as it arrives. */
export interface CliProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code. */
  exit: Promise<number | null>;
  /** Resolves once the output matches (rejects after `timeoutMs`). */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
}

export function cli(args: string[]): CliProcess {
  const child = spawn(process.execPath, [cliBin, ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    text += d;
    for (const w of waiters) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exit,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = text.match(pattern);
          if (!match) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(match);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${pattern} in:\n${text.slice(-3000)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}

/** `anomalab worker` on the test Redis; resolves once it takes jobs. */
export async function startWorker(url: string, extra: string[] = []): Promise<CliProcess & { pid: number }> {
  const worker = cli(['worker', '--queue', url, '--lock-duration', '3000', ...extra]);
  await worker.waitFor(/taking runs from/);
  return Object.assign(worker, { pid: worker.child.pid! });
}

export async function stopAll(processes: CliProcess[]): Promise<void> {
  await Promise.all(
    processes.map(async (p) => {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
      const timer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
      await p.exit;
      clearTimeout(timer);
    }),
  );
}

export function record(runsDir: string, runId: string): any {
  return JSON.parse(readFileSync(join(runsDir, runId, 'run.json'), 'utf8'));
}

/** Epoch numbers in a run's metrics.jsonl, in order. */
export function epochs(runsDir: string, runId: string): number[] {
  return readFileSync(join(runsDir, runId, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((r) => r.type === 'epoch')
    .map((r) => r.epoch);
}

/** Folders of a run store (hidden ones too, so leftovers of installs would show). */
export function folders(runsDir: string): string[] {
  return readdirSync(runsDir).filter((n) => n !== '_sweeps' && n !== '.store-id').sort();
}

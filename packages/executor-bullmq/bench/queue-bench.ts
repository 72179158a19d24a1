// `npm run bench:queue`: the distributed executor on this machine, with a real redis-server
// and real `anomalab worker` processes. Prints tables; not a test (timings vary with load).
//   1. experiments/benchmark-smoke.yaml with 1 worker vs 2 workers (wall and CPU time)
//   2. per-job queue overhead: tiny runs through 1 worker vs the local launcher
//   3. kill -9 trials: a worker killed at a random moment mid-sweep; a replacement joins
// Options: --trials N (default 5), --skip smoke,overhead,kill
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTestMirror } from '@anomalab/datasets/testing';
import { startTestRedis } from '../src/testing/index.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const cliBin = join(root, 'packages', 'cli', 'bin', 'anomalab.js');
const mirror = findTestMirror();
if (!process.env.ANOMALAB_DATA_MIRROR && mirror.dir) process.env.ANOMALAB_DATA_MIRROR = mirror.dir;
const args = process.argv.slice(2);
const trials = Number(args[args.indexOf('--trials') + 1] ?? 5) || 5;
const skip = new Set((args.includes('--skip') ? args[args.indexOf('--skip') + 1]! : '').split(','));
const temp = mkdtempSync(join(tmpdir(), 'anomalab-queue-bench-'));

interface Proc {
  child: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
  waitFor: (re: RegExp, ms?: number) => Promise<void>;
}

function run(cmd: string, argv: string[]): Proc {
  const child = spawn(cmd, argv, { cwd: root, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const exit = new Promise<number | null>((r) => child.on('close', r));
  const waitFor = async (re: RegExp, ms = 300_000) => {
    const until = Date.now() + ms;
    while (!re.test(text)) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`timed out waiting for ${re}:\n${text.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, out: () => text, exit, waitFor };
}

const cli = (argv: string[]) => run(process.execPath, [cliBin, ...argv]);

/** A worker under /usr/bin/time, so its CPU time (its run processes included) is measured. */
async function worker(url: string, cpuFile?: string): Promise<Proc & { pid: number }> {
  const p = cpuFile ? run('/usr/bin/time', ['-f', '%U %S', '-o', cpuFile, process.execPath, cliBin, 'worker', '--queue', url, '--lock-duration', '3000']) : cli(['worker', '--queue', url, '--lock-duration', '3000']);
  await p.waitFor(/taking runs from/);
  const pid = cpuFile ? Number(execFileSync('ps', ['-o', 'pid=', '--ppid', String(p.child.pid)], { encoding: 'utf8' }).trim()) : p.child.pid!;
  return Object.assign(p, { pid });
}

async function stop(w: Proc & { pid: number }): Promise<void> {
  try {
    process.kill(w.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  await w.exit;
}

const cpuOf = (file: string) => readFileSync(file, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number).reduce((a, b) => a + b, 0);
const table = (rows: (string | number)[][]) => {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(w[i]!)).join('  '));
  console.log('');
};

const redis = await startTestRedis();
console.log(`queue bench: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at start (other processes share the machine)\n`);
try {
  if (!skip.has('smoke')) {
    const rows: (string | number)[][] = [['workers', 'wall s', 'worker CPU s', 'sum of run durations s', 'wall vs 1 worker', 'load avg']];
    let one = 0;
    for (const n of [1, 2]) {
      const cpuFiles = Array.from({ length: n }, (_, i) => join(temp, `cpu-${n}-${i}`));
      const ws = await Promise.all(cpuFiles.map((f) => worker(redis.url, f)));
      const runs = join(temp, `smoke-${n}`);
      const started = Date.now();
      const sub = cli(['experiment', 'experiments/benchmark-smoke.yaml', '--queue', redis.url, '--runs', runs]);
      if ((await sub.exit) !== 0) throw new Error(sub.out());
      const wall = (Date.now() - started) / 1000;
      for (const w of ws) await stop(w);
      const cpu = cpuFiles.map(cpuOf).reduce((a, b) => a + b, 0);
      const durations = readdirSync(runs).filter((d) => !d.startsWith('.') && d !== '_sweeps').map((d) => JSON.parse(readFileSync(join(runs, d, 'run.json'), 'utf8')).durationMs / 1000);
      if (n === 1) one = wall;
      rows.push([n, wall.toFixed(1), cpu.toFixed(1), durations.reduce((a, b) => a + b, 0).toFixed(1), n === 1 ? '1.00x' : `${(wall / one).toFixed(2)}x`, loadavg()[0]!.toFixed(1)]);
    }
    console.log('1. experiments/benchmark-smoke.yaml (6 runs) through the queue');
    table(rows);
  }

  if (!skip.has('overhead')) {
    const N = 8;
    const file = join(temp, 'tiny.yaml');
    writeFileSync(file, `name: tiny\ndataset: { name: synthetic, options: { length: 600 } }\nmodel: { name: baselines }\ntraining: { epochs: 1 }\nmatrix:\n  seed: [${Array.from({ length: N }, (_, i) => i + 1).join(', ')}]\n`);
    const timed = async (argv: string[]) => {
      const started = Date.now();
      const p = cli(argv);
      if ((await p.exit) !== 0) throw new Error(p.out());
      return (Date.now() - started) / 1000;
    };
    const local = await timed(['experiment', file, '--runs', join(temp, 'tiny-local'), '--parallel', '1']);
    const w = await worker(redis.url);
    const queued = await timed(['experiment', file, '--queue', redis.url, '--runs', join(temp, 'tiny-queue')]);
    await stop(w);
    console.log(`2. per-job queue overhead: ${N} one-epoch runs, one at a time (both spawn one process per run)`);
    table([
      ['launcher', 'wall s', 'per run s'],
      ['local --parallel 1', local.toFixed(2), (local / N).toFixed(2)],
      ['queue, 1 worker', queued.toFixed(2), (queued / N).toFixed(2)],
      ['overhead per job', '', ((queued - local) / N).toFixed(2)],
    ]);
  }

  if (!skip.has('kill')) {
    const epochs = 1500;
    const file = join(temp, 'kill.yaml');
    writeFileSync(file, `name: kill-bench\ndataset: { name: synthetic, options: { length: 1500 } }\nmodel: { name: baselines }\ntraining: { epochs: ${epochs}, save_interval: 100 }\nmatrix:\n  seed: [1, 2]\n`);
    const reference = join(temp, 'kill-reference');
    const ref = cli(['experiment', file, '--runs', reference, '--quiet']);
    if ((await ref.exit) !== 0) throw new Error(ref.out());
    const results = (runs: string, id: string) => JSON.stringify(JSON.parse(readFileSync(join(runs, id, 'results.json'), 'utf8')).joint.metrics);
    const rows: (string | number)[][] = [['trial', 'killed after s', 'resumed from epoch', 'completed', 'lost', 'duplicated', 'epochs right', 'metrics equal']];
    const totals = { completed: 0, lost: 0, duplicated: 0, wrongEpochs: 0, wrongMetrics: 0 };
    for (let t = 1; t <= trials; t++) {
      const runs = join(temp, `kill-${t}`);
      const ws = [await worker(redis.url), await worker(redis.url)];
      const sub = cli(['experiment', file, '--queue', redis.url, '--runs', runs]);
      await Promise.race(ws.map((w) => w.waitFor(/checkpoint of epoch \d+ shipped/)));
      const delay = 500 + Math.random() * 3000;
      await new Promise((r) => setTimeout(r, delay));
      const victim = ws[Math.floor(Math.random() * 2)]!;
      process.kill(victim.pid, 'SIGKILL');
      await victim.exit;
      const replacement = await worker(redis.url);
      const code = await sub.exit;
      for (const w of [...ws, replacement]) if (w !== victim) await stop(w);
      const id = /sweep (kill-bench-[0-9a-f]{8})/.exec(sub.out())?.[1];
      const names = readdirSync(runs).filter((d) => d !== '_sweeps' && d !== '.store-id');
      const expected = [`${id}-1`, `${id}-2`];
      const completed = expected.filter((r) => names.includes(r) && JSON.parse(readFileSync(join(runs, r, 'run.json'), 'utf8')).status === 'completed');
      const lost = expected.length - completed.length;
      const duplicated = names.length - expected.filter((r) => names.includes(r)).length;
      const lastEpochs = completed.map((r) => readFileSync(join(runs, r, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((x) => x.type === 'epoch').at(-1)?.epoch);
      const epochsRight = lastEpochs.filter((e) => e === epochs).length;
      const metricsEqual = completed.filter((r) => results(runs, r) === results(reference, r)).length;
      const resumed = completed.map((r) => /resuming from the checkpoint of epoch (\d+)/.exec(readFileSync(join(runs, r, 'log.txt'), 'utf8'))?.[1]).filter(Boolean).join(',') || '-';
      totals.completed += completed.length;
      totals.lost += lost;
      totals.duplicated += duplicated;
      totals.wrongEpochs += completed.length - epochsRight;
      totals.wrongMetrics += completed.length - metricsEqual;
      rows.push([t, (delay / 1000).toFixed(1), resumed, `${completed.length}/2${code === 0 ? '' : ` (exit ${code})`}`, lost, duplicated, `${epochsRight}/${completed.length}`, `${metricsEqual}/${completed.length}`]);
    }
    console.log(`3. kill -9 of a worker mid-sweep (2 runs x ${epochs} epochs, 2 workers, a replacement joins), ${trials} trials`);
    table(rows);
    console.log(`totals: ${totals.completed} runs completed, ${totals.lost} lost, ${totals.duplicated} duplicated, ${totals.wrongEpochs} with wrong epoch counts, ${totals.wrongMetrics} with metrics unlike an uninterrupted run`);
  }
} finally {
  await redis.dispose();
  rmSync(temp, { recursive: true, force: true });
}

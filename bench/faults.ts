// Fault campaign (`npm run bench:faults`): interrupts a real training run in every way a
// machine can and checks that `anomalab experiment --resume` recovers it and ends exactly
// where an uninterrupted run ends. Not part of the test suite: several minutes.
//
//   npm run bench:faults                                  10 kill -9, 3 SIGINT, 3 SIGTERM, 3 full disk, 3 read-only
//   npm run bench:faults -- --kill 20 --signals 4 --seed 7 --json out.json
//
// Experiment: experiments/ecg-smoke.yaml (rnn on the real ECG series) with --epochs epochs.
// Faults, each at a random moment of training (seeded): after k completed epochs (k uniform
// in 0..epochs-1) plus a random fraction of an epoch (the reference run's mean epoch time);
// an attempt where the run still finished first is repeated with a new moment, not counted:
//   kill -9   SIGKILL: no chance to write anything; the store must still be consistent.
//   SIGINT    Ctrl-C: checkpoint + status interrupted (exit 130).
//   SIGTERM   the same through SIGTERM (how the server cancels).
//   full disk the run store is a small tmpfs; a filler file takes all free space (ENOSPC),
//             then is removed before resuming.
//   read-only the run store is a bind mount remounted read-only (EROFS), then read-write.
// Recovered: the resume exits 0 and the run is `completed`. Identical: the per-epoch losses
// (last record of each epoch in metrics.jsonl), run.json's metrics and every score series
// (series/*.f32, byte for byte) equal the uninterrupted run's.
// Full disk and read-only need root (mount); without it those rows say "needs root".
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findTestMirror } from '@anomalab/datasets/testing';
import { SeededRandom } from '@anomalab/core';

const { values: args } = parseArgs({
  options: {
    kill: { type: 'string', default: '10' },
    signals: { type: 'string', default: '3' }, // per signal (SIGINT and SIGTERM)
    disk: { type: 'string', default: '3' },
    'read-only': { type: 'string', default: '3' },
    epochs: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    json: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});
const mirror = findTestMirror();
if (!process.env.ANOMALAB_DATA_MIRROR && mirror.dir) process.env.ANOMALAB_DATA_MIRROR = mirror.dir;

const repo = join(import.meta.dirname, '..');
const cli = join(repo, 'packages', 'cli', 'bin', 'anomalab.js');
const experiment = join(repo, 'experiments', 'ecg-smoke.yaml');
const epochs = Number(args.epochs);
const sets = ['--set', `training.epochs=${epochs}`, '--set', 'training.save_interval=3'];
const random = new SeededRandom(Number(args.seed));
const root = join(tmpdir(), `anomalab-faults-${process.pid}`);
const isRoot = process.getuid?.() === 0;
const CHILD_TIMEOUT_MS = 15 * 60_000; // every child is bounded in time
const mounts: string[] = [];

interface Child {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Run the CLI; `onStart` gets the child (to interrupt it) once it has printed its run id. */
function runCli(argv: string[], onRunStarted?: (kill: (signal: NodeJS.Signals) => void, startedAt: number) => void): Promise<Child> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...argv], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    let stdout = '';
    let stderr = '';
    let started = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      // "training (epochs 1..N): started": the run folder exists and training begins.
      if (!started && /training \(epochs/.test(stdout)) {
        started = true;
        onRunStarted?.((signal) => child.kill(signal), Date.now());
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (args.verbose) process.stderr.write(`  [${argv.slice(0, 3).join(' ')}] exit ${code ?? signal}\n${stderr}`);
      resolve({ code, signal, stderr });
    });
  });
}

/** What must match an uninterrupted run. */
interface Fingerprint {
  losses: string;
  metrics: string;
  series: Map<string, Buffer>;
}

function fingerprint(runDir: string): Fingerprint {
  const byEpoch = new Map<number, string>();
  for (const line of readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').split('\n').filter(Boolean)) {
    let record;
    try {
      record = JSON.parse(line);
    } catch {
      continue; // a line cut short by the fault (the log is append-only; the next record starts a new line)
    }
    if (record.type === 'epoch') byEpoch.set(record.epoch, JSON.stringify({ train: record.train, validation: record.validation }));
  }
  const losses = JSON.stringify([...byEpoch.entries()].sort((a, b) => a[0] - b[0]));
  const metrics = JSON.stringify(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')).metrics ?? null);
  const seriesDir = join(runDir, 'series');
  const series = new Map(readdirSync(seriesDir).map((f) => [f, readFileSync(join(seriesDir, f))]));
  return { losses, metrics, series };
}

function identical(a: Fingerprint, b: Fingerprint): boolean {
  if (a.losses !== b.losses || a.metrics !== b.metrics || a.series.size !== b.series.size) return false;
  for (const [name, bytes] of a.series) if (!b.series.get(name)?.equals(bytes)) return false;
  return true;
}

function onlyRun(store: string): string | undefined {
  const ids = existsSync(store) ? readdirSync(store).filter((n) => !n.startsWith('.') && n !== 'filler' && n !== 'lost+found') : [];
  return ids.length === 1 ? ids[0] : undefined;
}

function epochsLogged(runDir: string): number {
  try {
    return readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"type":"epoch"')).length;
  } catch {
    return 0;
  }
}

/** When to strike: after `epoch` completed epochs plus `fraction` of the next one. */
interface Moment {
  epoch: number;
  fraction: number;
}

let epochMs = 1000;
let missed = 0;

/** Mean epoch duration of a run (from its metrics.jsonl). */
function meanEpochMs(runDir: string): number {
  const durations = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"type":"epoch"')).map((l) => JSON.parse(l).duration_ms as number);
  return durations.reduce((a, b) => a + b, 0) / Math.max(1, durations.length);
}

interface Trial {
  fault: string;
  moment: Moment;
  /** The run completed before the fault struck (not counted; the trial is repeated). */
  missed?: boolean;
  faultedExit: string;
  epochsAtFault: number;
  recovered: boolean;
  identical: boolean;
  note?: string;
}

async function main(): Promise<void> {
  mkdirSync(root, { recursive: true });
  console.log(`fault campaign: ${experiment} with ${epochs} epochs; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  // The uninterrupted reference, timed to place the faults inside training.
  const referenceStore = join(root, 'reference');
  let trainStart = 0;
  const t0 = Date.now();
  const ref = await runCli(['experiment', experiment, ...sets, '--runs', referenceStore], (_kill, at) => (trainStart = at));
  if (ref.code !== 0) throw new Error(`the reference run failed (exit ${ref.code}):\n${ref.stderr}`);
  const trainingMs = Date.now() - trainStart;
  const referenceDir = join(referenceStore, onlyRun(referenceStore)!);
  const reference = fingerprint(referenceDir);
  epochMs = meanEpochMs(referenceDir);
  console.log(`reference run: ${((Date.now() - t0) / 1000).toFixed(1)}s (training and scoring ${(trainingMs / 1000).toFixed(1)}s, ${epochMs.toFixed(0)} ms per epoch)\n`);

  const trials: Trial[] = [];
  const plan: string[] = [
    ...Array(Number(args.kill)).fill('kill -9'),
    ...Array(Number(args.signals)).fill('SIGINT'),
    ...Array(Number(args.signals)).fill('SIGTERM'),
    ...Array(Number(args.disk)).fill('full disk'),
    ...Array(Number(args['read-only'])).fill('read-only'),
  ];
  for (const [i, fault] of plan.entries()) {
    if ((fault === 'full disk' || fault === 'read-only') && !isRoot) {
      trials.push({ fault, moment: { epoch: 0, fraction: 0 }, faultedExit: '-', epochsAtFault: 0, recovered: false, identical: false, note: 'needs root (mount)' });
      continue;
    }
    // A random moment of training: after k completed epochs (k uniform in 0..epochs-1) plus a
    // random fraction of an epoch. Timing by epochs, not wall time, keeps it inside training
    // however loaded the machine is. A run that still finished first is tried again.
    let trial: Trial | undefined;
    for (let attempt = 0; attempt < 4 && (!trial || trial.missed); attempt++) {
      const moment = { epoch: random.int(epochs), fraction: random.uniform() };
      trial = await runTrial(i, fault, moment, reference);
      if (trial.missed) missed++;
    }
    trials.push(trial!);
    const t = trial!;
    console.log(`${String(i + 1).padStart(2)} ${fault.padEnd(9)} at epoch ${t.moment.epoch} + ${t.moment.fraction.toFixed(2)} (${t.epochsAtFault}/${epochs} logged): faulted run ${t.faultedExit}; recovered ${t.recovered ? 'yes' : 'NO'}, identical ${t.identical ? 'yes' : 'NO'}${t.note ? ` (${t.note})` : ''}`);
  }

  console.log(`\n(${missed} attempt(s) where the run finished before the fault were repeated with a new moment)`);
  console.log('| fault | trials | recovered | identical to uninterrupted |');
  console.log('|---|---|---|---|');
  for (const fault of [...new Set(plan)]) {
    const rows = trials.filter((t) => t.fault === fault && !t.missed);
    const skipped = rows.filter((t) => t.note === 'needs root (mount)').length;
    const real = rows.length - skipped;
    console.log(`| ${fault} | ${real}${skipped ? ` (+${skipped} not run: needs root)` : ''} | ${rows.filter((t) => t.recovered).length}/${real} | ${rows.filter((t) => t.identical).length}/${real} |`);
  }
  if (args.json) writeFileSync(args.json, JSON.stringify({ epochs, seed: Number(args.seed), trainingMs, trials }, null, 2));
}

async function runTrial(i: number, fault: string, moment: Moment, reference: Fingerprint): Promise<Trial> {
  const base = join(root, `trial-${i}`);
  let store = base;
  let afterFault = () => {};
  let atFault: () => void;
  let signal: NodeJS.Signals = 'SIGKILL';
  if (fault === 'full disk') {
    // A tmpfs with room for the run; at the fault moment a filler takes every free byte.
    mkdirSync(base, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', base]);
    mounts.push(base);
    store = join(base, 'runs');
    const filler = join(base, 'filler');
    atFault = () => {
      const { bavail, bsize } = statfsSync(base);
      try {
        execFileSync('fallocate', ['-l', String(bavail * bsize), filler]);
      } catch {
        execFileSync('sh', ['-c', `dd if=/dev/zero of=${filler} bs=64k 2>/dev/null || true`]);
      }
    };
    afterFault = () => rmSync(filler, { force: true });
  } else if (fault === 'read-only') {
    const real = join(base, 'real');
    store = join(base, 'view');
    mkdirSync(real, { recursive: true });
    mkdirSync(store, { recursive: true });
    execFileSync('mount', ['--bind', real, store]);
    mounts.push(store);
    atFault = () => execFileSync('mount', ['-o', 'remount,bind,ro', store]);
    afterFault = () => execFileSync('mount', ['-o', 'remount,bind,rw', store]);
  } else {
    signal = fault === 'kill -9' ? 'SIGKILL' : (fault as NodeJS.Signals);
    atFault = () => {};
  }

  try {
    return await faultAndResume(fault, moment, reference, store, signal, atFault, afterFault);
  } finally {
    cleanupTrial(base, store);
  }
}

async function faultAndResume(
  fault: string,
  moment: Moment,
  reference: Fingerprint,
  store: string,
  signal: NodeJS.Signals,
  atFault: () => void,
  afterFault: () => void,
): Promise<Trial> {
  let epochsAtFault = 0;
  let exited = false;
  let timer: NodeJS.Timeout | undefined;
  // A disk or store fault does not stop the run at once: it fails at its next write.
  const faulted = await runCli(['experiment', experiment, ...sets, '--runs', store], (kill) => {
    const fire = () => {
      if (exited) return;
      const id = onlyRun(store);
      epochsAtFault = id ? epochsLogged(join(store, id)) : 0;
      atFault();
      if (fault === 'kill -9' || fault === 'SIGINT' || fault === 'SIGTERM') kill(signal);
    };
    // Poll metrics.jsonl until `moment.epoch` epochs are logged, then wait a fraction of an epoch.
    const poll = () => {
      if (exited) return;
      const id = onlyRun(store);
      if (id && epochsLogged(join(store, id)) >= moment.epoch) timer = setTimeout(fire, moment.fraction * epochMs);
      else timer = setTimeout(poll, 20);
    };
    poll();
  });
  exited = true;
  clearTimeout(timer);
  afterFault();
  const faultedExit = faulted.signal ? `killed by ${faulted.signal}` : `exit ${faulted.code}`;
  const id = onlyRun(store);
  if (!id) return { fault, moment, faultedExit, epochsAtFault, recovered: false, identical: false, note: 'no run folder' };
  if (faulted.code === 0) {
    return { fault, moment, faultedExit, epochsAtFault, recovered: true, identical: identical(reference, fingerprint(join(store, id))), note: 'the run finished before the fault took effect', missed: true };
  }
  const resumed = await runCli(['experiment', '--resume', id, '--runs', store]);
  const record = JSON.parse(readFileSync(join(store, id, 'run.json'), 'utf8'));
  const recovered = resumed.code === 0 && record.status === 'completed';
  const note = recovered ? undefined : `resume exit ${resumed.code}: ${resumed.stderr.trim().split('\n').at(-1)}`;
  const same = recovered && identical(reference, fingerprint(join(store, id)));
  return { fault, moment, faultedExit, epochsAtFault, recovered, identical: same, note };
}

function cleanupTrial(base: string, store: string): void {
  for (const m of [store, base]) {
    const at = mounts.indexOf(m);
    if (at >= 0) {
      execFileSync('umount', ['-l', m]);
      mounts.splice(at, 1);
    }
  }
  rmSync(base, { recursive: true, force: true });
}

try {
  await main();
} finally {
  for (const m of mounts.splice(0)) execFileSync('umount', ['-l', m]);
  rmSync(root, { recursive: true, force: true });
}

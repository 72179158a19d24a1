import { join, resolve } from 'node:path';

/**
 * The run store's folder layout, in one place. Core, CLI and server name run files only
 * through these constants (or the RunStore methods built on them), so moving or adding a
 * file is one edit here.
 *
 *   <runs>/<run-id>/run.json        RunRecord: what the run is, status, headline metrics
 *                   config.json     the fully resolved experiment config
 *                   results.json    RunResults (after evaluation)
 *                   metrics.jsonl   machine log, one JSON record a line
 *                   log.txt         human log
 *                   series/         plot series: index.json + one .f32 file per channel
 *                   checkpoints/    <tag>.ckpt (`last`, `best`)
 *                   scores/         `anomalab score` results, one folder per scored series
 *   <runs>/_sweeps/<sweep-id>/sweep.json      sweep manifest
 *                             <run-id>.json   expanded config of each sweep run
 */
export const RUN_FILES = {
  record: 'run.json',
  config: 'config.json',
  results: 'results.json',
  metrics: 'metrics.jsonl',
  log: 'log.txt',
  series: 'series',
  seriesIndex: 'series/index.json',
  checkpoints: 'checkpoints',
  scores: 'scores',
} as const;

/** A scoring result folder (`<run>/scores/<name>/`) holds results.json, series/, log.txt and this. */
export const SCORE_METRICS_FILE = 'metrics.json';

/** Plot data of runs written before series/ existed (read by the server, never written). */
export const LEGACY_SERIES_FILE = 'series.json';

export const SWEEPS_FOLDER = '_sweeps';
export const SWEEP_MANIFEST = 'sweep.json';

/** Absolute paths of one run folder's files. */
export function runPaths(runDir: string) {
  return {
    dir: runDir,
    record: join(runDir, RUN_FILES.record),
    config: join(runDir, RUN_FILES.config),
    results: join(runDir, RUN_FILES.results),
    metrics: join(runDir, RUN_FILES.metrics),
    log: join(runDir, RUN_FILES.log),
    series: join(runDir, RUN_FILES.series),
    checkpoints: join(runDir, RUN_FILES.checkpoints),
    scores: join(runDir, RUN_FILES.scores),
  };
}

/** Absolute paths of a sweep's folder inside the run store. */
export function sweepPaths(runsRoot: string, sweepId: string) {
  const dir = join(resolve(runsRoot), SWEEPS_FOLDER, sweepId);
  return {
    dir,
    manifest: join(dir, SWEEP_MANIFEST),
    /** The expanded experiment of one sweep run. */
    entryConfig: (runId: string) => join(dir, `${runId}.json`),
  };
}

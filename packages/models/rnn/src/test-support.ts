// Helpers for this package's tests and bench script (not exported by the plugin).
import { existsSync, readFileSync } from 'node:fs';
import { SeededRandom, type EpochReport, type PluginServices, type Series, type TrainContext } from '@anomalab/core';
import { generateSynthetic } from '@anomalab/datasets';
import { findTestMirror } from '@anomalab/datasets/testing';
import { join } from 'node:path';
import { resolveOptions, type RnnOptions } from './config.ts';
import { rnnModel } from './index.ts';
import type { RnnPredictor } from './rnn-predictor.ts';

/** Services with an in-memory logger (the model loads tfjs itself through @anomalab/tfjs). */
export function testServices(seed = 1111): PluginServices & { lines: string[] } {
  const lines: string[] = [];
  const unused = new Proxy({}, { get: () => { throw new Error('not available in rnn tests'); } });
  return {
    lines,
    logger: {
      info: (m) => lines.push(m),
      warn: (m) => lines.push(`warn: ${m}`),
      error: (m) => lines.push(`error: ${m}`),
      metric: () => {},
      progress: () => ({ update: () => {}, done: () => {} }),
    },
    checkpoints: unused as PluginServices['checkpoints'],
    runStore: unused as PluginServices['runStore'],
    random: new SeededRandom(seed),
    recordBackend: async () => {},
  };
}

/** A small model configuration for fast tests. */
export const TINY: Partial<RnnOptions> = { embedding: 8, hidden: 8, layers: 2, augment_length: 2000, batch_size: 16, bptt: 20, lr: 0.01 };

export async function createPredictor(options: Partial<RnnOptions>, channels: number, seed = 1111, services = testServices(seed)): Promise<RnnPredictor> {
  return (await rnnModel.create({ channels, options: resolveOptions(options), training: { epochs: 1, save_interval: 10 }, seed, services })) as RnnPredictor;
}

/** A TrainContext that records the epoch reports; abort via `controller`. */
export function trainContext(epochs: number, services: PluginServices, startEpoch = 0, onEpoch?: (report: EpochReport) => void) {
  const controller = new AbortController();
  const reports: EpochReport[] = [];
  const context: TrainContext = {
    training: { epochs, save_interval: 10 },
    services,
    signal: controller.signal,
    startEpoch,
    onEpochEnd: async (report) => {
      reports.push(report);
      onEpoch?.(report);
    },
  };
  return { context, reports, controller };
}

/** Standardised synthetic train/test splits (sums of sines, anomalies in test). */
export function syntheticSplits(length = 1200, channels = 1, period = 40): { train: Series; test: Series } {
  const { values, trainRows } = generateSynthetic({ length, channels, train_fraction: 0.5, period, noise: 0.05, anomalies: 2, seed: 7 });
  return standardizeSplits(values, length, channels, trainRows);
}

function standardizeSplits(values: Float32Array, rows: number, C: number, trainRows: number): { train: Series; test: Series } {
  const mean = new Float64Array(C);
  const std = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    for (let t = 0; t < trainRows; t++) mean[c]! += values[t * C + c]! / trainRows;
    for (let t = 0; t < trainRows; t++) std[c]! += (values[t * C + c]! - mean[c]!) ** 2 / (trainRows - 1);
    std[c] = Math.sqrt(std[c]!) || 1;
  }
  const out = values.map((v, i) => (v - mean[i % C]!) / std[i % C]!);
  return {
    train: { rows: trainRows, channels: C, values: out.slice(0, trainRows * C) },
    test: { rows: rows - trainRows, channels: C, values: out.slice(trainRows * C) },
  };
}

const mirror = findTestMirror();
/** The raw ECG file in the benchmark data mirror (ANOMALAB_DATA_MIRROR or ../shared/datasets). */
export const ECG_FILE = mirror.dir ? join(mirror.dir, 'ecg', 'chfdb_chf13_45590.txt') : `(no mirror: ${mirror.reason})`;

/** The first `rows` rows of the ECG series (2 leads, standardised on themselves), or undefined when the mirror is absent. */
export function ecgSeries(rows: number): Series | undefined {
  if (!mirror.dir || !existsSync(ECG_FILE)) return undefined;
  const lines = readFileSync(ECG_FILE, 'utf8').split(/\r?\n/).filter((l) => l.trim()).slice(0, rows);
  const values = new Float32Array(lines.length * 2);
  lines.forEach((line, t) => {
    const cols = line.trim().split(/\s+/).map(Number);
    values[t * 2] = cols[1]!;
    values[t * 2 + 1] = cols[2]!;
  });
  return standardizeSplits(values, lines.length, 2, lines.length).train;
}

/** max |a - b| / max |b|: error relative to the vector's scale (float32 sums in different orders). */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / (scale || 1);
}

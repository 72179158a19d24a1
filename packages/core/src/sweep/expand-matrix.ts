import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, type ConfigProblem } from '../errors.ts';
import { locate, formatPath } from '../config/yaml-locations.ts';
import { nonFiniteNumbers } from '../config/finite-numbers.ts';
import { readExperimentFile } from '../config/experiment-text.ts';
import type { ExperimentDocument } from '../config/load-experiment.ts';

/**
 * Matrix experiments. An experiment file may add
 *
 * ```yaml
 * matrix:                      # axes: the cartesian product of their values is run
 *   dataset:                   # a key path of the experiment ...
 *     - { name: ecg, series: chfdb_chf13_45590 }
 *     - { name: space_shuttle, series: TEK16 }
 *   model:
 *     - { label: rnn-ref, name: rnn, options: { embedding: 128, hidden: 128 } }
 *     - { name: baselines }
 *   seed: [1111, 1112, 1113]   # ... or a scalar
 * sweep:
 *   parallel: 1                # runs at once (child processes)
 *   overrides:                 # per-entry overrides, applied where `match` holds
 *     - match: { dataset.name: nyc_taxi }
 *       set: { detector.window: 20 }
 * ```
 *
 * Mapping values are deep-merged into the base experiment at the axis path (their
 * `label` key names the variant and is removed); other values replace it.
 */
export interface SweepEntry {
  index: number;
  /** Deterministic run id: `<sweep id>-<index>`. */
  runId: string;
  /** Axis path -> label of this entry's value, e.g. { dataset: 'ecg/chfdb_chf13_45590', seed: '1112' }. */
  labels: Record<string, string>;
  config: Record<string, unknown>;
}

export interface SweepPlan {
  /** `<name>-<hash of the expanded configs>`: re-running the same file finds the same sweep. */
  id: string;
  name: string;
  file: string;
  parallel: number;
  axes: string[];
  entries: SweepEntry[];
}

type Json = Record<string, any>;

/** Most runs one sweep may expand to (the product of the axis lengths); checked before expanding. */
export const MAX_SWEEP_RUNS = 1000;

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return structuredClone(patch);
  const out: Json = { ...structuredClone(base) };
  for (const [k, v] of Object.entries(patch)) out[k] = k in out ? deepMerge(out[k], v) : structuredClone(v);
  return out;
}

function getPath(obj: Json, path: string): unknown {
  return path.split('.').reduce<any>((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}

function setPath(obj: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (!isPlainObject(o[k])) o[k] = {};
    o = o[k];
  }
  const last = keys.at(-1)!;
  o[last] = deepMerge(o[last], value);
}

/** A short human label for an axis value. */
function labelOf(axis: string, value: unknown): string {
  if (isPlainObject(value)) {
    if (typeof value.label === 'string') return value.label;
    if (axis === 'dataset' && typeof value.name === 'string') return value.series ? `${value.name}/${value.series}` : value.name;
    if (typeof value.name === 'string') return value.name;
    return JSON.stringify(value);
  }
  return String(value);
}

function withoutLabel(value: unknown): unknown {
  if (!isPlainObject(value) || !('label' in value)) return value;
  const { label: _label, ...rest } = value;
  return rest;
}

/** True when the file declares a `matrix:`. */
export function isMatrixExperiment(data: unknown): boolean {
  return isPlainObject(data) && 'matrix' in data;
}

async function parseFile(file: string) {
  const text = await readExperimentFile(file);
  const lineCounter = new LineCounter();
  return { file, doc: parseDocument(text, { lineCounter, prettyErrors: false }), lineCounter };
}

/**
 * Read a matrix experiment and expand it (without validating the expanded experiments:
 * the caller validates every one before starting any). Shape errors of `matrix:` and
 * `sweep:` are reported with file:line:col.
 */
export async function planSweep(source: string | ExperimentDocument, overrides: { path: string; value: unknown }[] = []): Promise<SweepPlan> {
  // A document from readExperimentDocument is used as parsed (the file is not read again).
  const { file, doc, lineCounter } = typeof source === 'string' ? await parseFile(source) : { ...source, file: source.file ?? source.source };
  const problems: ConfigProblem[] = [];
  const at = (path: (string | number)[], message: string) => {
    const pos = locate(doc, lineCounter, path);
    problems.push({ source: file, line: pos?.line, col: pos?.col, path: formatPath(path), message });
  };
  for (const e of doc.errors) {
    const pos = lineCounter.linePos(e.pos[0]);
    problems.push({ source: file, line: pos.line, col: pos.col, path: '(yaml)', message: e.message.split('\n')[0]! });
  }
  if (problems.length) throw new ConfigError(problems);
  let data: Json;
  try {
    data = (doc.toJS() ?? {}) as Json;
  } catch (error) {
    throw new ConfigError([{ source: file, line: 1, col: 1, path: '(yaml)', message: `cannot expand the document: ${(error as Error).message}` }]);
  }
  for (const issue of nonFiniteNumbers(data)) at(issue.path, issue.message);
  for (const { path, value } of overrides) {
    for (const issue of nonFiniteNumbers(value)) problems.push({ source: `--set ${path}`, path: formatPath([path, ...issue.path]), message: issue.message });
  }
  const { matrix, sweep = {}, ...base } = data;
  for (const { path, value } of overrides) setPath(base, path, value);

  if (!isPlainObject(matrix) || Object.keys(matrix).length === 0) at(['matrix'], 'must be a mapping of axes (key path -> list of values)');
  const axes = isPlainObject(matrix) ? Object.keys(matrix) : [];
  for (const axis of axes) {
    if (!Array.isArray(matrix[axis]) || matrix[axis].length === 0) at(['matrix', axis], 'must be a non-empty list of values');
    if (!/^[A-Za-z_][\w-]*(\.[\w-]+)*$/.test(axis)) at(['matrix', axis], 'axis must be a key path such as `model` or `training.epochs`');
  }
  if (!isPlainObject(sweep)) at(['sweep'], 'must be a mapping');
  const parallel = sweep.parallel ?? 1;
  if (!Number.isInteger(parallel) || parallel < 1) at(['sweep', 'parallel'], `must be an integer >= 1, got ${JSON.stringify(parallel)}`);
  const sweepOverrides = sweep.overrides ?? [];
  if (!Array.isArray(sweepOverrides)) at(['sweep', 'overrides'], 'must be a list of { match, set }');
  else
    sweepOverrides.forEach((o: unknown, i: number) => {
      if (!isPlainObject(o) || !isPlainObject(o.match) || !isPlainObject(o.set)) at(['sweep', 'overrides', i], 'must be { match: {path: value}, set: {path: value} }');
    });
  for (const key of Object.keys(sweep)) if (!['parallel', 'overrides'].includes(key)) at(['sweep', key], `unknown key "${key}"; allowed keys: parallel, overrides`);
  if (problems.length) throw new ConfigError(problems);
  const lengths = axes.map((axis) => (matrix[axis] as unknown[]).length);
  const total = lengths.reduce((a, b) => a * b, 1);
  if (total > MAX_SWEEP_RUNS) {
    at(['matrix'], `expands to ${total} runs (${lengths.join(' x ')}); a sweep may have at most ${MAX_SWEEP_RUNS}: split it into several files`);
    throw new ConfigError(problems);
  }

  // Cartesian product, first axis outermost.
  let combos: { labels: Record<string, string>; config: Json }[] = [{ labels: {}, config: base }];
  for (const axis of axes) {
    combos = combos.flatMap((c) =>
      (matrix[axis] as unknown[]).map((value) => {
        const config = structuredClone(c.config);
        setPath(config, axis, withoutLabel(value));
        return { labels: { ...c.labels, [axis]: labelOf(axis, value) }, config };
      }),
    );
  }
  for (const combo of combos) {
    for (const o of sweepOverrides as { match: Json; set: Json }[]) {
      if (Object.entries(o.match).every(([path, v]) => JSON.stringify(getPath(combo.config, path)) === JSON.stringify(v))) {
        for (const [path, v] of Object.entries(o.set)) setPath(combo.config, path, v);
      }
    }
  }

  const name = typeof base.name === 'string' ? base.name : basename(file, extname(file));
  const hash = createHash('sha256').update(JSON.stringify(combos.map((c) => c.config))).digest('hex').slice(0, 8);
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'sweep';
  const id = `${slug}-${hash}`;
  const width = String(combos.length).length;
  return {
    id,
    name,
    file,
    parallel,
    axes,
    entries: combos.map((c, index) => ({
      index,
      runId: `${id}-${String(index + 1).padStart(width, '0')}`,
      labels: c.labels,
      config: { ...c.config, name: c.config.name ?? name },
    })),
  };
}

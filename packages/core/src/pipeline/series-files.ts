import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AnomalabError } from '../errors.ts';

/**
 * Compact plot series: one binary file per channel (and one for the joint score) plus a
 * small JSON index, in a `series/` folder of the run (or of a scoring result).
 *
 * `series/index.json`:
 * ```json
 * {
 *   "format": "anomalab-series/1",
 *   "dtype": "float32", "byteOrder": "little", "missing": "NaN",
 *   "split": "test", "offset": 2439, "rows": 1287, "window": 10,
 *   "units": "standardised with the train split's mean and std",
 *   "entries": [
 *     { "name": "lead1", "kind": "channel", "file": "channel-0.f32",
 *       "arrays": { "target": { "offset": 0, "length": 1287 }, "score": { "offset": 1287, "length": 1287 }, ... } },
 *     { "name": "joint", "kind": "joint", "file": "joint.f32", "arrays": { ... } }
 *   ]
 * }
 * ```
 * Each `.f32` file is the concatenation of its arrays as little-endian IEEE float32;
 * `offset` and `length` count float32 elements (byte offset = 4 * offset). Row arrays
 * have `rows` elements, row i being row `offset + i` of the source file. Arrays:
 * - `target`: the standardised series;
 * - `prediction1`, `predictionW`, `predictionMean`: the prediction of row t made 1 step
 *   earlier, W steps earlier, and the mean of the W predictions made 1..W steps earlier
 *   (NaN where not available: t < 1, t < W); absent for models without forecasts;
 * - `score`: anomaly score (0 for the first W rows);
 * - `label`: 0/1 (absent for unlabelled series);
 * - `curve.threshold`, `curve.precision`, `curve.recall`, `curve.f`: the oracle sweep's
 *   point precision/recall/F-beta vs threshold (same length K, thresholds ascending;
 *   K = 0 when the sweep is undefined).
 * The joint entry has `score`, `label` and the curves only.
 */
export interface SeriesIndex {
  format: 'anomalab-series/1';
  dtype: 'float32';
  byteOrder: 'little';
  missing: 'NaN';
  split: 'test' | 'train';
  offset: number;
  rows: number;
  window: number;
  units: string;
  entries: SeriesEntry[];
}

export interface SeriesEntry {
  name: string;
  kind: 'channel' | 'joint';
  file: string;
  arrays: Record<string, { offset: number; length: number }>;
}

export const SERIES_FORMAT = 'anomalab-series/1';

/** Concatenate named arrays into one little-endian float32 buffer and its array table. */
export function packArrays(arrays: Record<string, ArrayLike<number>>): { bytes: Uint8Array; table: SeriesEntry['arrays'] } {
  let total = 0;
  for (const a of Object.values(arrays)) total += a.length;
  const buffer = new ArrayBuffer(total * 4);
  const view = new DataView(buffer);
  const table: SeriesEntry['arrays'] = {};
  let offset = 0;
  for (const [name, a] of Object.entries(arrays)) {
    // DataView with explicit little-endian: correct on any host byte order.
    for (let i = 0; i < a.length; i++) view.setFloat32((offset + i) * 4, a[i]!, true);
    table[name] = { offset, length: a.length };
    offset += a.length;
  }
  return { bytes: new Uint8Array(buffer), table };
}

/** Read one array of an entry from its file's bytes. */
export function unpackArray(bytes: Uint8Array, slot: { offset: number; length: number }): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(slot.length);
  for (let i = 0; i < slot.length; i++) out[i] = view.getFloat32((slot.offset + i) * 4, true);
  return out;
}

/** Load a `series/` folder back into arrays: `{ index, entries: { [name]: { [array]: Float32Array } } }`. */
export async function readSeriesFolder(dir: string): Promise<{ index: SeriesIndex; entries: Record<string, Record<string, Float32Array>> }> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as SeriesIndex;
  if (index.format !== SERIES_FORMAT) throw new AnomalabError('ANOMALAB_DATA_INVALID', `${dir}/index.json: unknown format ${JSON.stringify(index.format)}`);
  const entries: Record<string, Record<string, Float32Array>> = {};
  for (const entry of index.entries) {
    const bytes = await readFile(join(dir, entry.file));
    entries[entry.name] = Object.fromEntries(Object.entries(entry.arrays).map(([name, slot]) => [name, unpackArray(bytes, slot)]));
  }
  return { index, entries };
}

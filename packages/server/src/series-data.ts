import { endianness } from 'node:os';
import type { RunFiles } from './run-files.ts';

/** Plot arrays of one channel (or the joint score); missing values are NaN. */
export interface SeriesEntryData {
  name: string;
  kind: 'channel' | 'joint';
  /** `target`, `prediction1`, `predictionW`, `predictionMean`, `score`, `label`, `curve.threshold`, ... */
  arrays: Record<string, Float32Array | Float64Array>;
}

/** A run's test-split plot data, from either on-disk format. */
export interface SeriesData {
  format: string;
  split: string;
  offset: number;
  rows: number;
  window: number;
  entries: SeriesEntryData[];
}

interface SeriesIndex {
  format: string;
  dtype: string;
  byteOrder: string;
  split: string;
  offset: number;
  rows: number;
  window: number;
  entries: Array<{ name: string; kind: 'channel' | 'joint'; file: string; arrays: Record<string, { offset: number; length: number }> }>;
}

/** Views into a little-endian float32 file (copied only on big-endian hosts). */
function float32Arrays(bytes: Buffer, slots: Record<string, { offset: number; length: number }>): Record<string, Float32Array> {
  // An own, 4-byte aligned ArrayBuffer (readFile may hand out a slice of a shared pool).
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const out: Record<string, Float32Array> = {};
  for (const [name, slot] of Object.entries(slots)) {
    if ((slot.offset + slot.length) * 4 > buffer.byteLength) throw new Error(`series array ${name} runs past the end of its file`);
    if (endianness() === 'LE') out[name] = new Float32Array(buffer, slot.offset * 4, slot.length);
    else {
      const view = new DataView(buffer);
      out[name] = Float32Array.from({ length: slot.length }, (_, i) => view.getFloat32((slot.offset + i) * 4, true));
    }
  }
  return out;
}

/** series.json (first format): number arrays with nulls, curves in results.json. */
interface SeriesJsonV1 {
  split: string;
  offset: number;
  rows: number;
  window: number;
  labels: number[] | null;
  channels: Array<Record<string, unknown> & { name: string }>;
  jointScore: Array<number | null> | null;
}

const toFloat = (values: Array<number | null>) => Float64Array.from(values, (v) => (v === null ? NaN : v));

/**
 * Load (cached while unchanged) the plot data of a run: `series/index.json` + `*.f32`
 * (current format) or `series.json` (runs written before it). Undefined while the run has
 * not written them yet.
 */
export async function loadSeriesData(files: RunFiles, id: string): Promise<SeriesData | undefined> {
  const index = await files.readSeriesIndex<SeriesIndex>(id);
  if (index) {
    if (index.dtype !== 'float32' || index.byteOrder !== 'little') throw new Error(`run ${id}: unsupported series encoding ${index.dtype}/${index.byteOrder}`);
    const entries: SeriesEntryData[] = [];
    for (const entry of index.entries) {
      const arrays = await files.readSeriesFile(id, entry.file, (bytes) => float32Arrays(bytes, entry.arrays));
      if (!arrays) return undefined;
      entries.push({ name: entry.name, kind: entry.kind, arrays });
    }
    return { format: index.format, split: index.split, offset: index.offset, rows: index.rows, window: index.window, entries };
  }
  const v1 = await files.readLegacySeries<SeriesJsonV1>(id);
  if (!v1) return undefined;
  const label: Record<string, Float64Array> = v1.labels ? { label: toFloat(v1.labels) } : {};
  const entries: SeriesEntryData[] = v1.channels.map((ch): SeriesEntryData => ({
    name: ch.name,
    kind: 'channel',
    arrays: {
      ...Object.fromEntries(['target', 'prediction1', 'predictionMean', 'score'].filter((k) => Array.isArray(ch[k])).map((k) => [k, toFloat(ch[k] as Array<number | null>)])),
      ...label,
    },
  }));
  if (v1.jointScore) entries.push({ name: 'joint', kind: 'joint', arrays: { score: toFloat(v1.jointScore), ...label } });
  return { format: 'series.json', split: v1.split, offset: v1.offset, rows: v1.rows, window: v1.window, entries };
}

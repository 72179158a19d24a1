import { AnomalabError } from '@anomalab/core';
import type { FileFormat } from './catalog.ts';

/** A raw benchmark file as numbers, before splitting. */
export interface ParsedTable {
  rows: number;
  channels: number;
  /** Row-major [rows, channels]. */
  values: Float32Array;
  /** nyc_taxi only: ms since epoch per row. */
  timestamps?: Float64Array;
  /** ecg only: mean step of the dropped time column, in seconds. */
  samplingIntervalSeconds?: number;
  /** gesture only: how many zero cells were filled from their neighbours. */
  filledCells?: number;
}

/**
 * Parses a raw benchmark file by its format. Errors (`ANOMALAB_DATA_INVALID`) name the
 * file, 1-based line and column, and what was expected.
 */
export function parseBenchmarkFile(text: string, format: FileFormat, file: string): ParsedTable {
  switch (format) {
    case 'ecg': {
      const table = parseNumericLines(text, file, 3, /\s+/);
      const time = column(table.cells, table.rows, 3, 0);
      const values = selectColumns(table.cells, table.rows, 3, [1, 2]);
      const step = table.rows > 1 ? (time[table.rows - 1]! - time[0]!) / (table.rows - 1) : NaN;
      return { rows: table.rows, channels: 2, values, samplingIntervalSeconds: Number(step.toPrecision(4)) };
    }
    case 'gesture': {
      const table = parseNumericLines(text, file, 2, /\s+/);
      const values = Float32Array.from(table.cells);
      const filledCells = fillZerosFromNeighbours(values, table.rows, 2);
      return { rows: table.rows, channels: 2, values, filledCells };
    }
    case 'single': {
      const table = parseNumericLines(text, file, 1, /\s+/);
      return { rows: table.rows, channels: 1, values: Float32Array.from(table.cells) };
    }
    case 'nyc_taxi':
      return parseNycTaxi(text, file);
  }
}

/** Lines of the file without the trailing empty ones; blank lines inside are an error. */
function dataLines(text: string, file: string): string[] {
  const lines = text.split('\n');
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (!lines.length) throw new AnomalabError('ANOMALAB_DATA_INVALID', `${file}: the file is empty`);
  return lines;
}

function parseNumericLines(text: string, file: string, width: number, separator: RegExp): { rows: number; cells: Float64Array } {
  const lines = dataLines(text, file);
  const cells = new Float64Array(lines.length * width);
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i]!.trim();
    const fields = trimmed === '' ? [] : trimmed.split(separator);
    if (fields.length !== width) {
      throw new AnomalabError('ANOMALAB_DATA_INVALID', `${file}:${i + 1}: expected ${width} column(s), found ${fields.length}`);
    }
    for (let c = 0; c < width; c++) cells[i * width + c] = parseNumber(fields[c]!, file, i + 1, c + 1);
  }
  return { rows: lines.length, cells };
}

function parseNumber(token: string, file: string, line: number, col: number): number {
  const value = Number(token);
  if (token === '' || !Number.isFinite(value)) {
    throw new AnomalabError('ANOMALAB_DATA_INVALID', `${file}:${line}: column ${col}: expected a finite number, got "${token}"`);
  }
  return value;
}

function column(cells: Float64Array, rows: number, width: number, c: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) out[r] = cells[r * width + c]!;
  return out;
}

function selectColumns(cells: Float64Array, rows: number, width: number, keep: number[]): Float32Array {
  const out = new Float32Array(rows * keep.length);
  for (let r = 0; r < rows; r++) for (let k = 0; k < keep.length; k++) out[r * keep.length + k] = cells[r * width + keep[k]!]!;
  return out;
}

/**
 * Replaces every exact 0 with the mean of the nearest non-zero values above and below in the
 * same channel (one side only at the ends). Searching past zeros matters: gesture has two
 * consecutive zero rows (8752, 8753). Returns the number of cells filled.
 */
export function fillZerosFromNeighbours(values: Float32Array, rows: number, channels: number): number {
  let filled = 0;
  for (let c = 0; c < channels; c++) {
    const at = (r: number) => values[r * channels + c]!;
    const zeros: number[] = [];
    for (let r = 0; r < rows; r++) if (at(r) === 0) zeros.push(r);
    // Decide every fill from the original values before writing any.
    const fills = zeros.map((r) => {
      let before = r - 1;
      while (before >= 0 && at(before) === 0) before--;
      let after = r + 1;
      while (after < rows && at(after) === 0) after++;
      const sides = [before >= 0 ? at(before) : undefined, after < rows ? at(after) : undefined].filter((v) => v !== undefined);
      return sides.length ? sides.reduce((a, b) => a + b, 0) / sides.length : 0;
    });
    zeros.forEach((r, i) => (values[r * channels + c] = fills[i]!));
    filled += zeros.length;
  }
  return filled;
}

const NYC_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** nyc_taxi.csv: no header; timestamp, passenger count, minutes since midnight, day of week. */
function parseNycTaxi(text: string, file: string): ParsedTable {
  const lines = dataLines(text, file);
  const values = new Float32Array(lines.length * 3);
  const timestamps = new Float64Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const fields = lines[i]!.trim().split(',');
    if (fields.length !== 4) throw new AnomalabError('ANOMALAB_DATA_INVALID', `${file}:${i + 1}: expected 4 columns, found ${fields.length}`);
    const m = NYC_TIME.exec(fields[0]!);
    if (!m) throw new AnomalabError('ANOMALAB_DATA_INVALID', `${file}:${i + 1}: column 1: expected a time "YYYY-MM-DD hh:mm:ss", got "${fields[0]}"`);
    // Wall-clock New York time taken as UTC: keeps every bucket 30 min apart across DST changes.
    timestamps[i] = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
    for (let c = 0; c < 3; c++) values[i * 3 + c] = parseNumber(fields[c + 1]!, file, i + 1, c + 2);
  }
  return { rows: lines.length, channels: 3, values, timestamps };
}

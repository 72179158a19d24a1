import { AnomalabError } from '@anomalab/core';
import type { TimeValue } from './csv-options.ts';
import { excerpt } from './read-csv.ts';

const MISSING = new Set(['', 'nan', 'na', 'n/a', 'null', 'none', '-', '?']);

/** Where a cell sits, for error messages: `file:line: column "name" (#index)`. */
export interface CellPlace {
  file: string;
  line: number;
  column: string;
}

export function cellError(at: CellPlace, message: string): AnomalabError {
  return new AnomalabError('ANOMALAB_DATA_INVALID', `${at.file}:${at.line}: column ${at.column}: ${message}`);
}

/** Plain decimal notation only: `Number()` would also read `0x10` as 16, `0b1` and `Infinity`. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Largest float32: values are stored as float32, so anything beyond would become Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** The value of a decimal number cell (`12`, `-0.5`, `1e-3`), or undefined when it is not one. */
export function parseDecimal(cell: string): number | undefined {
  const text = cell.trim();
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** A finite number, or an error saying whether the cell was missing or not numeric. */
export function parseValueCell(cell: string, at: CellPlace): number {
  const value = parseDecimal(cell);
  if (value !== undefined) {
    if (Math.abs(value) > FLOAT32_MAX) throw cellError(at, `value ${cell.trim()} is out of range: values are stored as 32-bit floats (|x| <= 3.4e38); rescale the column`);
    return value;
  }
  if (DECIMAL.test(cell.trim())) throw cellError(at, `value ${cell.trim()} is out of range: it overflows a 64-bit float (|x| <= 1.8e308)`);
  if (MISSING.has(cell.trim().toLowerCase())) {
    throw cellError(at, `missing value ${excerpt(cell)}: expected a number (fill or drop the row; anomalab does not interpolate user data)`);
  }
  const hint = /^[+-]?0[xob]/i.test(cell.trim()) ? ' (hexadecimal, octal and binary numbers are not read: write it in decimal)' : '';
  throw cellError(at, `expected a number, got ${excerpt(cell)}${hint}`);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Milliseconds since epoch from ISO 8601 text (`2014-07-01`, `2014-07-01 00:30`,
 * `2014-07-01T00:30:00.5+02:00`; no zone = UTC, so results never depend on the machine's
 * zone) or from a number in `unit`. Undefined when the text is neither.
 */
export function parseTime(value: TimeValue, unit: 'ms' | 's'): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value * (unit === 's' ? 1000 : 1) : undefined;
  const text = value.trim();
  const number = parseDecimal(text);
  if (number !== undefined) return number * (unit === 's' ? 1000 : 1);
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  // Date.UTC would quietly roll 2014-13-40 over into 2015; reject it instead.
  if (+mo! < 1 || +mo! > 12 || +d! < 1 || +d! > 31 || +h > 23 || +mi > 59 || +s > 60) return undefined;
  let ms = Date.UTC(+y!, +mo! - 1, +d!, +h, +mi, +s, frac ? Math.round(Number(frac) * 1000) : 0);
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return Number.isNaN(ms) ? undefined : ms;
}

export const TIME_EXPECTED = 'expected a timestamp (ISO 8601 such as 2014-07-01 00:30:00, no zone = UTC) or a number';

import { HttpError } from '../errors.ts';

/** A row's optional timestamp, returned with its scores as given (a string or a number). */
export type Timestamp = string | number;

/** Rows of one request, checked: every value finite, in the session's channel order. */
export interface ParsedRows {
  values: number[][];
  /** Per row; undefined where the row had none. */
  timestamps: (Timestamp | undefined)[];
}

export interface ParseRowsOptions {
  /** The session's channel names (the run's), in order. */
  channels: readonly string[];
  /** Stream row the first row of this request becomes (the session's rows pushed so far). */
  firstStreamRow: number;
  /** More rows than this is 413. */
  maxRows: number;
  /** How rows are named in messages: `row` for points, `warmup row` for warm-up. */
  label?: string;
}

/** One bad row: where it is (request index, stream row, NDJSON line) and what is wrong. */
export interface RowProblem {
  index: number;
  streamRow: number;
  line?: number;
  message: string;
}

/** Problems listed in a 400 body; the message names the first, the count says how many. */
const MAX_LISTED = 20;

/**
 * Parse and check a points body (a JSON array of rows, or NDJSON: one row a line). Every
 * row is checked before any is pushed, so a refused request changes nothing: all problems
 * (the first 20 listed) in one 400, or 413 past `maxRows`.
 *
 * A row is an array of numbers in channel order, or an object keyed by channel name with
 * an optional `timestamp` (string or number). JSON has no NaN or Infinity; a value like
 * 1e999 parses to Infinity and is refused like any other non-finite value, and so is one
 * beyond float32 (the core's session refuses those too: the models compute in float32).
 */
export function parseRows(text: string, format: 'json' | 'ndjson', options: ParseRowsOptions): ParsedRows {
  if (text.trim() === '') {
    throw badRows(`the body is empty: send rows as ${format === 'ndjson' ? 'NDJSON (one JSON row a line)' : 'a JSON array'}, each an array of ${options.channels.length} numbers (${options.channels.join(', ')}) or an object keyed by channel name`, []);
  }
  const raw = format === 'ndjson' ? parseNdjson(text, options) : parseJsonArray(text, options);
  return checkRows(raw.rows, options, raw.lines);
}

/**
 * Check rows already parsed from JSON (the points body, or `warmup` of a session-opening
 * body): 400 listing the bad ones, 413 past `maxRows`, else the values in channel order.
 */
export function checkRows(rows: readonly unknown[], options: ParseRowsOptions, lines?: readonly number[]): ParsedRows {
  const label = options.label ?? 'row';
  if (rows.length === 0) throw badRows(`the body holds no rows: send at least one ${label}`, []);
  if (rows.length > options.maxRows) {
    throw new HttpError(413, 'ANOMALAB_PAYLOAD_TOO_LARGE', `${rows.length} ${label}s in one request, at most ${options.maxRows}: split them over several requests`);
  }
  const values: number[][] = new Array(rows.length);
  const timestamps: (Timestamp | undefined)[] = new Array(rows.length);
  const problems: RowProblem[] = [];
  let bad = 0;
  for (let i = 0; i < rows.length; i++) {
    const checked = checkRow(rows[i], options.channels);
    if (typeof checked === 'string') {
      bad++;
      if (problems.length < MAX_LISTED) problems.push(problem(i, options, checked, lines?.[i]));
      continue;
    }
    values[i] = checked.values;
    timestamps[i] = checked.timestamp;
  }
  if (bad) throw badRows(`${describe(problems[0]!, label)}${bad > 1 ? ` (and ${bad - 1} more bad row${bad > 2 ? 's' : ''}; nothing was pushed)` : ' (nothing was pushed)'}`, problems);
  return { values, timestamps };
}

function problem(index: number, options: ParseRowsOptions, message: string, line?: number): RowProblem {
  return { index, streamRow: options.firstStreamRow + index, ...(line !== undefined ? { line } : {}), message };
}

function describe(p: RowProblem, label: string): string {
  return `${label} ${p.index} (stream row ${p.streamRow}${p.line !== undefined ? `, line ${p.line}` : ''}): ${p.message}`;
}

function badRows(message: string, problems: RowProblem[]): HttpError {
  return new HttpError(400, 'ANOMALAB_BAD_REQUEST', message, {}, problems.length ? { rows: problems } : {});
}

/** NDJSON: one JSON value a line; blank lines are skipped, line numbers count from 1. */
function parseNdjson(text: string, options: ParseRowsOptions): { rows: unknown[]; lines: number[] } {
  const rows: unknown[] = [];
  const lines: number[] = [];
  const problems: RowProblem[] = [];
  let bad = 0;
  const all = text.split('\n');
  for (let l = 0; l < all.length; l++) {
    const line = all[l]!.trim();
    if (line === '') continue;
    // Counted before parsing, so a huge NDJSON body is refused without parsing every line.
    if (rows.length >= options.maxRows) {
      const total = rows.length + all.slice(l).filter((x) => x.trim() !== '').length;
      throw new HttpError(413, 'ANOMALAB_PAYLOAD_TOO_LARGE', `${total} rows in one request, at most ${options.maxRows}: split them over several requests`);
    }
    try {
      rows.push(JSON.parse(line));
    } catch (error) {
      bad++;
      if (problems.length < MAX_LISTED) problems.push(problem(rows.length, options, notJson(line, error), l + 1));
      rows.push(undefined);
    }
    lines.push(l + 1);
  }
  if (bad) throw badRows(`${describe(problems[0]!, options.label ?? 'row')}${bad > 1 ? ` (and ${bad - 1} more bad line${bad > 2 ? 's' : ''}; nothing was pushed)` : ' (nothing was pushed)'}`, problems);
  return { rows, lines };
}

function parseJsonArray(text: string, options: ParseRowsOptions): { rows: unknown[]; lines?: undefined } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw locateJsonError(text, error, options);
  }
  if (!Array.isArray(body)) {
    throw badRows(`the body is ${kindOf(body)}, expected a JSON array of rows (or NDJSON with Content-Type: application/x-ndjson)`, []);
  }
  return { rows: body };
}

/**
 * The body is not JSON. V8's message gives no position, so find the first top-level element
 * of the array that does not parse on its own and name its row.
 */
function locateJsonError(text: string, error: unknown, options: ParseRowsOptions): HttpError {
  const elements = topLevelElements(text);
  if (elements) {
    for (let i = 0; i < elements.length; i++) {
      try {
        JSON.parse(elements[i]!);
      } catch (inner) {
        const p = problem(i, options, notJson(elements[i]!, inner));
        return badRows(`${describe(p, options.label ?? 'row')} (nothing was pushed)`, [p]);
      }
    }
  }
  return badRows(`the body is not valid JSON (${(error as Error).message}): expected a JSON array of rows`, []);
}

function notJson(source: string, error: unknown): string {
  if (/(^|[\s,[:])-?(NaN|Infinity)\b/.test(source.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) {
    return `NaN and Infinity are not JSON numbers (every value must be a finite number): ${clip(source)}`;
  }
  return `not valid JSON (${(error as Error).message.replace(/, ".*" is not valid JSON$/, '')}): ${clip(source)}`;
}

function clip(source: string): string {
  return source.length > 80 ? `${source.slice(0, 77)}...` : source;
}

/** The source text of each element of a top-level JSON array, or undefined if the text is not one. */
function topLevelElements(text: string): string[] | undefined {
  const start = text.indexOf('[');
  if (start < 0 || text.slice(0, start).trim() !== '') return undefined;
  const elements: string[] = [];
  let depth = 0;
  let from = start + 1;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) {
        if (text.slice(from, i).trim() !== '') elements.push(text.slice(from, i));
        return elements;
      }
    } else if (ch === ',' && depth === 1) {
      elements.push(text.slice(from, i));
      from = i + 1;
    }
  }
  // Unterminated: still report the elements seen, the broken one among them.
  elements.push(text.slice(from));
  return elements;
}

/** A checked row, or what is wrong with it. */
function checkRow(row: unknown, channels: readonly string[]): { values: number[]; timestamp?: Timestamp } | string {
  if (Array.isArray(row)) {
    if (row.length !== channels.length) {
      return `has ${row.length} value${row.length === 1 ? '' : 's'}, the run has ${channels.length} channel${channels.length === 1 ? '' : 's'} (${channels.join(', ')})`;
    }
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      if (typeof v !== 'number' || !Number.isFinite(v)) return `channel ${channels[c]} (value ${c}) is ${kindOf(v)}, expected a finite number`;
      if (!Number.isFinite(Math.fround(v))) return `channel ${channels[c]} (value ${c}) is ${v}, outside the float32 range the models compute in`;
    }
    return { values: row as number[] };
  }
  if (row === null || typeof row !== 'object') {
    return `is ${kindOf(row)}, expected an array of ${channels.length} numbers (${channels.join(', ')}) or an object keyed by channel name`;
  }
  const record = row as Record<string, unknown>;
  const values = new Array<number>(channels.length);
  for (let c = 0; c < channels.length; c++) {
    const name = channels[c]!;
    if (!Object.hasOwn(record, name)) return `misses channel ${JSON.stringify(name)} (the run's channels: ${channels.join(', ')})`;
    const v = record[name];
    if (typeof v !== 'number' || !Number.isFinite(v)) return `channel ${name} is ${kindOf(v)}, expected a finite number`;
    if (!Number.isFinite(Math.fround(v))) return `channel ${name} is ${v}, outside the float32 range the models compute in`;
    values[c] = v;
  }
  let timestamp: Timestamp | undefined;
  for (const key of Object.keys(record)) {
    if (key === 'timestamp' && !channels.includes(key)) {
      const t = record[key];
      if (!(typeof t === 'string' || (typeof t === 'number' && Number.isFinite(t)))) return `timestamp is ${kindOf(t)}, expected a string or a finite number`;
      timestamp = t;
    } else if (!channels.includes(key)) {
      return `has an unknown channel ${JSON.stringify(key)} (the run's channels: ${channels.join(', ')}; besides them only "timestamp")`;
    }
  }
  return timestamp === undefined ? { values } : { values, timestamp };
}

/** A short description of a JSON value for messages: `null`, `the string "abc"`, `Infinity`. */
function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'missing';
  if (typeof v === 'string') return `the string ${clip(JSON.stringify(v))}`;
  if (typeof v === 'number') return String(v); // non-finite only: NaN, Infinity, -Infinity
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (Array.isArray(v)) return 'an array';
  return 'an object';
}

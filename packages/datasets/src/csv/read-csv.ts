import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { AnomalabError } from '@anomalab/core';
import type { CsvOptions } from './csv-options.ts';
import { parseDecimal } from './parse-cells.ts';

/** A CSV file split into cells; `lines[i]` is the 1-based file line of data row i. */
export interface CsvTable {
  file: string;
  delimiter: string;
  header?: string[];
  /** Line of the header (1-based) when there is one. */
  headerLine?: number;
  rows: string[][];
  lines: number[];
  columns: number;
}

const CANDIDATES = [',', ';', '\t', '|'];

/**
 * A cell or name quoted for an error message: JSON-quoted, control and bidirectional
 * characters escaped, at most `max` characters of it (messages are stored with runs and
 * shown over HTTP: they should show what is wrong, not carry the file).
 */
export function excerpt(text: string, max = 40): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const quoted = JSON.stringify(cut).replace(/[\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return text.length > max ? `${quoted}… (${text.length} characters)` : quoted;
}

/** Largest CSV file read (the whole file is held in memory, several times over while parsing). */
export const MAX_CSV_BYTES = 128 * 1024 * 1024;

/**
 * The bytes of a CSV file: a regular file (not /dev/zero, a FIFO or a folder) of at most
 * {@link MAX_CSV_BYTES}, read with that bound even where the size on disk says 0 (/proc).
 * `what` names the option in messages.
 */
export function readCsvFile(file: string, what: string): Buffer {
  const unavailable = (reason: string, cause?: unknown) => new AnomalabError('ANOMALAB_DATA_UNAVAILABLE', `cannot read ${file} (${what}): ${reason}`, { cause });
  const tooLarge = (size: string) => new AnomalabError('ANOMALAB_DATA_INVALID', `${file} (${what}): the file is ${size}; the csv dataset reads files of at most ${MAX_CSV_BYTES / 1024 / 1024} MiB`);
  const code = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  let fd: number;
  try {
    // stat first: opening a FIFO would block until something writes to it.
    const info = statSync(file);
    if (!info.isFile()) throw unavailable('not a regular file');
    if (info.size > MAX_CSV_BYTES) throw tooLarge(`${info.size} bytes`);
    fd = openSync(file, 'r');
  } catch (error) {
    if (error instanceof AnomalabError) throw error;
    throw unavailable(code(error), error);
  }
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(1024 * 1024);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_CSV_BYTES) throw tooLarge(`more than ${MAX_CSV_BYTES} bytes`);
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof AnomalabError) throw error;
    throw unavailable(code(error), error);
  } finally {
    closeSync(fd);
  }
}

/** Splits one line on `delimiter`, honouring double-quoted fields ("a,b" and "" escapes). */
export function splitLine(line: string, delimiter: string): string[] {
  if (delimiter === 'whitespace') return line.trim().split(/\s+/);
  if (!line.includes('"')) return line.split(delimiter).map((cell) => cell.trim());
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell.trim() === '') (quoted = true), (cell = '');
    else if (line.startsWith(delimiter, i)) cells.push(cell.trim()), (cell = ''), (i += delimiter.length - 1);
    else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

/** True when a quoted field opened on this line (`"` at the start of a cell) is not closed on it. */
function hasUnclosedQuote(line: string, delimiter: string): boolean {
  let quoted = false;
  let cellStart = true;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"' && cellStart) quoted = true;
    else if (line.startsWith(delimiter, i)) (cellStart = true), (i += delimiter.length - 1);
    else if (ch !== ' ' && ch !== '\t') cellStart = false;
  }
  return quoted;
}

/** The separator that splits every sampled line into the same number (> 1) of fields. */
export function detectDelimiter(sample: string[]): string {
  let best: { delimiter: string; count: number } | undefined;
  for (const delimiter of CANDIDATES) {
    const counts = sample.map((line) => splitLine(line, delimiter).length);
    const count = counts[0]!;
    if (count > 1 && counts.every((n) => n === count) && (!best || count > best.count)) best = { delimiter, count };
  }
  if (best) return best.delimiter;
  const words = sample.map((line) => splitLine(line, 'whitespace').length);
  // One column: any delimiter works; ',' keeps error messages conventional.
  return words[0]! > 1 && words.every((n) => n === words[0]) ? 'whitespace' : ',';
}

export const isNumberCell = (cell: string) => parseDecimal(cell) !== undefined;

/** "auto" header rule: some first-row cell is not a number while the cell under it is. */
export function detectHeader(first: string[], second: string[] | undefined): boolean {
  return first.some((cell, c) => !isNumberCell(cell) && (second === undefined || isNumberCell(second[c] ?? '')));
}

/**
 * Reads CSV text into cells. Blank lines are skipped (line numbers in errors stay those of
 * the file); every row must have as many cells as the first. Quoted fields may not span lines.
 */
export function readCsv(text: string, file: string, options: Pick<CsvOptions, 'delimiter' | 'header'>): CsvTable {
  const all = text.replace(/^\uFEFF/, '').split('\n');
  const content: Array<{ text: string; line: number }> = [];
  all.forEach((raw, i) => {
    const t = raw.replace(/\r$/, '');
    if (t.trim() !== '') content.push({ text: t, line: i + 1 });
  });
  if (!content.length) throw new AnomalabError('ANOMALAB_DATA_INVALID', `${file}: the file is empty (expected a header and/or rows of values)`);

  const delimiter = options.delimiter === 'auto' ? detectDelimiter(content.slice(0, 10).map((l) => l.text)) : options.delimiter;
  content.forEach(({ text: line, line: number }) => {
    if (delimiter !== 'whitespace' && hasUnclosedQuote(line, delimiter)) {
      throw new AnomalabError(
        'ANOMALAB_DATA_INVALID',
        `${file}:${number}: quoting problem: a quoted field is not closed on this line (quoted fields may not span lines: remove the line break inside the quotes; write a quote inside a quoted field as "")`,
      );
    }
  });
  const cells = content.map((l) => splitLine(l.text, delimiter));
  const hasHeader = options.header === 'auto' ? detectHeader(cells[0]!, cells[1]) : options.header;
  const columns = cells[0]!.length;
  for (let i = 1; i < cells.length; i++) {
    if (cells[i]!.length !== columns) {
      const quotes = content[i]!.text.includes('"') ? ' (the line has quotes: check that each quoted field is closed and followed by the delimiter)' : '';
      throw new AnomalabError(
        'ANOMALAB_DATA_INVALID',
        `${file}:${content[i]!.line}: ragged row: expected ${columns} fields separated by ${JSON.stringify(delimiter)} (like line ${content[0]!.line}), found ${cells[i]!.length}${quotes}`,
      );
    }
  }
  if (hasHeader) {
    const header = cells[0]!;
    header.forEach((name, c) => {
      const first = header.indexOf(name);
      if (first !== c) {
        throw new AnomalabError(
          'ANOMALAB_DATA_INVALID',
          `${file}:${content[0]!.line}: duplicate column name ${excerpt(name)} (#${first} and #${c}): column names must be unique, rename one of them`,
        );
      }
    });
  }
  const start = hasHeader ? 1 : 0;
  if (cells.length === start) throw new AnomalabError('ANOMALAB_DATA_INVALID', `${file}: the file has a header but no data rows`);
  return {
    file,
    delimiter,
    ...(hasHeader ? { header: cells[0]!, headerLine: content[0]!.line } : {}),
    rows: cells.slice(start),
    lines: content.slice(start).map((l) => l.line),
    columns,
  };
}

import { AnomalabError } from '@anomalab/core';
import type { CsvOptions } from './csv-options.ts';

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

export const isNumberCell = (cell: string) => cell.trim() !== '' && Number.isFinite(Number(cell));

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
  const cells = content.map((l) => splitLine(l.text, delimiter));
  const hasHeader = options.header === 'auto' ? detectHeader(cells[0]!, cells[1]) : options.header;
  const columns = cells[0]!.length;
  for (let i = 1; i < cells.length; i++) {
    if (cells[i]!.length !== columns) {
      throw new AnomalabError(
        'ANOMALAB_DATA_INVALID',
        `${file}:${content[i]!.line}: ragged row: expected ${columns} fields separated by ${JSON.stringify(delimiter)} (like line ${content[0]!.line}), found ${cells[i]!.length}`,
      );
    }
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

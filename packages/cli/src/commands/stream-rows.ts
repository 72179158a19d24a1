import { AnomalabError } from '@anomalab/core';

/** One input row: the values in the run's channel order, and the timestamp to echo (when the input has one). */
export interface InputRow {
  values: number[];
  timestamp?: unknown;
}

/** Plain decimal notation only: `Number()` would also read `0x10`, `Infinity` and `''` (as 0). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The input field echoed in the output, when the input has it. */
export const TIMESTAMP_FIELD = 'timestamp';

/** Cells of one CSV line: comma-separated, trimmed, a quoted cell unquoted (quotes may not hide commas). */
function splitCsv(line: string): string[] {
  return line.split(',').map((cell) => {
    const t = cell.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
  });
}

const show = (text: string) => (text.length > 40 ? `${JSON.stringify(text.slice(0, 40))}…` : JSON.stringify(text));

/**
 * Turns stdin lines into rows for a stream session. The first non-blank line fixes the
 * format: NDJSON (`{"lead1": 0.1, "lead2": 0.2}` by channel name, or `[0.1, 0.2]` in the
 * run's channel order) or CSV, with a header naming the columns (matched to the run's
 * channels by name; other columns are ignored, `timestamp` is echoed) or without one (one
 * value per channel, in the run's order). Errors name the line and what was expected.
 */
export class RowReader {
  private format?: 'csv' | 'json';
  /** CSV with a header: column of each channel, and of the timestamp. */
  private columns?: { channels: number[]; timestamp: number };

  constructor(private readonly channelNames: string[]) {}

  /** The row of `line` (1-based number `n`), or undefined for a blank or header line. */
  read(line: string, n: number): InputRow | undefined {
    const text = line.replace(/^\uFEFF/, '').trim();
    if (text === '') return undefined;
    const fail = (message: string) => new AnomalabError('ANOMALAB_DATA_INVALID', `stdin line ${n}: ${message}`);
    if (!this.format) {
      this.format = text.startsWith('{') || text.startsWith('[') ? 'json' : 'csv';
      if (this.format === 'csv') {
        const cells = splitCsv(text);
        if (cells.some((cell) => !DECIMAL.test(cell))) {
          this.columns = this.header(cells, fail);
          return undefined;
        }
      }
    }
    return this.format === 'json' ? this.readJson(text, fail) : this.readCsv(text, fail);
  }

  private header(cells: string[], fail: (m: string) => AnomalabError): { channels: number[]; timestamp: number } {
    const channels = this.channelNames.map((name) => cells.indexOf(name));
    const missing = this.channelNames.filter((_, c) => channels[c]! < 0);
    if (missing.length) {
      throw fail(`the header (${cells.map(show).join(', ')}) has no column ${missing.map(show).join(', ')}: name every channel of the run (${this.channelNames.join(', ')}), or give no header and one value per channel`);
    }
    return { channels, timestamp: cells.indexOf(TIMESTAMP_FIELD) };
  }

  private readCsv(text: string, fail: (m: string) => AnomalabError): InputRow {
    const cells = splitCsv(text);
    const names = this.channelNames;
    const columns = this.columns;
    if (!columns && cells.length !== names.length) {
      throw fail(`expected ${names.length} comma-separated value(s) (${names.join(', ')}), got ${cells.length}${cells.length > names.length ? '; give a header line naming the columns to pick the channels' : ''}`);
    }
    if (columns) {
      const needed = Math.max(...columns.channels, columns.timestamp) + 1;
      if (cells.length < needed) throw fail(`expected at least ${needed} comma-separated cells like the header, got ${cells.length}`);
    }
    const values = names.map((name, c) => {
      const cell = cells[columns ? columns.channels[c]! : c]!;
      if (!DECIMAL.test(cell)) throw fail(`channel ${name}: expected a decimal number, got ${show(cell)}`);
      return Number(cell);
    });
    return columns && columns.timestamp >= 0 ? { values, timestamp: cells[columns.timestamp] } : { values };
  }

  private readJson(text: string, fail: (m: string) => AnomalabError): InputRow {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw fail(`not valid JSON (${(error as Error).message}); lines must all be NDJSON like the first`);
    }
    const names = this.channelNames;
    if (Array.isArray(parsed)) {
      if (parsed.length !== names.length) throw fail(`expected an array of ${names.length} number(s) (${names.join(', ')}), got ${parsed.length}`);
      return { values: parsed.map((v, c) => this.number(v, names[c]!, fail)) };
    }
    if (parsed === null || typeof parsed !== 'object') throw fail(`expected an object with the channels by name (${names.join(', ')}) or an array of numbers, got ${JSON.stringify(parsed)}`);
    const record = parsed as Record<string, unknown>;
    const missing = names.filter((name) => !(name in record));
    if (missing.length) throw fail(`no value for channel ${missing.map(show).join(', ')} (the run's channels: ${names.join(', ')})`);
    const values = names.map((name) => this.number(record[name], name, fail));
    return TIMESTAMP_FIELD in record ? { values, timestamp: record[TIMESTAMP_FIELD] } : { values };
  }

  private number(value: unknown, name: string, fail: (m: string) => AnomalabError): number {
    if (typeof value !== 'number') throw fail(`channel ${name}: expected a number, got ${JSON.stringify(value) ?? typeof value}`);
    return value;
  }
}

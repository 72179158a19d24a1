import { resolve } from 'node:path';
import { AnomalabError, type DatasetPlugin, type LoadedSeries, type Split } from '@anomalab/core';
import { csvOptionsSchema, type ColumnRef, type CsvOptions } from './csv-options.ts';
import { excerpt, readCsv, readCsvFile, type CsvTable } from './read-csv.ts';
import { cellError, parseDecimal, parseTime, parseValueCell, TIME_EXPECTED } from './parse-cells.ts';
import { decodeCsvText } from './decode-text.ts';

const invalid = (message: string) => new AnomalabError('ANOMALAB_DATA_INVALID', message);

/** Column index of a name/index reference, or an error listing the file's columns. */
function resolveColumn(table: CsvTable, ref: ColumnRef, option: string): number {
  const available = table.header ? table.header.map((h, i) => `${excerpt(h)} (#${i})`).join(', ') : `#0..#${table.columns - 1} (no header)`;
  const where = `${table.file}:${table.headerLine ?? table.lines[0]}`;
  if (typeof ref === 'number') {
    if (Number.isInteger(ref) && ref >= 0 && ref < table.columns) return ref;
    throw invalid(`${where}: option ${option}: column index ${ref} is out of range; the file has ${table.columns} columns: ${available}`);
  }
  if (!table.header) {
    throw invalid(`${where}: option ${option}: column "${ref}" needs a header line, but the file has none (header: false or not detected); use a 0-based index: ${available}`);
  }
  const index = table.header.indexOf(ref);
  if (index < 0) throw invalid(`${where}: option ${option}: unknown column "${ref}"; columns are ${available}`);
  return index;
}

const columnName = (table: CsvTable, c: number) => (table.header ? `${excerpt(table.header[c]!)} (#${c})` : `#${c}`);

/** [start, end) checked against the row count; `what` names the option. */
function checkRange([start, end]: readonly [number, number], rows: number, what: string, file: string): [number, number] {
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= rows)) {
    throw invalid(`${file}: option ${what}: [${start}, ${end}) is out of range; expected 0 <= start < end <= ${rows} (the file's data rows)`);
  }
  return [start, end];
}

function parseTimestamps(table: CsvTable, c: number, unit: 'ms' | 's'): Float64Array {
  const out = new Float64Array(table.rows.length);
  table.rows.forEach((row, r) => {
    const t = parseTime(row[c]!, unit);
    if (t === undefined) throw cellError({ file: table.file, line: table.lines[r]!, column: columnName(table, c) }, `${TIME_EXPECTED}, got ${excerpt(row[c]!)}`);
    out[r] = t;
  });
  return out;
}

function optionTime(value: string | number, unit: 'ms' | 's', what: string, file: string): number {
  const t = parseTime(value, unit);
  if (t === undefined) throw invalid(`${file}: option ${what}: ${TIME_EXPECTED}, got ${JSON.stringify(value)}`);
  return t;
}

function buildLabels(table: CsvTable, options: CsvOptions, labelColumn: number | undefined, timestamps: Float64Array | undefined): Uint8Array | undefined {
  const rows = table.rows.length;
  const sources = [labelColumn !== undefined, options.anomaly_rows.length > 0, options.anomaly_times.length > 0].filter(Boolean).length;
  if (sources > 1) throw invalid(`${table.file}: options label_column, anomaly_rows and anomaly_times exclude each other; give one of them`);
  if (labelColumn !== undefined) {
    const labels = new Uint8Array(rows);
    table.rows.forEach((row, r) => {
      const cell = row[labelColumn]!;
      const value = parseDecimal(cell);
      if (value !== 0 && value !== 1) {
        throw cellError({ file: table.file, line: table.lines[r]!, column: columnName(table, labelColumn) }, `label must be 0 or 1, got ${excerpt(cell)}`);
      }
      labels[r] = value;
    });
    return labels;
  }
  if (options.anomaly_rows.length) {
    const labels = new Uint8Array(rows);
    options.anomaly_rows.forEach((range, i) => {
      const [start, end] = checkRange(range, rows, `anomaly_rows[${i}]`, table.file);
      labels.fill(1, start, end);
    });
    return labels;
  }
  if (options.anomaly_times.length) {
    if (!timestamps) throw invalid(`${table.file}: option anomaly_times needs timestamp_column`);
    const ranges = options.anomaly_times.map(([a, b], i) => {
      const range = [optionTime(a, options.timestamp_unit, `anomaly_times[${i}][0]`, table.file), optionTime(b, options.timestamp_unit, `anomaly_times[${i}][1]`, table.file)];
      if (!(range[0]! < range[1]!)) throw invalid(`${table.file}: option anomaly_times[${i}]: start must be before end`);
      return range as [number, number];
    });
    return Uint8Array.from(timestamps, (t) => (ranges.some(([a, b]) => t >= a && t < b) ? 1 : 0));
  }
  return undefined;
}

function chooseSplit(table: CsvTable, options: CsvOptions, timestamps: Float64Array | undefined): { train: [number, number]; test: [number, number]; rule: string } {
  const rows = table.rows.length;
  const file = table.file;
  if (options.split_time !== null && (options.train_rows || options.test_rows)) {
    throw invalid(`${file}: options split_time and train_rows/test_rows exclude each other; give one way of splitting`);
  }
  if (options.train_rows || options.test_rows) {
    const train = options.train_rows ? checkRange(options.train_rows, rows, 'train_rows', file) : undefined;
    const test = options.test_rows ? checkRange(options.test_rows, rows, 'test_rows', file) : undefined;
    const t = train ?? ([0, test![0]] as [number, number]);
    const s = test ?? ([train![1], rows] as [number, number]);
    if (t[1] <= t[0]) throw invalid(`${file}: option test_rows starts at row 0, leaving no rows before it for training; give train_rows too`);
    if (s[1] <= s[0]) throw invalid(`${file}: option train_rows ends at the last row (${rows}), leaving no rows for testing; give test_rows too`);
    return { train: t, test: s, rule: `rows: train [${t}), test [${s})` };
  }
  if (options.split_time !== null) {
    if (!timestamps) throw invalid(`${file}: option split_time needs timestamp_column`);
    const at = optionTime(options.split_time, options.timestamp_unit, 'split_time', file);
    for (let r = 1; r < rows; r++) {
      if (timestamps[r]! < timestamps[r - 1]!) throw invalid(`${file}:${table.lines[r]}: split_time needs ascending timestamps, but this row is earlier than the one before`);
    }
    let cut = 0;
    while (cut < rows && timestamps[cut]! < at) cut++;
    if (cut === 0 || cut === rows) {
      throw invalid(`${file}: option split_time ${JSON.stringify(options.split_time)} is out of range: it leaves ${cut === 0 ? 'no train' : 'no test'} rows (timestamps run from ${new Date(timestamps[0]!).toISOString()} to ${new Date(timestamps[rows - 1]!).toISOString()})`);
    }
    return { train: [0, cut], test: [cut, rows], rule: `time: rows before ${new Date(at).toISOString()} train` };
  }
  const cut = Math.floor(rows * options.train_fraction);
  if (cut === 0 || cut === rows) throw invalid(`${file}: train_fraction ${options.train_fraction} of ${rows} rows leaves an empty split`);
  return { train: [0, cut], test: [cut, rows], rule: `fraction: first ${options.train_fraction} of the rows train` };
}

/**
 * Reads a user's CSV into a LoadedSeries. Every problem is an `ANOMALAB_DATA_INVALID` naming
 * the file (and line and column where there is one) and what was expected.
 */
export function loadCsv(options: CsvOptions, baseDir: string): LoadedSeries {
  const file = resolve(baseDir, options.path);
  const table = readCsv(decodeCsvText(readCsvFile(file, `option path ${JSON.stringify(options.path)}`), file), file, options);
  const timeColumn = options.timestamp_column === null ? undefined : resolveColumn(table, options.timestamp_column, 'timestamp_column');
  const labelColumn = options.label_column === null ? undefined : resolveColumn(table, options.label_column, 'label_column');
  const channelColumns = options.channels.length
    ? options.channels.map((ref, i) => resolveColumn(table, ref, `channels[${i}]`))
    : Array.from({ length: table.columns }, (_, c) => c).filter((c) => c !== timeColumn && c !== labelColumn);
  if (!channelColumns.length) throw invalid(`${file}: no value columns left after the timestamp and label columns; the file needs at least one channel`);

  const rows = table.rows.length;
  const channels = channelColumns.length;
  const values = new Float32Array(rows * channels);
  table.rows.forEach((row, r) => {
    channelColumns.forEach((c, k) => {
      values[r * channels + k] = parseValueCell(row[c]!, { file, line: table.lines[r]!, column: columnName(table, c) });
    });
  });
  const timestamps = timeColumn === undefined ? undefined : parseTimestamps(table, timeColumn, options.timestamp_unit);
  const labels = buildLabels(table, options, labelColumn, timestamps);
  const { train, test, rule } = chooseSplit(table, options, timestamps);

  const cut = ([from, to]: [number, number]): Split => ({
    rows: to - from,
    channels,
    offset: from,
    values: values.slice(from * channels, to * channels),
    ...(labels ? { labels: labels.slice(from, to) } : {}),
    ...(timestamps ? { timestamps: timestamps.slice(from, to) } : {}),
  });
  const count = (range: [number, number]) => (labels ? labels.subarray(range[0], range[1]).reduce((s, v) => s + v, 0) : undefined);
  return {
    id: 'csv/file',
    channelNames: channelColumns.map((c) => table.header?.[c] ?? `col${c}`),
    labelled: labels !== undefined,
    train: cut(train),
    test: cut(test),
    metadata: {
      file,
      rows,
      delimiter: table.delimiter,
      header: table.header !== undefined,
      split: rule,
      ...(labels ? { anomalousRows: { train: count(train), test: count(test) } } : { labels: 'none (unlabelled)' }),
      rowNumbering: 'rows numbered from 0 after the header; blank lines are skipped',
    },
  };
}

/** Users' own data from a CSV file. */
export const csvDataset: DatasetPlugin<CsvOptions> = {
  kind: 'dataset',
  name: 'csv',
  description: "Your own time series from a CSV file: value columns as channels, optional timestamps, labels and split.",
  about: {
    source: 'a local CSV file named by dataset.options.path (relative to the experiment file)',
    labels: 'from a 0/1 column, from row ranges or time ranges [start, end), or none (unlabelled: scored, not evaluated)',
    format: 'delimiter and header are detected unless given; quoted fields allowed (not spanning lines); blank lines skipped; missing values are errors',
  },
  optionsSchema: csvOptionsSchema,
  listSeries: () => [{ name: 'file', description: 'the CSV file given by options.path (labelled when label_column, anomaly_rows or anomaly_times is set)', labelled: false }],
  async load({ options, baseDir, series }) {
    if (series !== undefined && series !== 'file') throw new AnomalabError('ANOMALAB_DATA_UNAVAILABLE', `dataset csv has one series, "file", not "${series}"`);
    return loadCsv(options, baseDir);
  },
};

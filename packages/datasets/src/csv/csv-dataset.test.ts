import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AnomalabError, type PluginServices } from '@anomalab/core';
import { csvDataset, loadCsv } from './csv-dataset.ts';
import { csvOptionsSchema, withCsvDefaults, type CsvOptions } from './csv-options.ts';
import { parseTime } from './parse-cells.ts';
import { detectDelimiter, splitLine } from './read-csv.ts';
import plugins from '../index.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const load = (options: Partial<CsvOptions> & { path: string }) => loadCsv(withCsvDefaults(options), fixtures);

function errorOf(options: Partial<CsvOptions> & { path: string }): AnomalabError {
  try {
    load(options);
  } catch (error) {
    expect(error).toBeInstanceOf(AnomalabError);
    return error as AnomalabError;
  }
  throw new Error('expected loadCsv to throw');
}

describe('csv plugin: reading', () => {
  it('is registered as `csv` with one series `file`', () => {
    expect(plugins.map((p) => p.name)).toContain('csv');
    expect(csvDataset.listSeries().map((s) => s.name)).toEqual(['file']);
  });

  it('loads a headed CSV: channels, timestamps, label column, fraction split; blank lines skipped', async () => {
    const services = {} as PluginServices;
    const s = await csvDataset.load({
      options: withCsvDefaults({ path: '__fixtures__/sensors.csv', timestamp_column: 'timestamp', label_column: 'label' }),
      baseDir: dirname(fixtures), // relative path resolves against baseDir
      services,
    });
    expect(s.id).toBe('csv/file');
    expect(s.channelNames).toEqual(['temperature', 'pressure']);
    expect(s.labelled).toBe(true);
    expect([s.train.offset, s.train.rows, s.test.offset, s.test.rows]).toEqual([0, 5, 5, 5]);
    expect(Array.from(s.train.values.slice(0, 4))).toEqual([Math.fround(20.5), 1000, Math.fround(20.7), 1001]);
    expect(Array.from(s.test.values.slice(-2))).toEqual([Math.fround(21.4), 1009]); // the row after the blank line counts once
    expect(Array.from(s.train.labels!)).toEqual([0, 0, 0, 0, 1]);
    expect(Array.from(s.test.labels!)).toEqual([1, 0, 0, 0, 0]);
    expect(s.train.timestamps![0]).toBe(Date.UTC(2024, 0, 1, 0));
    expect(s.test.timestamps![4]).toBe(Date.UTC(2024, 0, 1, 9));
    expect(s.metadata).toMatchObject({ delimiter: ',', header: true, anomalousRows: { train: 1, test: 1 } });
  });

  it('picks channels by name or index, in the given order; no labels means unlabelled', () => {
    const s = load({ path: 'sensors.csv', channels: [2, 'temperature'] });
    expect(s.channelNames).toEqual(['pressure', 'temperature']);
    expect(Array.from(s.train.values.slice(0, 2))).toEqual([1000, Math.fround(20.5)]);
    expect(s.labelled).toBe(false);
    expect(s.train.labels).toBeUndefined();
  });

  it('labels from row ranges and from time ranges, both half-open', () => {
    const byRows = load({ path: 'sensors.csv', channels: ['temperature'], anomaly_rows: [[4, 6]], train_rows: [0, 4] });
    expect(Array.from(byRows.test.labels!)).toEqual([1, 1, 0, 0, 0, 0]);
    const byTime = load({ path: 'sensors.csv', channels: ['temperature'], timestamp_column: 0, anomaly_times: [['2024-01-01 04:00', '2024-01-01T06:00:00Z']], train_rows: [0, 4] });
    expect(Array.from(byTime.test.labels!)).toEqual([1, 1, 0, 0, 0, 0]);
  });

  it('splits by row ranges (either side implied) and by time', () => {
    const both = load({ path: 'sensors.csv', channels: ['pressure'], train_rows: [1, 4], test_rows: [6, 10] });
    expect([both.train.offset, both.train.rows, both.test.offset, both.test.rows]).toEqual([1, 3, 6, 4]);
    const testOnly = load({ path: 'sensors.csv', channels: ['pressure'], test_rows: [7, 10] });
    expect([testOnly.train.offset, testOnly.train.rows, testOnly.test.offset]).toEqual([0, 7, 7]);
    const byTime = load({ path: 'sensors.csv', channels: ['pressure'], timestamp_column: 'timestamp', split_time: '2024-01-01 03:00:00' });
    expect([byTime.train.rows, byTime.test.offset, byTime.test.rows]).toEqual([3, 3, 7]);
  });

  it('detects semicolons, CRLF and a missing header (columns named col<i>)', () => {
    const s = load({ path: 'semicolon-no-header.csv' });
    expect(s.channelNames).toEqual(['col0', 'col1']);
    expect(s.metadata).toMatchObject({ delimiter: ';', header: false });
    expect(Array.from(s.train.values)).toEqual([1.5, 2.5, 1.6, 2.6].map(Math.fround));
  });

  it('detects whitespace-separated columns with exponent notation', () => {
    const s = load({ path: 'whitespace.txt', train_fraction: 0.25 });
    expect(s.metadata).toMatchObject({ delimiter: 'whitespace', header: false });
    expect([s.train.rows, s.test.rows]).toEqual([1, 3]);
    expect(Array.from(s.test.values.slice(0, 2))).toEqual([3, 4]);
  });

  it('tabs, numeric timestamps in seconds, header override', () => {
    const s = load({ path: 'epoch-seconds.tsv', timestamp_column: 'time', timestamp_unit: 's', split_time: 120 });
    expect(s.channelNames).toEqual(['value']);
    expect(Array.from(s.train.timestamps!)).toEqual([0, 60_000]);
    expect(s.test.offset).toBe(2);
    const noHeader = errorOf({ path: 'epoch-seconds.tsv', header: false });
    expect(noHeader.message).toMatch(/epoch-seconds.tsv:1: column #0: expected a number, got "time"/);
  });

  it('honours quoted header names containing the delimiter', () => {
    expect(load({ path: 'quoted-header.csv' }).channelNames).toEqual(['name, with comma', 'value']);
    expect(splitLine('"a ""b""",c', ',')).toEqual(['a "b"', 'c']);
    expect(detectDelimiter(['1|2|3', '4|5|6'])).toBe('|');
  });

  it('parses ISO timestamps with zones and rejects impossible dates', () => {
    expect(parseTime('2024-01-01T01:00:00+01:00', 'ms')).toBe(Date.UTC(2024, 0, 1, 0));
    expect(parseTime('2024-01-01 00:00:00.250Z', 'ms')).toBe(Date.UTC(2024, 0, 1) + 250);
    expect(parseTime('2024-13-01', 'ms')).toBeUndefined();
    expect(parseTime('yesterday', 'ms')).toBeUndefined();
  });
});

describe('csv plugin: errors name file, line, column and what was expected', () => {
  it('empty file', () => {
    expect(errorOf({ path: 'empty.csv' }).message).toMatch(/empty.csv: the file is empty/);
  });
  it('ragged row', () => {
    const e = errorOf({ path: 'ragged.csv' });
    expect(e.code).toBe('ANOMALAB_DATA_INVALID');
    expect(e.message).toMatch(/ragged.csv:3: ragged row: expected 2 fields separated by ",".*found 3/);
  });
  it('non-numeric cell', () => {
    expect(errorOf({ path: 'non-numeric.csv' }).message).toMatch(/non-numeric.csv:3: column "b" \(#1\): expected a number, got "abc"/);
  });
  it('NaN and empty cells are missing values', () => {
    expect(errorOf({ path: 'missing-nan.csv' }).message).toMatch(/missing-nan.csv:3: column "b" \(#1\): missing value "NaN"/);
    expect(errorOf({ path: 'missing-empty.csv' }).message).toMatch(/missing-empty.csv:3: column "b" \(#1\): missing value ""/);
  });
  it('label column not 0/1', () => {
    expect(errorOf({ path: 'bad-label.csv', label_column: 'label' }).message).toMatch(/bad-label.csv:4: column "label" \(#1\): label must be 0 or 1, got "2"/);
  });
  it('split out of range', () => {
    expect(errorOf({ path: 'sensors.csv', channels: [1], train_rows: [0, 11] }).message).toMatch(/sensors.csv: option train_rows: \[0, 11\) is out of range; expected 0 <= start < end <= 10/);
    expect(errorOf({ path: 'sensors.csv', channels: [1], train_rows: [0, 10] }).message).toMatch(/leaving no rows for testing/);
    expect(errorOf({ path: 'sensors.csv', channels: [1], timestamp_column: 0, split_time: '2030-01-01' }).message).toMatch(/split_time "2030-01-01" is out of range: it leaves no test rows/);
    expect(errorOf({ path: 'sensors.csv', channels: [1], anomaly_rows: [[8, 12]] }).message).toMatch(/anomaly_rows\[0\]: \[8, 12\) is out of range/);
  });
  it('unknown column, by name and by index', () => {
    expect(errorOf({ path: 'sensors.csv', channels: ['humidity'] }).message).toMatch(/sensors.csv:1: option channels\[0\]: unknown column "humidity"; columns are "timestamp" \(#0\), "temperature" \(#1\)/);
    expect(errorOf({ path: 'sensors.csv', label_column: 9 }).message).toMatch(/option label_column: column index 9 is out of range; the file has 4 columns/);
    expect(errorOf({ path: 'semicolon-no-header.csv', channels: ['a'] }).message).toMatch(/needs a header line/);
  });
  it('bad timestamps, unsorted times for split_time, conflicting options, missing file', () => {
    expect(errorOf({ path: 'non-numeric.csv', channels: ['a'], timestamp_column: 'b' }).message).toMatch(/non-numeric.csv:3: column "b" \(#1\): expected a timestamp \(ISO 8601.*got "abc"/);
    expect(errorOf({ path: 'sensors.csv' }).message).toMatch(/sensors.csv:2: column "timestamp" \(#0\): expected a number, got "2024-01-01 00:00:00"/);
    expect(errorOf({ path: 'unsorted-times.csv', timestamp_column: 'time', split_time: '2024-01-02' }).message).toMatch(/unsorted-times.csv:4: split_time needs ascending timestamps/);
    expect(errorOf({ path: 'sensors.csv', channels: [1], anomaly_times: [['2024-01-01', '2024-01-02']] }).message).toMatch(/anomaly_times needs timestamp_column/);
    expect(errorOf({ path: 'sensors.csv', channels: [1], label_column: 3, anomaly_rows: [[1, 2]] }).message).toMatch(/exclude each other/);
    const missing = errorOf({ path: 'nope.csv' });
    expect(missing.code).toBe('ANOMALAB_DATA_UNAVAILABLE');
    expect(missing.message).toMatch(/cannot read .*nope.csv.*ENOENT/);
  });
});

describe('csv plugin: options schema', () => {
  it('documents every option with a type, a default (path: required instead) and a description', () => {
    expect(csvOptionsSchema.additionalProperties).toBe(false);
    expect(csvOptionsSchema.required).toEqual(['path']);
    for (const [name, prop] of Object.entries(csvOptionsSchema.properties as Record<string, Record<string, unknown>>)) {
      expect(prop.description, name).toBeTypeOf('string');
      expect(prop.type ?? prop.enum ?? prop.oneOf, name).toBeDefined();
      if (name !== 'path') expect('default' in prop, name).toBe(true);
    }
  });
});

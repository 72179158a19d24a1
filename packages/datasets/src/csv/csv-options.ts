import { FILE_OPTION_KEYWORD, type JSONSchema } from '@anomalab/core';

/** A column by header name or by 0-based index. */
export type ColumnRef = string | number;
/** A timestamp in options: ISO 8601 text (no zone = UTC) or a number in `timestamp_unit`. */
export type TimeValue = string | number;

/** `dataset.options` of the `csv` plugin (after schema defaults are applied). */
export interface CsvOptions {
  path: string;
  delimiter: 'auto' | ',' | ';' | '\t' | '|' | 'whitespace';
  header: 'auto' | boolean;
  channels: ColumnRef[];
  timestamp_column: ColumnRef | null;
  timestamp_unit: 'ms' | 's';
  label_column: ColumnRef | null;
  anomaly_rows: Array<[number, number]>;
  anomaly_times: Array<[TimeValue, TimeValue]>;
  train_rows: [number, number] | null;
  test_rows: [number, number] | null;
  train_fraction: number;
  split_time: TimeValue | null;
}

const column = { oneOf: [{ type: 'string', minLength: 1 }, { type: 'integer', minimum: 0 }] };
const time = { oneOf: [{ type: 'string', minLength: 1 }, { type: 'number' }] };
const rowRange = { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 2, maxItems: 2 };

/** JSON Schema of the options; every field has a type, a default (except `path`) and a description. */
export const csvOptionsSchema: JSONSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: {
      type: 'string',
      minLength: 1,
      // The server confines file options to its data folders (see RequestPolicy in core).
      [FILE_OPTION_KEYWORD]: true,
      description: 'CSV file to read. Relative paths resolve against the directory of the experiment file. Required.',
    },
    delimiter: {
      type: 'string',
      enum: ['auto', ',', ';', '\t', '|', 'whitespace'],
      default: 'auto',
      description: 'Field separator. "auto" picks the one of , ; tab | that splits the first lines into equally many fields, else runs of whitespace.',
    },
    header: {
      enum: ['auto', true, false],
      default: 'auto',
      description: 'Whether the first line holds column names. "auto": yes when a first-line cell is not a number but the cell below it is.',
    },
    channels: {
      type: 'array',
      items: column,
      default: [],
      description: 'Value columns, by header name or 0-based index, in this order. Empty: every column except the timestamp and label columns.',
    },
    timestamp_column: {
      oneOf: [...column.oneOf, { type: 'null' }],
      default: null,
      description: 'Column of per-row timestamps (ISO 8601 text, no zone = UTC, or numbers in timestamp_unit); null for none.',
    },
    timestamp_unit: {
      type: 'string',
      enum: ['ms', 's'],
      default: 'ms',
      description: 'Unit of numeric timestamps (in the file and in anomaly_times / split_time): milliseconds or seconds since 1970-01-01 UTC.',
    },
    label_column: {
      oneOf: [...column.oneOf, { type: 'null' }],
      default: null,
      description: 'Column of 0/1 anomaly labels (1 = anomalous). At most one of label_column, anomaly_rows, anomaly_times; none of them: unlabelled.',
    },
    anomaly_rows: {
      type: 'array',
      items: rowRange,
      default: [],
      description: 'Anomalous row ranges [start, end), half-open, rows numbered from 0 after the header (blank lines are not rows).',
    },
    anomaly_times: {
      type: 'array',
      items: { type: 'array', items: time, minItems: 2, maxItems: 2 },
      default: [],
      description: 'Anomalous time ranges [start, end), half-open, compared with timestamp_column (which is then required).',
    },
    train_rows: {
      oneOf: [rowRange, { type: 'null' }],
      default: null,
      description: 'Train split as rows [start, end). With only train_rows, the test split is the rows after it; with only test_rows, train is the rows before it.',
    },
    test_rows: {
      oneOf: [rowRange, { type: 'null' }],
      default: null,
      description: 'Test split as rows [start, end). See train_rows.',
    },
    train_fraction: {
      type: 'number',
      exclusiveMinimum: 0,
      exclusiveMaximum: 1,
      default: 0.5,
      description: 'Leading fraction of rows used for training when neither train_rows/test_rows nor split_time is given.',
    },
    split_time: {
      oneOf: [...time.oneOf, { type: 'null' }],
      default: null,
      description: 'Split by time: rows with timestamp < split_time train, the rest test (needs timestamp_column, ascending times).',
    },
  },
};

/** The defaults of the schema, for callers that bypass schema validation (tests, scripts). */
export function withCsvDefaults(options: Partial<CsvOptions> & { path: string }): CsvOptions {
  const props = csvOptionsSchema.properties as Record<string, { default?: unknown }>;
  const defaults = Object.fromEntries(Object.entries(props).filter(([, p]) => 'default' in p).map(([k, p]) => [k, structuredClone(p.default)]));
  return { ...defaults, ...options } as CsvOptions;
}

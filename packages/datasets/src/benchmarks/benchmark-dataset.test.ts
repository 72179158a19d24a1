import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '@anomalab/core/testing';
import type { DatasetPlugin, LoadedSeries, PluginServices } from '@anomalab/core';
import plugins from '../index.ts';
import { BENCHMARKS } from './catalog.ts';
import { findTestMirror } from '../testing/find-mirror.ts';

const mirror = findTestMirror();
if (!mirror.dir) console.warn(`[datasets] skipping benchmark loading tests: ${mirror.reason}. Set ANOMALAB_DATA_MIRROR to run them.`);

/**
 * Expected shape of every series, worked out independently of the catalog from the mirror
 * README table (label counts: rows i with lo < i < hi inside each half-open split).
 */
const EXPECTED: Array<{
  id: string;
  file: string;
  rows: number;
  channels: string[];
  train: [number, number];
  test: [number, number];
  anomalous?: { train: number; test: number };
}> = [
  { id: 'ecg/chfdb_chf01_275', file: 'ecg/chfdb_chf01_275.txt', rows: 3751, channels: ['lead1', 'lead2'], train: [0, 1833], test: [1833, 3674], anomalous: { train: 0, test: 269 } },
  { id: 'ecg/chfdb_chf13_45590', file: 'ecg/chfdb_chf13_45590.txt', rows: 3750, channels: ['lead1', 'lead2'], train: [0, 2439], test: [2439, 3726], anomalous: { train: 0, test: 159 } },
  { id: 'ecg/chfdbchf15', file: 'ecg/chfdbchf15.txt', rows: 15000, channels: ['lead1', 'lead2'], train: [3381, 14244], test: [33, 3381], anomalous: { train: 0, test: 149 } },
  { id: 'ecg/ltstdb_20221_43', file: 'ecg/ltstdb_20221_43.txt', rows: 3750, channels: ['lead1', 'lead2'], train: [1121, 3731], test: [0, 1121], anomalous: { train: 0, test: 129 } },
  { id: 'ecg/ltstdb_20321_240', file: 'ecg/ltstdb_20321_240.txt', rows: 3750, channels: ['lead1', 'lead2'], train: [1520, 3531], test: [73, 1520], anomalous: { train: 0, test: 139 } },
  { id: 'ecg/mitdb__100_180', file: 'ecg/mitdb__100_180.txt', rows: 5401, channels: ['lead1', 'lead2'], train: [2328, 5271], test: [73, 2328], anomalous: { train: 0, test: 189 } },
  { id: 'ecg/qtdbsel102', file: 'ecg/qtdbsel102.txt', rows: 45000, channels: ['lead1', 'lead2'], train: [10093, 44828], test: [211, 10093], anomalous: { train: 0, test: 199 } },
  { id: 'ecg/stdb_308_0', file: 'ecg/stdb_308_0.txt', rows: 5400, channels: ['lead1', 'lead2'], train: [2986, 5359], test: [265, 2986], anomalous: { train: 0, test: 259 } },
  { id: 'ecg/xmitdb_x108_0', file: 'ecg/xmitdb_x108_0.txt', rows: 5400, channels: ['lead1', 'lead2'], train: [424, 3576], test: [3576, 5332], anomalous: { train: 0, test: 379 } },
  { id: 'ecg/mitdbx_mitdbx_108', file: 'ecg/mitdbx_mitdbx_108.txt', rows: 21600, channels: ['lead1', 'lead2'], train: [0, 10800], test: [10800, 21600] },
  { id: 'ecg/qtdbsele0606', file: 'ecg/qtdbsele0606.txt', rows: 15000, channels: ['lead1', 'lead2'], train: [0, 7500], test: [7500, 15000] },
  { id: 'gesture/ann_gun_CentroidA', file: 'gesture/ann_gun_CentroidA.txt', rows: 11251, channels: ['x', 'y'], train: [3000, 11251], test: [0, 3000], anomalous: { train: 0, test: 739 } },
  { id: 'nyc_taxi/nyc_taxi', file: 'nyc_taxi/nyc_taxi.csv', rows: 17520, channels: ['passenger_count', 'minutes_since_midnight', 'day_of_week'], train: [0, 13104], test: [13104, 17520], anomalous: { train: 665, test: 99 } },
  { id: 'power_demand/power_data', file: 'power_demand/power_data.txt', rows: 35040, channels: ['value'], train: [15287, 33432], test: [501, 15287], anomalous: { train: 0, test: 1537 } },
  { id: 'respiration/nprs43', file: 'respiration/nprs43.txt', rows: 18052, channels: ['value'], train: [4285, 10498], test: [10498, 17909], anomalous: { train: 0, test: 904 } },
  { id: 'respiration/nprs44', file: 'respiration/nprs44.txt', rows: 24125, channels: ['value'], train: [363, 12955], test: [12955, 24082], anomalous: { train: 0, test: 898 } },
  { id: 'space_shuttle/TEK14', file: 'space_shuttle/TEK14.txt', rows: 5000, channels: ['value'], train: [2089, 4098], test: [97, 2089], anomalous: { train: 0, test: 598 } },
  { id: 'space_shuttle/TEK16', file: 'space_shuttle/TEK16.txt', rows: 5000, channels: ['value'], train: [521, 3588], test: [3588, 4539], anomalous: { train: 0, test: 99 } },
  { id: 'space_shuttle/TEK17', file: 'space_shuttle/TEK17.txt', rows: 5000, channels: ['value'], train: [2469, 4588], test: [1543, 2469], anomalous: { train: 0, test: 44 } },
];

const pluginOf = (name: string) => (plugins as DatasetPlugin[]).find((p) => p.name === name)!;
const services = { logger: { info() {}, warn() {}, error() {}, metric() {}, progress: () => ({ update() {}, done() {} }) } } as unknown as PluginServices;

/** Row `row` of a mirror file, split into cells, read without the plugin's parser. */
function rawRow(dir: string, file: string, row: number): string[] {
  const lines = readFileSync(join(dir, file), 'utf8').split('\n');
  return lines[row]!.trim().split(/[\s,]+/);
}
/** Column of the first channel in the raw file (ecg drops its time column, nyc_taxi its timestamp). */
const firstChannelColumn = (file: string) => (file.startsWith('ecg/') ? 1 : file.startsWith('nyc_taxi/') ? 2 : 0);
// nyc_taxi's timestamp "2014-07-01 00:00:00" splits into two cells on whitespace, hence column 2.

const sum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);

describe('benchmark catalog', () => {
  it('registers the six benchmark datasets between synthetic and csv, 19 series in all', () => {
    expect((plugins as DatasetPlugin[]).map((p) => p.name)).toEqual(['synthetic', 'ecg', 'gesture', 'nyc_taxi', 'power_demand', 'respiration', 'space_shuttle', 'csv']);
    const series = BENCHMARKS.flatMap((d) => pluginOf(d.name).listSeries().map((s) => ({ id: `${d.name}/${s.name}`, labelled: s.labelled })));
    expect(series.map((s) => s.id)).toEqual(expect.arrayContaining(EXPECTED.map((e) => e.id)));
    expect(series).toHaveLength(19);
    expect(series.filter((s) => s.labelled)).toHaveLength(17);
  });

  it('fills `about` for `datasets info` with source and the label caveat', () => {
    for (const d of BENCHMARKS) {
      const about = pluginOf(d.name).about!;
      expect(about.source).toBeTruthy();
      expect(about.labels).toMatch(/unofficial/);
    }
  });
});

describe.skipIf(!mirror.dir)('benchmark series from the mirror', () => {
  const dir = mirror.dir!;
  const saved = { mirror: process.env.ANOMALAB_DATA_MIRROR, cache: process.env.ANOMALAB_CACHE_DIR };
  const temp = makeTempDir('anomalab-bench-');
  const loaded = new Map<string, LoadedSeries>();

  beforeAll(async () => {
    process.env.ANOMALAB_DATA_MIRROR = dir;
    // Loading from a mirror must not touch the user's cache; point it at a temp dir anyway.
    process.env.ANOMALAB_CACHE_DIR = temp.dir;
    for (const e of EXPECTED) {
      const [dataset, series] = e.id.split('/') as [string, string];
      loaded.set(e.id, await pluginOf(dataset).load({ series, options: {}, baseDir: dir, services }));
    }
  });
  afterAll(() => {
    for (const [key, value] of [['ANOMALAB_DATA_MIRROR', saved.mirror], ['ANOMALAB_CACHE_DIR', saved.cache]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    temp.cleanup();
  });

  it('pins the same SHA-256 sums as the mirror', () => {
    const sums = new Map(
      readFileSync(join(dir, 'SHA256SUMS'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.trim().split(/\s+/).reverse() as [string, string]),
    );
    const pinned = BENCHMARKS.flatMap((d) => d.series.map((s) => [s.path, s.sha256] as [string, string]));
    expect(new Map(pinned)).toEqual(sums);
  });

  for (const e of EXPECTED) {
    it(`${e.id}: ${e.rows} rows, train [${e.train}), test [${e.test})${e.anomalous ? `, ${e.anomalous.train}/${e.anomalous.test} anomalous rows` : ', unlabelled'}`, () => {
      const s = loaded.get(e.id)!;
      expect(s.id).toBe(e.id);
      expect(s.channelNames).toEqual(e.channels);
      expect(s.metadata.rows).toBe(e.rows);
      for (const [split, [a, b]] of [[s.train, e.train], [s.test, e.test]] as const) {
        expect(split.offset).toBe(a);
        expect(split.rows).toBe(b - a);
        expect(split.channels).toBe(e.channels.length);
        expect(split.values).toBeInstanceOf(Float32Array);
        expect(split.values.length).toBe((b - a) * e.channels.length);
        expect(split.values.every(Number.isFinite)).toBe(true);
        // First value of the split, read straight from the file.
        const cells = rawRow(dir, e.file, a);
        expect(split.values[0]).toBe(Math.fround(Number(cells[firstChannelColumn(e.file)])));
        if (e.channels.length > 1) expect(split.values[1]).toBe(Math.fround(Number(cells[firstChannelColumn(e.file) + 1])));
      }
      if (e.anomalous) {
        expect(s.labelled).toBe(true);
        expect(s.train.labels).toBeInstanceOf(Uint8Array);
        expect(s.train.labels!.length).toBe(s.train.rows);
        expect(sum(s.train.labels!)).toBe(e.anomalous.train);
        expect(sum(s.test.labels!)).toBe(e.anomalous.test);
        expect(s.metadata.anomalousRows).toMatchObject(e.anomalous);
        expect(String(s.metadata.labels)).toMatch(/unofficial/);
      } else {
        expect(s.labelled).toBe(false);
        expect(s.train.labels).toBeUndefined();
        expect(s.test.labels).toBeUndefined();
        expect(String(s.metadata.split)).toMatch(/first half/);
      }
    });
  }

  it('marks (lo, hi) ranges exclusive at both ends: chfdb_chf13_45590 rows 2801..2959', () => {
    const s = loaded.get('ecg/chfdb_chf13_45590')!;
    const at = (row: number) => s.test.labels![row - s.test.offset];
    expect([at(2800), at(2801), at(2959), at(2960)]).toEqual([0, 1, 1, 0]);
  });

  it('nyc_taxi: timestamps per row, 30 minutes apart, and the 665 train anomalies reported', () => {
    const s = loaded.get('nyc_taxi/nyc_taxi')!;
    expect(s.train.timestamps![0]).toBe(Date.UTC(2014, 6, 1, 0, 0, 0));
    expect(s.train.timestamps![1]! - s.train.timestamps![0]!).toBe(30 * 60_000);
    const [date, time] = rawRow(dir, 'nyc_taxi/nyc_taxi.csv', 13104);
    expect(s.test.timestamps![0]).toBe(Date.parse(`${date}T${time}Z`));
    expect(s.test.timestamps![s.test.rows - 1]).toBe(Date.UTC(2015, 5, 30, 23, 30, 0));
    expect(s.metadata.warning).toMatch(/665 labelled anomalous rows/);
    // minutes since midnight and day of week of the first row (Tuesday 2014-07-01 = 1).
    expect(Array.from(s.train.values.slice(0, 3))).toEqual([10844, 0, 1]);
  });

  it('gesture: the 12 zero cells are filled with the mean of the nearest non-zero neighbours', () => {
    const s = loaded.get('gesture/ann_gun_CentroidA')!;
    expect(s.metadata.filledZeroCells).toBe(12);
    expect(s.train.values.some((v) => v === 0)).toBe(false);
    const value = (row: number, c: number) => s.train.values[(row - s.train.offset) * 2 + c]!;
    const raw = (row: number, c: number) => Math.fround(Number(rawRow(dir, 'gesture/ann_gun_CentroidA.txt', row)[c]));
    for (const c of [0, 1]) {
      expect(value(7251, c)).toBe(Math.fround((raw(7250, c) + raw(7252, c)) / 2));
      // Rows 8752 and 8753 are both zero: both take the mean of rows 8751 and 8754.
      expect(value(8752, c)).toBe(Math.fround((raw(8751, c) + raw(8754, c)) / 2));
      expect(value(8753, c)).toBe(value(8752, c));
    }
  });

  it('ecg: drops the time column and reports the sampling interval', () => {
    expect(loaded.get('ecg/chfdb_chf13_45590')!.metadata.samplingIntervalSeconds).toBe(0.004);
    expect(loaded.get('ecg/mitdbx_mitdbx_108')!.metadata.samplingIntervalSeconds).toBeCloseTo(1 / 360, 5);
  });
});

import { describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.ts';

const mirror = process.env.ANOMALAB_DATA_MIRROR;
if (!mirror) console.warn('skipping `datasets info <series>` tests: ANOMALAB_DATA_MIRROR is not set (they load benchmark data)');

describe.skipIf(!mirror)('anomalab datasets info <dataset>/<series>', () => {
  // The numbers the datasets issue names, computed from the data by the CLI.
  it.each([
    ['ecg/chfdb_chf13_45590', 2, 2439, 1287, 0, 159],
    ['nyc_taxi/nyc_taxi', 3, 13104, 4416, 665, 99],
    ['power_demand/power_data', 1, 18145, 14786, 0, 1537],
    ['gesture/ann_gun_CentroidA', 2, 8251, 3000, 0, 739],
    ['space_shuttle/TEK16', 1, 3067, 951, 0, 99],
  ])('%s: %i channels, %i / %i rows, %i / %i anomalous rows', async (series, channels, trainRows, testRows, trainAnomalous, testAnomalous) => {
    const result = await runCli(['datasets', 'info', series, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const info = JSON.parse(result.stdout);
    expect(info.channels).toHaveLength(channels);
    expect([info.train.rows, info.test.rows]).toEqual([trainRows, testRows]);
    expect([info.train.anomalousRows, info.test.anomalousRows]).toEqual([trainAnomalous, testAnomalous]);
  });

  it('prints labelled ranges in file rows', async () => {
    const result = await runCli(['datasets', 'info', 'ecg/chfdb_chf13_45590']);
    expect(result.stdout).toMatch(/test {2}rows {3}1287 \(file rows \[2439, 3726\)\), 159 anomalous rows in 1 range\(s\): \[2801, 2960\)/);
  });
});

/**
 * The six benchmark data sets as data: where each raw file comes from, its pinned SHA-256,
 * how to parse it, its (unofficial) anomaly ranges and its train/test split.
 *
 * Everything here is transcribed from the mirror's README table and SHA256SUMS; keep it the
 * only place those numbers live so that plugins, tests and docs agree.
 */

/** Keogh's HOT SAX discord page; every series except nyc_taxi was published there. */
export const UCR_DISCORDS_BASE = 'http://www.cs.ucr.edu/~eamonn/discords/';
/** The RNN anomaly-detection project ships the 17,520-row nyc_taxi cut the splits refer to. */
export const NYC_TAXI_URL =
  'https://raw.githubusercontent.com/chickenbestlover/RNN-Time-series-Anomaly-Detection/master/dataset/nyc_taxi/raw/nyc_taxi.csv';

/** Where a raw file is downloaded from. */
export type RemoteSource =
  | { kind: 'file'; url: string }
  /** A member of a zip archive, unpacked in memory; matched by base name inside the archive. */
  | { kind: 'zip'; url: string; member: string };

/** How a raw file's text turns into rows and channels. */
export type FileFormat =
  /** Whitespace separated: time stamp, lead 1, lead 2. The time stamp is dropped. */
  | 'ecg'
  /** Whitespace separated x, y; exact zeros (lost tracking) are filled from neighbours. */
  | 'gesture'
  /** One number per line. */
  | 'single'
  /** CSV without header: timestamp, passenger count, minutes since midnight, day of week. */
  | 'nyc_taxi';

/** A half-open row slice [start, end); `end: 'end'` means the number of rows in the file. */
export interface RowSlice {
  start: number;
  end: number | 'end';
}

export interface BenchmarkSeries {
  /** Series name, e.g. `chfdb_chf13_45590`. */
  name: string;
  /** Path relative to a mirror / cache root, e.g. `ecg/chfdb_chf13_45590.txt`. */
  path: string;
  /** SHA-256 (hex) of the raw file, from the mirror's SHA256SUMS. */
  sha256: string;
  source: RemoteSource;
  /**
   * Anomalous ranges (lo, hi), exclusive at both ends: row i is anomalous when lo < i < hi.
   * Undefined for unlabelled series.
   */
  anomalies?: Array<[lo: number, hi: number]>;
  train: RowSlice;
  test: RowSlice;
  /** Why the split is what it is when it is not from the community table. */
  splitNote?: string;
  description: string;
}

export interface BenchmarkDataset {
  /** Registry name. */
  name: string;
  description: string;
  format: FileFormat;
  channels: string[];
  /** Shown by `anomalab datasets info` and stored with runs. */
  about: Record<string, string>;
  series: BenchmarkSeries[];
}

const HOT_SAX_CITATION =
  'E. Keogh, J. Lin, A. Fu: "HOT SAX: Efficiently Finding the Most Unusual Time Series Subsequence", ICDM 2005. ' +
  'Files from http://www.cs.ucr.edu/~eamonn/discords/';

/** Shown with every benchmark series; results on these labels must say so. */
export const LABEL_CAVEAT =
  'labels are unofficial: the community labels made by non-experts from the papers that use these series ' +
  '(ranges (lo, hi) exclusive at both ends, rows numbered from 0); say so where results are reported';

const ucr = (file: string): RemoteSource => ({ kind: 'file', url: UCR_DISCORDS_BASE + file });
const ecgZip = (member: string): RemoteSource => ({ kind: 'zip', url: UCR_DISCORDS_BASE + 'ECG_data.zip', member });

export const BENCHMARKS: BenchmarkDataset[] = [
  {
    name: 'ecg',
    description: 'Two-lead electrocardiograms from PhysioNet databases (HOT SAX discord benchmark), 9 labelled + 2 unlabelled series.',
    format: 'ecg',
    channels: ['lead1', 'lead2'],
    about: {
      source: HOT_SAX_CITATION + ' (ECG_data.zip and single .txt files); the records come from PhysioNet (chfdb, ltstdb, mitdb, qtdb, stdb).',
      labels: LABEL_CAVEAT,
      sampling: 'the first column (time in seconds) is dropped; its step is reported per series as metadata.samplingIntervalSeconds (0.004 s = 250 Hz for chfdb/ltstdb/qtdb, ~0.003 s = 360 Hz for mitdb/stdb)',
      download:
        'ECG_data.zip is unpacked in memory; the zip itself is not pinned (the mirror holds only the unpacked files), each unpacked .txt is verified against its pinned SHA-256',
      unlabelled: 'mitdbx_mitdbx_108 and qtdbsele0606 have no labels or split; anomalab splits them into first half (train) and second half (test)',
    },
    series: [
      { name: 'chfdb_chf01_275', path: 'ecg/chfdb_chf01_275.txt', sha256: '70f8ff3a4d313c366a1129489e2da4894cf19baa643ddef51468f5fe8e0ef22f', source: ecgZip('chfdb_chf01_275.txt'), anomalies: [[2330, 2600]], train: { start: 0, end: 1833 }, test: { start: 1833, end: 3674 }, description: 'BIDMC congestive heart failure record chf01' },
      { name: 'chfdb_chf13_45590', path: 'ecg/chfdb_chf13_45590.txt', sha256: 'bf52cbdeecfdbcb5a874647d60181bcee6d0511b248e72bd82db715620c65dc1', source: ecgZip('chfdb_chf13_45590.txt'), anomalies: [[2800, 2960]], train: { start: 0, end: 2439 }, test: { start: 2439, end: 3726 }, description: 'BIDMC congestive heart failure record chf13' },
      { name: 'chfdbchf15', path: 'ecg/chfdbchf15.txt', sha256: '648012391079448de366ee5907c7a33fc2534bc3570684ebd9a0df994ba508ac', source: ucr('chfdbchf15.txt'), anomalies: [[2250, 2400]], train: { start: 3381, end: 14244 }, test: { start: 33, end: 3381 }, description: 'BIDMC congestive heart failure record chf15' },
      { name: 'ltstdb_20221_43', path: 'ecg/ltstdb_20221_43.txt', sha256: '5cac8afc3dd8dc4e1aeb85455ef1eacb2b284860008cec4b6ef5da8971cba166', source: ecgZip('ltstdb_20221_43.txt'), anomalies: [[650, 780]], train: { start: 1121, end: 3731 }, test: { start: 0, end: 1121 }, description: 'Long-term ST database record 20221' },
      { name: 'ltstdb_20321_240', path: 'ecg/ltstdb_20321_240.txt', sha256: '123b8f1787fa75eb47235073724cbe55179b6f3ac80b6deccd446eba4d3ca787', source: ecgZip('ltstdb_20321_240.txt'), anomalies: [[710, 850]], train: { start: 1520, end: 3531 }, test: { start: 73, end: 1520 }, description: 'Long-term ST database record 20321' },
      { name: 'mitdb__100_180', path: 'ecg/mitdb__100_180.txt', sha256: 'aa137b4867777ee36a999762dd1129ec2231354c85753b75f5ecba863164e0d4', source: ecgZip('mitdb__100_180.txt'), anomalies: [[1800, 1990]], train: { start: 2328, end: 5271 }, test: { start: 73, end: 2328 }, description: 'MIT-BIH arrhythmia record 100' },
      { name: 'qtdbsel102', path: 'ecg/qtdbsel102.txt', sha256: '0dd33344f46be43e51473ff2f0cd07e7bfea9eae52575c118cb21a266e12756a', source: ucr('qtdbsel102.txt'), anomalies: [[4230, 4430]], train: { start: 10093, end: 44828 }, test: { start: 211, end: 10093 }, description: 'QT database record sel102' },
      { name: 'stdb_308_0', path: 'ecg/stdb_308_0.txt', sha256: '35e53874a0755dedf43d38de7b8f4f1cbd12c6a006c30bb51cfe6432d0c55321', source: ecgZip('stdb_308_0.txt'), anomalies: [[2290, 2550]], train: { start: 2986, end: 5359 }, test: { start: 265, end: 2986 }, description: 'MIT-BIH ST change database record 308' },
      { name: 'xmitdb_x108_0', path: 'ecg/xmitdb_x108_0.txt', sha256: 'ea50908be031f2f7f0f9c8c02e27af35c7d06ff1151046e52056c36c0e208fd2', source: ecgZip('xmitdb_x108_0.txt'), anomalies: [[4020, 4400]], train: { start: 424, end: 3576 }, test: { start: 3576, end: 5332 }, description: 'MIT-BIH arrhythmia record 108 (excerpt)' },
      { name: 'mitdbx_mitdbx_108', path: 'ecg/mitdbx_mitdbx_108.txt', sha256: '0c1ed6512236081dd6c69919d3943db1312ffcca38d5682676180c741fd294ab', source: ucr('mitdbx_mitdbx_108.txt'), train: { start: 0, end: 10800 }, test: { start: 10800, end: 'end' }, splitNote: 'no community split exists: first half [0, 10800) is train, second half [10800, 21600) is test', description: 'MIT-BIH arrhythmia record 108, unlabelled' },
      { name: 'qtdbsele0606', path: 'ecg/qtdbsele0606.txt', sha256: '0f976a01652823447fab78f6336af8fbf30e534f931cde84f7e08f3fae36cfd7', source: ucr('qtdbsele0606.txt'), train: { start: 0, end: 7500 }, test: { start: 7500, end: 'end' }, splitNote: 'no community split exists: first half [0, 7500) is train, second half [7500, 15000) is test', description: 'QT database record sele0606, unlabelled' },
    ],
  },
  {
    name: 'gesture',
    description: 'Hand-centroid trajectory (x, y) from video of an actor drawing a gun (HOT SAX discord benchmark).',
    format: 'gesture',
    channels: ['x', 'y'],
    about: {
      source: HOT_SAX_CITATION + ' (file ann_gun_CentroidA).',
      labels: LABEL_CAVEAT,
      sampling: 'one row per video frame; x, y are pixel coordinates of the tracked hand centroid',
      cleaning: 'cells that are exactly 0.0 (lost tracking; 12 cells in 6 rows) are replaced by the mean of the nearest non-zero cells above and below in the same channel',
    },
    series: [
      { name: 'ann_gun_CentroidA', path: 'gesture/ann_gun_CentroidA.txt', sha256: 'd3e2cd859f9066aeb9e19084eff81386f9107225b451423aa580fa22e3047455', source: ucr('ann_gun_CentroidA'), anomalies: [[2070, 2810]], train: { start: 3000, end: 'end' }, test: { start: 0, end: 3000 }, description: 'hand centroid x, y' },
    ],
  },
  {
    name: 'nyc_taxi',
    description: 'NYC taxi passenger counts in 30-minute buckets, 2014-07-01 to 2015-06-30 (17,520 rows), with time-of-day and weekday channels.',
    format: 'nyc_taxi',
    channels: ['passenger_count', 'minutes_since_midnight', 'day_of_week'],
    about: {
      source:
        'Y. Cui, C. Surpur, S. Ahmad, J. Hawkins: "A comparative study of HTM and other neural network models for online ' +
        "sequence learning with streaming data\", IJCNN 2016 (data prepared in Numenta's htmresearch project); downloaded from " +
        NYC_TAXI_URL,
      labels: LABEL_CAVEAT,
      sampling: '30-minute buckets; timestamps are New York wall-clock times stored as if UTC (Split.timestamps, ms since epoch); day_of_week: Monday = 0',
      caveat:
        'the train split [0, 13104) contains 665 labelled anomalous rows in five ranges (reported per load as metadata.anomalousRows); the test split holds a single 99-row range',
      note: "not NAB's realKnownCause/nyc_taxi.csv, which is a shorter cut (10,320 rows) that does not fit these splits",
    },
    series: [
      { name: 'nyc_taxi', path: 'nyc_taxi/nyc_taxi.csv', sha256: 'a2f3923073ec6ce164c2805e666a330e0a4d72846f8d70f43568350c3ee0a6cd', source: { kind: 'file', url: NYC_TAXI_URL }, anomalies: [[150, 250], [5970, 6050], [8500, 8650], [8750, 8890], [10000, 10200], [14700, 14800]], train: { start: 0, end: 13104 }, test: { start: 13104, end: 'end' }, description: 'passenger count, minutes since midnight, day of week' },
    ],
  },
  {
    name: 'power_demand',
    description: 'Power demand of a Dutch research facility, one year in 15-minute steps (HOT SAX discord benchmark).',
    format: 'single',
    channels: ['value'],
    about: {
      source: HOT_SAX_CITATION + ' (file power_data.txt); data from J.J. van Wijk, E.R. van Selow: "Cluster and calendar based visualization of time series data", InfoVis 1999.',
      labels: LABEL_CAVEAT,
      sampling: '35,040 rows = 365 days x 96 quarter hours',
      caveat: 'the third range (33883, 34601) lies outside both splits; the test split holds two ranges',
    },
    series: [
      { name: 'power_data', path: 'power_demand/power_data.txt', sha256: 'fecb05699618bbf55f662d4fe16130588e5129d94ae10ba8cd6d615c0ae8232e', source: ucr('power_data.txt'), anomalies: [[8254, 8998], [11348, 12143], [33883, 34601]], train: { start: 15287, end: 33432 }, test: { start: 501, end: 15287 }, description: 'power demand' },
    ],
  },
  {
    name: 'respiration',
    description: 'Respiration (breathing) recordings of patients, nprs43 and nprs44 (HOT SAX discord benchmark).',
    format: 'single',
    channels: ['value'],
    about: {
      source: HOT_SAX_CITATION + ' (files nprs43.txt, nprs44.txt).',
      labels: LABEL_CAVEAT,
      sampling: 'one value per line; the sampling rate is not stated in the source',
      caveat: "nprs44: the test split's standard deviation is about 5.4x the train split's (244 vs 45.5), so errors standardized with train statistics run high on test",
    },
    series: [
      { name: 'nprs43', path: 'respiration/nprs43.txt', sha256: 'df903924a7ad793944783d5772069262220db14ccb84341d27378f8e291e5476', source: ucr('nprs43.txt'), anomalies: [[12929, 13432], [14877, 15086], [15729, 15924]], train: { start: 4285, end: 10498 }, test: { start: 10498, end: 17909 }, description: 'respiration record nprs43' },
      { name: 'nprs44', path: 'respiration/nprs44.txt', sha256: 'a5028e5ee899da5160b462c656d5e9be029f0bd72fcd2295025d64ec13e01479', source: ucr('nprs44.txt'), anomalies: [[16192, 16638], [20457, 20911]], train: { start: 363, end: 12955 }, test: { start: 12955, end: 24082 }, description: 'respiration record nprs44' },
    ],
  },
  {
    name: 'space_shuttle',
    description: 'Space Shuttle Marotta valve energizing cycles TEK14, TEK16, TEK17 (HOT SAX discord benchmark).',
    format: 'single',
    channels: ['value'],
    about: {
      source: HOT_SAX_CITATION + ' (files TEK14.txt, TEK16.txt, TEK17.txt).',
      labels: LABEL_CAVEAT,
      sampling: '5,000 rows per series, one value per line',
    },
    series: [
      { name: 'TEK14', path: 'space_shuttle/TEK14.txt', sha256: 'e3ebe9f1f3e9dc4004f33b34a5b8c1323af65da5c2a034380fed83872fa0b09b', source: ucr('TEK14.txt'), anomalies: [[1100, 1200], [1455, 1955]], train: { start: 2089, end: 4098 }, test: { start: 97, end: 2089 }, description: 'Marotta valve series TEK14' },
      { name: 'TEK16', path: 'space_shuttle/TEK16.txt', sha256: 'bc38564f072464425f5ce8243d3a6ee13e8b043217f38e18f208f0d33add7615', source: ucr('TEK16.txt'), anomalies: [[4270, 4370]], train: { start: 521, end: 3588 }, test: { start: 3588, end: 4539 }, description: 'Marotta valve series TEK16' },
      { name: 'TEK17', path: 'space_shuttle/TEK17.txt', sha256: '2fd7ab01e1da3e31b5244702be2b6aa81abf4ef00a1c201535efaaaa3f1a7d8a', source: ucr('TEK17.txt'), anomalies: [[2100, 2145]], train: { start: 2469, end: 4588 }, test: { start: 1543, end: 2469 }, description: 'Marotta valve series TEK17' },
    ],
  },
];

/** A benchmark dataset by registry name, or undefined. */
export function findBenchmark(name: string): BenchmarkDataset | undefined {
  return BENCHMARKS.find((d) => d.name === name);
}

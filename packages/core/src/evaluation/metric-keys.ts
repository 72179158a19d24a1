import type { ChannelMetrics } from './channel-metrics.ts';

/**
 * Metrics by one flat key, for ranking and tables: the core's `auc-pr`, `auc-roc`,
 * `f1@oracle`, `f1@deployable`, an evaluator's threshold-free key (`vus-pr`) or its
 * thresholded key at a threshold (`range-f1@oracle`, `range-f1@deployable`).
 */
export type MetricKey = string;

/** The metric reports rank by unless told otherwise (TSB-AD's most reliable measure). */
export const DEFAULT_RANK_METRIC: MetricKey = 'vus-pr';

const CORE: Record<string, (m: ChannelMetrics) => number | null | undefined> = {
  'auc-pr': (m) => m.aucPr,
  'auc-roc': (m) => m.aucRoc,
  'f1@oracle': (m) => m.oracle?.f1,
  'f1@deployable': (m) => m.deployable?.f1,
};

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** One channel's value of a metric key; null when the run does not have it. */
export function metricValue(m: ChannelMetrics | undefined, key: MetricKey): number | null {
  if (!m) return null;
  const core = CORE[key];
  if (core) return num(core(m));
  const [name, at] = key.split('@') as [string, string | undefined];
  for (const entry of Object.values(m.evaluators ?? {})) {
    const values = at === 'oracle' || at === 'deployable' ? entry[at]?.metrics : at === undefined ? entry.metrics : undefined;
    if (values && name in values) return num(values[name]);
  }
  return null;
}

/** Every metric key one channel's metrics have (core ones first). */
export function metricKeysOf(m: ChannelMetrics | undefined): MetricKey[] {
  if (!m) return [];
  const keys = Object.keys(CORE);
  for (const entry of Object.values(m.evaluators ?? {})) {
    keys.push(...Object.keys(entry.metrics));
    for (const at of ['oracle', 'deployable'] as const) keys.push(...Object.keys(entry[at]?.metrics ?? {}).map((k) => `${k}@${at}`));
  }
  return [...new Set(keys)];
}

/** A run's number for a key: the joint score's when there is one, else the mean over channels. */
export function runMetricValue(metrics: Record<string, ChannelMetrics> | undefined, key: MetricKey): number | null {
  const joint = metricValue(metrics?.joint, key);
  if (joint !== null) return joint;
  const values = Object.entries(metrics ?? {})
    .filter(([name]) => name !== 'joint')
    .map(([, m]) => metricValue(m, key))
    .filter((v): v is number => v !== null);
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

/**
 * Ranks of values (1 = highest; ties share the mean of their ranks, as scipy's rankdata on
 * negated values); null values get no rank.
 */
export function ranksOf(values: (number | null)[]): (number | null)[] {
  const order = values.map((v, i) => ({ v, i })).filter((e): e is { v: number; i: number } => e.v !== null).sort((a, b) => b.v - a.v);
  const ranks: (number | null)[] = values.map(() => null);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.v === order[start]!.v) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k]!.i] = rank;
    start = end + 1;
  }
  return ranks;
}
